/**
 * What the app works out about each image beyond its score, from data the engine already has: auto-tags
 * and zero-shot quality from the image embedding and a few text embeddings, prompt adherence for AI images,
 * and burst / near-duplicate groups (in the grouping worker). Nothing here runs the image encoder again.
 */
import { coalesced } from './coalesced';
import { groupInWorker } from '../engine/groupingClient';
import { autoTags, folderTags, type AutoTag } from '../scoring/autoTags';
import { ALL_BUILTIN_TAGS } from '../scoring/builtinTags';
import { antonymPrompts, zeroShotQuality } from '../scoring/qualityPrompts';
import { l2normalize } from '../scoring/similarity';
import { currentModelId } from './engineController';
import { embeddingBlocks } from './embeddingBlocks';
import { getEmbedding } from './embeddingRegistry';
import { useInsights } from './insightsStore';
import { useLibrary } from './libraryStore';
import { useRanking } from './rankingStore';
import { phraseEmbedding } from './tags';

interface Vocabulary {
  model: string;
  names: string[];
  embeds: Float32Array;
  dim: number;
}

let vocabulary: Vocabulary | null = null;
let antonyms: { model: string; embeds: Float32Array } | null = null;
const promptEmbeds = new Map<string, Float32Array>();
/** Generation prompts are embedded verbatim (one "template": the prompt itself), capped like CLIP's context. */
const PROMPT_TEMPLATE = ['{}'];
const PROMPT_CHARS = 300;
/** Images per slice of auto-tagging: 64 × ~90 tags × 512 keeps a slice near 20 ms on a slow core. */
const CHUNK = 64;
/** Slices' results reach the store at most this often: each patch copies maps as large as the library. */
const PUBLISH_MS = 1000;

/** The built-in tags and the user's tags, embedded with the same prompt ensemble as tags (cached). */
async function loadVocabulary(model: string): Promise<Vocabulary> {
  const user = useRanking.getState().tags.filter((t) => t.status === 'ready' && t.embedding);
  const names = [...new Set([...ALL_BUILTIN_TAGS, ...user.map((t) => t.text)])];
  if (vocabulary && vocabulary.model === model && vocabulary.names.join('\n') === names.join('\n')) return vocabulary;
  const rows: Float32Array[] = [];
  for (const name of names) rows.push(user.find((t) => t.text === name)?.embedding ?? (await phraseEmbedding(name)));
  const dim = rows[0].length;
  const embeds = new Float32Array(names.length * dim);
  rows.forEach((r, i) => embeds.set(r, i * dim));
  vocabulary = { model, names, embeds, dim };
  return vocabulary;
}

async function loadAntonyms(model: string): Promise<Float32Array> {
  if (antonyms?.model === model) return antonyms.embeds;
  const prompts = antonymPrompts();
  const rows = [];
  for (const p of prompts) rows.push(await phraseEmbedding(p));
  const embeds = new Float32Array(prompts.length * rows[0].length);
  rows.forEach((r, i) => embeds.set(r, i * r.length));
  antonyms = { model, embeds };
  return embeds;
}

let vocabularyChanged = false;

/** Auto-tags, zero-shot quality and prompt adherence for every embedded image that lacks them. */
export const updateInsights = coalesced(
  async () => {
    const model = currentModelId();
    if (!model) return;
    const before = vocabulary;
    const vocab = await loadVocabulary(model);
    const pairs = await loadAntonyms(model);
    const redo = vocabularyChanged || vocab !== before;
    vocabularyChanged = false;
    const { order, tiles } = useLibrary.getState();
    const have = useInsights.getState().autoTags;
    const ids = order.filter((id) => getEmbedding(id) && (redo || !have[id]));
    // In slices, yielding between them: 20,000 images × 90 tags would otherwise block the page for a second.
    let done: { tags: Record<string, AutoTag[]>; zeroShot: Record<string, Record<string, number>> } = { tags: {}, zeroShot: {} };
    let published = performance.now();
    const publish = () => {
      const s = useInsights.getState();
      s.patch({ autoTags: { ...s.autoTags, ...done.tags }, zeroShot: { ...s.zeroShot, ...done.zeroShot } });
      done = { tags: {}, zeroShot: {} };
      published = performance.now();
    };
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK);
      const matrix = new Float32Array(chunk.length * vocab.dim);
      chunk.forEach((id, i) => matrix.set(l2normalize(getEmbedding(id)!), i * vocab.dim));
      const tags = autoTags(matrix, chunk.length, vocab.names, vocab.embeds, vocab.dim);
      chunk.forEach((id, i) => {
        done.tags[id] = tags[i];
        done.zeroShot[id] = zeroShotQuality(matrix.subarray(i * vocab.dim, (i + 1) * vocab.dim), pairs);
      });
      if (start + CHUNK >= ids.length || performance.now() - published >= PUBLISH_MS) publish();
      await new Promise((r) => setTimeout(r, 0));
    }
    if (ids.length > 0) useInsights.getState().patch({ folderTags: folderTags(Object.values(useInsights.getState().autoTags)) });

    const adherence: Record<string, number> = {};
    for (const id of order) {
      const prompt = tiles[id]?.generation?.prompt;
      const image = getEmbedding(id);
      if (!prompt || !image || useInsights.getState().adherence[id] !== undefined) continue;
      const text = prompt.slice(0, PROMPT_CHARS);
      let p = promptEmbeds.get(text);
      if (!p) promptEmbeds.set(text, (p = await phraseEmbedding(text, PROMPT_TEMPLATE)));
      const img = l2normalize(image);
      let dot = 0;
      for (let d = 0; d < p.length; d++) dot += img[d] * p[d];
      adherence[id] = dot;
    }
    if (Object.keys(adherence).length) useInsights.getState().patch({ adherence: { ...useInsights.getState().adherence, ...adherence } });
  },
  (err) => console.warn('insights:', err),
);

/** Groups the session's embedded images with the current sliders (in the grouping worker). */
export async function updateGroups(): Promise<void> {
  const { order, tiles } = useLibrary.getState();
  const ids = order.filter((id) => getEmbedding(id));
  const { minCosine, windowSeconds } = useInsights.getState().groupSettings;
  if (ids.length < 2) return useInsights.getState().patch({ grouping: null });
  const dim = getEmbedding(ids[0])!.length;
  const embeddings = await embeddingBlocks(ids, dim);
  const result = await groupInWorker({
    embeddings, count: ids.length, dim, capturedAt: ids.map((id) => tiles[id].capture?.capturedAt ?? null),
    minCosine, windowMs: windowSeconds === null ? null : windowSeconds * 1000,
  }).catch((err) => {
    console.warn('grouping:', err);
    return null;
  });
  if (!result) return;
  const groups = result.groups.map((g) => Array.from(g, (i) => ids[i]));
  const groupOf: Record<string, number> = {};
  groups.forEach((g, k) => g.forEach((id) => (groupOf[id] = k)));
  useInsights.getState().patch({ grouping: { groups, groupOf, ms: result.ms } });
}

let insightTimer: ReturnType<typeof setTimeout> | null = null;
let groupTimer: ReturnType<typeof setTimeout> | null = null;
/** Auto-tags, zero-shot quality and prompt adherence follow new embeddings, shortly after the last change. */
export function scheduleInsights(): void {
  if (insightTimer) clearTimeout(insightTimer);
  insightTimer = setTimeout(() => void updateInsights(), 300);
}
export function scheduleGrouping(delay = 300): void {
  if (groupTimer) clearTimeout(groupTimer);
  // While 20,000 images stream in, each regroup takes seconds: wait a few times its cost between runs, so
  // grouping stays a small share of the work instead of restarting after every batch.
  // A slider move is answered at once.
  const lastMs = useLibrary.getState().running ? (useInsights.getState().grouping?.ms ?? 0) : 0;
  groupTimer = setTimeout(() => void updateGroups(), Math.max(delay, 4 * lastMs));
}

/** The user's tags join the auto-tag vocabulary: it is embedded again with them. */
export function tagVocabularyChanged(): void {
  vocabularyChanged = true;
  scheduleInsights();
}

/** Another model: every insight and group is computed again from its embeddings. */
export function restartInsights(): void {
  useInsights.getState().reset();
  scheduleInsights();
  scheduleGrouping();
}
