/**
 * The taste head: a tag head trained in a worker on this user's decisions for one tag (docs/taste.md).
 * Trained heads are stored (ONNX bytes) per model and tag, loaded into the inference worker, and rank the
 * tag in place of the score before them until the user switches them off or resets them.
 */
import { coalesced } from './coalesced';
import { deleteTasteHead, getTasteHeads, putTasteHead, type StoredTasteHead, type TasteHeadInfo } from '../library/persistence';
import { createZip } from '../codecs/zipWrite';
import { sha256Hex } from '../platform/sha256Hex';
import { saveBlob } from '../library/export/download';
import { trainInWorker } from '../engine/tasteClient';
import { Cancelled } from '../engine/rpc';
import { buildTastePairs, notEnoughDecisions } from '../scoring/taste/tastePairs';
import { DEFAULT_TAG_HEAD } from '../scoring/taste/tagHeadSpec';
import { TASTE_TRAINING, type TasteTrainInput } from '../scoring/taste/trainTaste';
import { db } from './libraryDb';
import { currentModelId, inferenceClient } from './engineController';
import { getEmbedding } from './embeddingRegistry';
import { scoreMissingWithHead } from './headScoring';
import { rankingScores } from './rankingScores';
import { useEngine } from './engineStore';
import { useLibrary } from './libraryStore';
import { useRanking } from './rankingStore';
import { useTaste } from './tasteStore';
import { useUi } from './uiStore';

/** Neutral middle of the 1–10 scale, the prior when there is no score at all. */
const NEUTRAL_SCORE = 5.5;

const headKey = (tag: string) => `taste|${tag}`;
const running = new Map<string, AbortController>();

/** The scores that rank a tag now (exports, actions); the view passes the same sources in as data. */
export function rankingScoresFor(tag: string): Record<string, number> | null {
  const { byTag: tastes, scores: tasteScores } = useTaste.getState();
  return rankingScores(tag, { tastes, tasteScores, hasTagHead: !!useEngine.getState().ready?.tagHead, tagScores: useRanking.getState().tagScores });
}

/** The score an image has for a tag before any taste head: the regression target and the baseline. */
function priorScores(tag: string, ids: string[]): { priors: Float32Array; prior: string } {
  const tiles = useLibrary.getState().tiles;
  const ready = useEngine.getState().ready;
  if (ready?.tagHead) {
    const head = useRanking.getState().tagScores[tag] ?? {};
    return { priors: Float32Array.from(ids, (id) => head[id] ?? NEUTRAL_SCORE), prior: `tag head ${ready.tagHead.id}` };
  }
  if (ready?.hasAestheticHead) return { priors: Float32Array.from(ids, (id) => tiles[id]?.score ?? NEUTRAL_SCORE), prior: 'aesthetic head' };
  return { priors: new Float32Array(ids.length).fill(NEUTRAL_SCORE), prior: 'none (a constant)' };
}

/** What training on the current decisions would use, for the panel to show before the user starts. */
export function tasteDataSummary() {
  const { order, tiles } = useLibrary.getState();
  const items = order.filter((id) => getEmbedding(id)).map((id) => ({ id, decision: tiles[id].decision, stars: tiles[id].stars }));
  const pairs = buildTastePairs(items);
  return { pairs, problem: notEnoughDecisions(pairs) };
}

async function loadIntoEngine(tag: string, onnx: Uint8Array): Promise<void> {
  const client = inferenceClient();
  if (!client) throw new Error('the model is not loaded');
  await client.setUserHead(headKey(tag), onnx);
  useTaste.getState().clearScores(tag);
  await scoreWithTasteHeads();
}

export async function trainTaste(tag: string): Promise<void> {
  const tagState = useRanking.getState().tags.find((t) => t.text === tag);
  const modelId = currentModelId();
  const taste = useTaste.getState();
  if (running.has(tag)) return;
  const fail = (error: string) => taste.patch(tag, { status: 'error', error, progress: null });
  if (!tagState?.embedding || !modelId) return fail('needs the CLIP model and the tag’s embedding');
  const { pairs, problem } = tasteDataSummary();
  if (problem) return fail(problem);
  const dim = tagState.embedding.length;
  const images = new Float32Array(pairs.ids.length * dim);
  pairs.ids.forEach((id, i) => images.set(getEmbedding(id)!, i * dim));
  const { priors, prior } = priorScores(tag, pairs.ids);
  const input: TasteTrainInput = {
    images, count: pairs.ids.length, tag: Float32Array.from(tagState.embedding), train: pairs.train, heldOut: pairs.heldOut, priors,
    hparams: { ...DEFAULT_TAG_HEAD, embedDim: dim }, ...TASTE_TRAINING,
  };
  // Counted now: the pair arrays are transferred to the worker.
  const trainPairs = pairs.train.length / 2;
  const heldOutPairs = pairs.heldOut.length / 2;
  const controller = new AbortController();
  running.set(tag, controller);
  taste.patch(tag, { status: 'training', error: null, progress: { step: 0, steps: input.steps, loss: NaN, heldOutAccuracy: null } });
  try {
    const r = await trainInWorker(
      input,
      { producer: 'loupe-taste', metadata: { tag, model: modelId, trainedOn: `${pairs.ids.length} of this user's decisions` } },
      (progress) => useTaste.getState().patch(tag, { progress }),
      controller.signal,
    );
    const info: TasteHeadInfo = {
      tag, modelId, trainedAt: new Date().toISOString(), ...pairs.counts, images: pairs.ids.length,
      trainPairs, heldOutPairs, heldOutAccuracy: r.heldOutAccuracy,
      priorHeldOutAccuracy: r.priorHeldOutAccuracy, trainAccuracy: r.trainAccuracy, finalLoss: r.finalLoss,
      steps: input.steps, prior, backend: r.backend, ms: Math.round(r.ms),
    };
    const stored: StoredTasteHead = { onnx: r.onnx, info, enabled: true };
    await putTasteHead(db, stored).catch((err) => useUi.getState().notify(`The taste head works but could not be saved: ${String(err)}`));
    useTaste.getState().patch(tag, { status: 'ready', progress: null, info, onnx: r.onnx, enabled: true, error: null });
    await loadIntoEngine(tag, r.onnx);
  } catch (err) {
    if (err instanceof Cancelled) useTaste.getState().patch(tag, { status: 'ready', progress: null, error: null });
    else fail(err instanceof Error ? err.message : String(err));
  } finally {
    running.delete(tag);
  }
}

export function cancelTaste(tag: string): void {
  running.get(tag)?.abort();
}

export async function setTasteEnabled(tag: string, enabled: boolean): Promise<void> {
  const t = useTaste.getState().byTag[tag];
  if (!t?.info || !t.onnx) return;
  useTaste.getState().patch(tag, { enabled });
  await putTasteHead(db, { onnx: t.onnx, info: t.info, enabled }).catch(() => undefined);
}

/** Forgets the tag's taste head: the tag ranks by the score it had before. Decisions are untouched. */
export async function resetTaste(tag: string): Promise<void> {
  cancelTaste(tag);
  const modelId = currentModelId();
  useTaste.getState().remove(tag);
  await inferenceClient()?.setUserHead(headKey(tag), null).catch(() => undefined);
  if (modelId) await deleteTasteHead(db, modelId, tag).catch(() => undefined);
}

export function tasteFileId(tag: string): string {
  return `taste-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'tag'}`;
}

/**
 * A zip a model folder can take as is: heads/<id>.onnx and heads/head.json, the manifest `heads` entry
 * (src/engine/manifest.ts TagHeadFile), plus info.json with what it was trained on.
 */
export async function exportTaste(tag: string): Promise<void> {
  const t = useTaste.getState().byTag[tag];
  if (!t?.info || !t.onnx) return;
  const id = tasteFileId(tag);
  const onnx = Uint8Array.from(t.onnx);
  const entry = {
    id, kind: 'tag-head', path: `heads/${id}.onnx`, bytes: onnx.length, sha256: await sha256Hex(onnx), normalizedInputs: true,
    scale: `this user's taste for “${tag}” on the ${t.info.prior} scale (eq. (1): pairwise ranking + λ·regression)`,
    trainedOn: `${t.info.images} decisions of one user (${t.info.picks} picks, ${t.info.rejects} rejects, ${t.info.starred} starred)`,
  };
  const text = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);
  const zip = createZip([
    { path: `heads/${id}.onnx`, data: onnx },
    { path: 'heads/head.json', data: text(entry) },
    { path: 'heads/info.json', data: text(t.info) },
  ]);
  saveBlob(new Blob([zip], { type: 'application/zip' }), `${id}.zip`);
}

/** Scores what each enabled taste head has not scored yet (new images, a newly loaded head). */
export const scoreWithTasteHeads = coalesced(
  async () => {
    const client = inferenceClient();
    if (!client) return;
    for (const [tag, t] of Object.entries(useTaste.getState().byTag)) {
      const tagState = useRanking.getState().tags.find((x) => x.text === tag);
      if (!t.onnx || !tagState?.embedding) continue;
      const have = useTaste.getState().scores[tag] ?? {};
      await scoreMissingWithHead(client, headKey(tag), tagState.embedding, have, (scores) => useTaste.getState().addScores(tag, scores));
    }
  },
  (err) => useUi.getState().notify(`Your taste head could not score: ${err instanceof Error ? err.message : String(err)}`),
);

/** After a reload or a model change: the stored heads of this model come back, loaded and scoring. */
export async function restoreTasteHeads(): Promise<void> {
  const modelId = currentModelId();
  useTaste.getState().reset();
  if (!modelId) return;
  const client = inferenceClient();
  const stored = await getTasteHeads(db, modelId).catch(() => []);
  for (const h of stored) {
    try {
      await client?.setUserHead(headKey(h.info.tag), h.onnx);
      useTaste.getState().patch(h.info.tag, { status: 'ready', info: h.info, onnx: h.onnx, enabled: h.enabled, error: null });
    } catch (err) {
      useTaste.getState().patch(h.info.tag, { status: 'error', error: `the saved head did not load: ${String(err)}` });
    }
  }
  await scoreWithTasteHeads();
}

let scheduled: ReturnType<typeof setTimeout> | null = null;
/** New embeddings or tags: the taste heads score what they have not seen, shortly after the last change. */
export function scheduleTasteScoring(): void {
  if (scheduled) clearTimeout(scheduled);
  scheduled = setTimeout(() => void scoreWithTasteHeads(), 200);
}
