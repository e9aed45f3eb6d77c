/**
 * The session kept in IndexedDB: which images, their tiles (thumbnail, decisions, checks), the tags and the
 * sliders. A reload restores it before any worker is needed; scores attach once the model is ready.
 */
import { getEmbeddings, getImages, loadSession, saveSession, type StoredImage } from '../library/persistence';
import { judgePeople } from '../scoring/faces/faceJudgement';
import { setEmbedding } from './embeddingRegistry';
import { currentModelId, whenEngineReady } from './engineController';
import { db } from './libraryDb';
import { useLibrary, type Tile } from './libraryStore';
import { useRanking } from './rankingStore';
import { reportStorageError } from './storageErrors';

/** A stored image as a tile; `hasFile` says whether its File is here (dropped in this tab). */
export function tileFrom(stored: StoredImage, hasFile: boolean): Tile {
  return {
    id: stored.key,
    name: stored.name,
    path: stored.path,
    bytes: stored.bytes,
    status: stored.error ? 'failed' : hasFile ? 'queued' : 'cancelled',
    score: null,
    error: stored.error,
    hasThumb: !!stored.thumbnail,
    width: stored.width,
    height: stored.height,
    decision: stored.decision,
    stars: stored.stars,
    label: stored.label,
    hasFile,
    quality: stored.quality,
    origin: stored.origin,
    capture: stored.metadata?.capture ?? null,
    generation: stored.metadata?.generation ?? null,
    people: stored.faces ? judgePeople(stored.faces) : undefined,
    peopleNote: stored.facesNote,
    companion: stored.companion ?? undefined,
  };
}

/** After a reload or a model change: scores and embeddings already computed for these files. */
export async function attachKeptEmbeddings(): Promise<void> {
  const model = currentModelId();
  if (!model) return;
  const { order, tiles } = useLibrary.getState();
  const ids = order.filter((id) => tiles[id].status !== 'scored' && tiles[id].status !== 'failed');
  if (ids.length === 0) return;
  const kept = await getEmbeddings(db, model, ids);
  const patches: { id: string; patch: Partial<Tile> }[] = [];
  kept.forEach((k, i) => {
    if (!k) return;
    setEmbedding(ids[i], k.embedding);
    patches.push({ id: ids[i], patch: { status: 'scored', score: k.aesthetic } });
  });
  useLibrary.getState().patchTiles(patches);
  useLibrary.getState().bumpEmbeddings();
}

/** Brings back the last session: its images (thumbnails, decisions), tags and sliders. */
export async function restoreSession(): Promise<void> {
  const session = await loadSession(db).catch(() => undefined);
  if (!session) return;
  useRanking.getState().restore(session);
  const stored = await getImages(db, session.order);
  useLibrary.getState().upsertTiles(stored.filter((s): s is StoredImage => !!s).map((s) => tileFrom(s, false)));
  if (await whenEngineReady()) await attachKeptEmbeddings();
}

let saveTimer: ReturnType<typeof setTimeout> | null = null;

/** Saves the session (which images, tags, sliders) now. */
export async function saveSessionNow(): Promise<void> {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  const { order } = useLibrary.getState();
  const r = useRanking.getState();
  await saveSession(db, {
    order: order.filter((id) => !id.startsWith('unreadable:')),
    tags: r.tags.map((t) => t.text),
    activeTag: r.activeTag,
    thresholds: r.thresholds,
    tieMargin: r.tieMargin,
  }).catch(reportStorageError);
}

/** Slider moves and tag clicks come in bursts: the session is saved shortly after the last one. */
export function saveSessionSoon(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void saveSessionNow(), 250);
}
