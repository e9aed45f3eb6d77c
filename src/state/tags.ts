/**
 * Tags: the user's phrases, each embedded once through the text encoder with a prompt ensemble and
 * cached (IndexedDB) per model, so switching tags or sliders re-ranks without running an encoder.
 */
import { coalesced } from './coalesced';
import { getTagEmbedding, putTagEmbedding } from '../library/persistence';
import { DEFAULT_PROMPT_TEMPLATES, ensembleTagEmbedding, expandPrompts, promptCacheKey } from '../scoring/prompts';
import { savePromptTemplates } from './settings';
import { db } from './libraryDb';
import { saveSessionSoon } from './session';
import { inferenceClient, whenEngineReady } from './engineController';
import { scoreMissingWithHead } from './headScoring';
import { useUi } from './uiStore';
import { useEngine } from './engineStore';
import { useRanking } from './rankingStore';

/** Spaces folded; length is bounded later, in tokens, where the tokenizer is (fitTagToModel). */
export function normalizeTagText(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim();
}

/**
 * A tag longer than CLIP's context in some prompt is cut between words to what the model reads; the chip
 * keeps the text as typed (`cutFrom`) and says it was cut. Returns the text the tag now has.
 */
async function fitTagToModel(text: string): Promise<string> {
  const client = inferenceClient();
  if (!client) return text;
  const fitted = await client.fitPhrase(text, useRanking.getState().templates);
  const ranking = useRanking.getState();
  // Removed while the tokenizer counted: nothing to rename.
  if (!fitted.cut || !ranking.tags.some((t) => t.text === text)) return text;
  const wasActive = ranking.activeTag === text;
  ranking.removeTag(text);
  if (!useRanking.getState().tags.some((t) => t.text === fitted.text)) {
    ranking.upsertTag({ text: fitted.text, status: 'embedding', embedding: null, error: null, cutFrom: text });
  }
  if (wasActive) ranking.setActiveTag(fitted.text);
  saveSessionSoon();
  const ending = fitted.text.split(' ').slice(-5).join(' ');
  useUi.getState().notify(`The tag was cut to the ${fitted.tokens} tokens CLIP reads; it now ends “…${ending}”.`);
  return fitted.text;
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

async function embedTag(typed: string): Promise<void> {
  let text = typed;
  const cutFrom = () => useRanking.getState().tags.find((t) => t.text === text)?.cutFrom;
  const fail = (error: string) => useRanking.getState().upsertTag({ text, status: 'error', embedding: null, error, cutFrom: cutFrom() });
  if (!(await whenEngineReady())) return fail('needs the CLIP model (see the banner above)');
  try {
    text = await fitTagToModel(text);
    const embedding = await phraseEmbedding(text);
    if (!useRanking.getState().tags.some((t) => t.text === text)) return; // removed meanwhile
    useRanking.getState().upsertTag({ text, status: 'ready', embedding, error: null, cutFrom: cutFrom() });
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
/** New embeddings or a newly embedded tag: the head scores what it has not seen yet, shortly after the last change. */
export function scheduleTagHeadScoring(): void {
  if (scheduled) clearTimeout(scheduled);
  scheduled = setTimeout(() => void scoreTagsWithHead(), 200);
}

/** Another model (or backend) means another head: its scores start afresh. */
export function restartTagHeadScoring(): void {
  useRanking.getState().clearTagScores();
  scheduleTagHeadScoring();
}
