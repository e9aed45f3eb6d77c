/**
 * One photo's path from the drop to its tile, top-down. Each step names the module and the worker that
 * does it; docs/architecture.md draws the same path.
 *
 *   drop        ui/DropZone.tsx → addFiles (here), with the Files from library/collectFiles.ts
 *   identify    state/ingest.ts: sha256 in a decode worker (library/decode.worker.ts); a tile per new
 *               content hash, recorded in IndexedDB (library/persistence.ts); handed on 8, 16, … 256 at a time,
 *               each chunk joining the run still taking them (state/analysisScheduler.ts AnalysisFeed)
 *   decode      state/analyse.ts → library/decodePool.ts → decode worker: 224² CLIP tensor
 *               (engine/preprocess.ts), thumbnail, technical figures, capture and prompt metadata
 *   embed+score state/analyse.ts → engine/inferenceClient.ts → inference worker: CLIP image encoder,
 *               aesthetic head; batched and back-pressured by state/analysisScheduler.ts
 *   people      state/peopleChecks.ts → engine/faceClient.ts → face worker, beside the CLIP pass (after it
 *               when the encoder runs on the CPU)
 *   tile        state/tilePatches.ts gathers results into state/libraryStore.ts (≤ every 100 ms–1 s)
 *   rank        state/view.ts (computeView, pure): ranked by the active tag, filtered, grouped;
 *               ui/useView.ts feeds it the stores' data, ui/Grid.tsx draws the tiles
 *
 * What reacts to new embeddings, tags and models (tag-head and taste scores, auto-tags, groups) is wired
 * in one place: state/backgroundPasses.ts.
 */
import type { PickedFile } from '../library/collectFiles';
import { analyseDecodedWithoutScores, analyseImages, beginReading, endReading } from './analyse';
import { identifyFiles } from './ingest';
import { attachKeptEmbeddings } from './session';

/** Adds dropped or picked files: identified, then analysed chunk by chunk while the rest are read. */
export async function addFiles(picked: PickedFile[]): Promise<void> {
  if (picked.length === 0) return;
  beginReading();
  try {
    await identifyFiles(picked, analyseImages);
  } finally {
    endReading();
  }
}

/** A model became ready: kept scores attach, and images decoded without one are scored now. */
export async function scoreWithNewModel(): Promise<void> {
  await attachKeptEmbeddings();
  analyseDecodedWithoutScores();
}
