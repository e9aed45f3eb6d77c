/**
 * Tags: the user's phrases, each embedded once through the text encoder with a prompt ensemble and
 * cached (IndexedDB) per model, so switching tags or sliders re-ranks without running an encoder.
 */
import { coalesced } from './coalesced';
import { getTagEmbedding, putTagEmbedding } from '../library/persistence';
import { DEFAULT_PROMPT_TEMPLATES, ensembleTagEmbedding, expandPrompts, promptCacheKey } from '../scoring/prompts';
import { savePromptTemplates } from './settings';
import { db, saveSessionSoon } from './libraryController';
import { inferenceClient, onEngineReady, whenEngineReady } from './engineController';
import { scoreMissingWithHead } from './headScoring';
import { useLibrary } from './libraryStore';
import { useUi } from './uiStore';
import { useEngine } from './engineStore';
import { useRanking } from './rankingStore';

export function normalizeTagText(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/**
 * A phrase's prompt-ensemble embedding for the loaded model, from the IndexedDB cache when these prompts
 * were embedded before. Used for the user's tags and for every other phrase the app embeds (vocabularies).
 */
export async function phraseEmbedding(text: string, templates: readonly string[] = useRanking.getState().templates): Promise<Float32Array> {
  const model = useEngine.getState().ready?.modelId;
  const client = inferenceClient();
  if (!model || !client) throw new Error('the model is not loaded');
  const key = promptCacheKey(text, templates, model);
  const cached = await getTagEmbedding(db, key).catch(() => undefined);
  if (cached) return cached;
  const prompts = expandPrompts(text, templates);
  const out = await client.embedTexts(prompts);
  const embedding = ensembleTagEmbedding(out.embeddings, prompts.length);
  await putTagEmbedding(db, key, embedding).catch(() => undefined);
  return embedding;
}

async function embedTag(text: string): Promise<void> {
  const ranking = useRanking.getState();
  const fail = (error: string) => useRanking.getState().upsertTag({ text, status: 'error', embedding: null, error });
  if (!(await whenEngineReady())) return fail('needs the CLIP model (see the banner above)');
  try {
    const embedding = await phraseEmbedding(text);
    if (!useRanking.getState().tags.some((t) => t.text === text)) return; // removed meanwhile
    ranking.upsertTag({ text, status: 'ready', embedding, error: null });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

/** Adds a tag (or re-selects it) and makes it the active ranking. */
export async function addTag(raw: string): Promise<void> {
  const text = normalizeTagText(raw);
  if (!text) return;
  const ranking = useRanking.getState();
  const existing = ranking.tags.find((t) => t.text === text);
  ranking.setActiveTag(text);
  saveSessionSoon();
  if (existing && existing.status !== 'error') return;
  ranking.upsertTag({ text, status: 'embedding', embedding: null, error: null });
  await embedTag(text);
}

export function removeTag(text: string): void {
  useRanking.getState().removeTag(text);
  saveSessionSoon();
}

export function activateTag(text: string | null): void {
  useRanking.getState().setActiveTag(text);
  saveSessionSoon();
}

/** After a reload (or a model change) every saved tag is embedded again, from the cache when possible. */
export async function embedAllTags(): Promise<void> {
  for (const t of useRanking.getState().tags) {
    if (t.status !== 'ready') await embedTag(t.text);
  }
}

/** New templates re-embed every tag (from the cache where these prompts were seen before). */
export async function setPromptTemplates(templates: readonly string[] | null): Promise<void> {
  const next = templates && templates.length > 0 ? templates : DEFAULT_PROMPT_TEMPLATES;
  const ranking = useRanking.getState();
  ranking.setTemplates(next);
  await savePromptTemplates(templates && templates.length > 0 ? [...templates] : null).catch(() => undefined);
  for (const t of ranking.tags) ranking.upsertTag({ ...t, status: 'embedding' });
  await embedAllTags();
}

/**
 * With a tag head, every (image, tag) pair gets the head's score once; new images and new tags are scored
 * as they arrive, in batches, in the inference worker.
 */
export const scoreTagsWithHead = coalesced(
  async () => {
    const client = inferenceClient();
    if (!useEngine.getState().ready?.tagHead || !client) return;
    for (const tag of useRanking.getState().tags) {
      if (tag.status !== 'ready' || !tag.embedding) continue;
      const have = useRanking.getState().tagScores[tag.text] ?? {};
      await scoreMissingWithHead(client, null, tag.embedding, have, (scores) => useRanking.getState().addTagScores(tag.text, scores));
    }
  },
  (err) => useUi.getState().notify(`The tag head could not score: ${err instanceof Error ? err.message : String(err)}`),
);

let scheduled: ReturnType<typeof setTimeout> | null = null;
function scheduleHeadScoring(): void {
  if (scheduled) clearTimeout(scheduled);
  scheduled = setTimeout(() => void scoreTagsWithHead(), 200);
}

// New embeddings or a newly embedded tag: score what the head has not seen yet.
useLibrary.subscribe((s, prev) => s.embeddingsVersion !== prev.embeddingsVersion && scheduleHeadScoring());
useRanking.subscribe((s, prev) => s.tags !== prev.tags && scheduleHeadScoring());
// Another model (or backend) means another head: its scores start afresh.
onEngineReady(() => {
  useRanking.getState().clearTagScores();
  scheduleHeadScoring();
});
