/**
 * Tag text → CLIP prompts → one tag embedding (issue 4: "prompt templates, a small ensemble, configurable and
 * documented").
 *
 * Why an ensemble: CLIP was trained on captions, not bare words, and a single wording carries its own bias;
 * averaging the normalised embeddings of a few wordings (Radford et al. 2021, §3.1.4, "prompt ensembling")
 * gives a steadier direction for the tag at the cost of a few extra text-encoder runs, once per tag.
 *
 * Why these five (DEFAULT_PROMPT_TEMPLATES):
 * - No quality words ("a good photo of", "a bad photo of"). Relevance must measure whether an image shows the
 *   tag, independently of how good it is: the ranking already orders by aesthetic score and only uses
 *   relevance to break near-ties and to filter, so a quality-laden prompt would count quality twice and
 *   would drop well-fitting but weak images below the threshold.
 * - No framing words ("a close-up photo of", "a photo of the large"): they pull the tag towards a shot type
 *   ("a close-up photo of Landscape" prefers macro shots), which fights tags that are themselves shot types.
 * - Both "… of {}" (subjects: "a photo of birds.") and "a {} photo." (styles, genres and techniques:
 *   "a black and white photo.", "a street photo.") so the built-in list, which mixes both kinds, reads
 *   naturally in at least some wordings.
 * - "an image of {}." for tags that are not photographs (digital art, AI images).
 *
 * Free text: any phrase gets the templates too — CLIP's captions are mostly "a photo of …"-shaped, and a
 * descriptive phrase ("dog running on a beach") still benefits. A tag that ends like a sentence ('.', '!' or
 * '?') is taken as the user's own complete prompt and used verbatim: that is an explicit, predictable way to
 * opt out. A tag's own leading article is dropped where the template already puts one right before the slot,
 * so "the beach" never becomes "a photo of the the beach.".
 */

/** `{}` marks where the tag goes; every template must contain exactly one. */
import { normalizeRows } from './similarity';

export const DEFAULT_PROMPT_TEMPLATES: readonly string[] = Object.freeze([
  'a photo of {}.',
  'a photo of the {}.',
  'a {} photo.',
  'an image of {}.',
  'a picture of {}.',
]);

const SLOT = '{}';
// The tokenizer maps these literal strings to its special ids (<|startoftext|> even after lower-casing, since
// tokenizer.json marks it as normalised), so a tag containing them would cut or restart the prompt.
const SPECIAL_TOKEN = /<\|(?:startoftext|endoftext)\|>/giu;
const WHITESPACE_RUN = /\p{White_Space}+/gu;
const SENTENCE_END = /[.!?]$/u;
const LEADING_ARTICLE = /^(?:a|an|the)\p{White_Space}+/iu;
const ARTICLE_BEFORE_SLOT = /(?:^|\p{White_Space})(?:a|an|the)\p{White_Space}+$/iu;

/**
 * Canonical form of user-typed tag text: NFC (as the tokenizer does), special-token text replaced by a space,
 * whitespace runs collapsed to one space, trimmed. A space rather than nothing keeps "cat<|endoftext|>dog"
 * two words, and cannot join the halves around a removed token into a new one. Whitespace is Unicode
 * White_Space, spelled out because JavaScript's `\s` is a different set.
 */
export function sanitizeTag(tag: string): string {
  return tag.normalize('NFC').replace(SPECIAL_TOKEN, ' ').replace(WHITESPACE_RUN, ' ').trim();
}

/**
 * The prompts whose embeddings make up `tag`'s embedding, deduplicated (a tag with its own article can make
 * two templates coincide, and a duplicate would silently double that wording's weight). Throws on a tag that
 * is empty after sanitising and on a template without exactly one `{}`; an empty template list means
 * "the tag verbatim".
 */
export function expandPrompts(tag: string, templates: readonly string[] = DEFAULT_PROMPT_TEMPLATES): string[] {
  const clean = sanitizeTag(tag);
  if (clean === '') throw new Error('expandPrompts: the tag is empty');
  for (const t of templates) {
    if (t.split(SLOT).length !== 2) throw new Error(`expandPrompts: template ${JSON.stringify(t)} needs exactly one {}`);
  }
  if (templates.length === 0 || SENTENCE_END.test(clean)) return [clean];
  const bare = clean.replace(LEADING_ARTICLE, '');
  const out: string[] = [];
  for (const t of templates) {
    const [before, after] = t.split(SLOT);
    const filler = ARTICLE_BEFORE_SLOT.test(before) ? bare : clean;
    const prompt = sanitizeTag(before + filler + after);
    if (!out.includes(prompt)) out.push(prompt);
  }
  return out;
}

/**
 * CLIP's prompt ensembling: normalise each of the `k` raw text embeddings (row-major [k, dim]), average them,
 * renormalise. Normalising first gives each wording equal weight whatever its raw norm. Zero rows add
 * nothing; if all are zero the result is zeros.
 */
export function ensembleTagEmbedding(textEmbeds: Float32Array, k: number): Float32Array {
  if (!Number.isInteger(k) || k <= 0 || textEmbeds.length % k !== 0 || textEmbeds.length === 0) {
    throw new Error(`ensembleTagEmbedding: ${textEmbeds.length} values are not ${k} embeddings`);
  }
  const dim = textEmbeds.length / k;
  const rows = normalizeRows(textEmbeds, k, dim);
  const sum = new Float64Array(dim);
  for (let r = 0; r < k; r++) for (let i = 0; i < dim; i++) sum[i] += rows[r * dim + i];
  let sq = 0;
  for (let i = 0; i < dim; i++) sq += sum[i] * sum[i];
  const out = new Float32Array(dim);
  if (!(sq > 0) || !Number.isFinite(sq)) return out;
  const inv = 1 / Math.sqrt(sq);
  for (let i = 0; i < dim; i++) out[i] = sum[i] * inv;
  return out;
}

/**
 * Cache key for a tag's ensembled embedding. Built from what actually reaches the encoder — the model and the
 * set of expanded prompts — so spellings that sanitise alike share an entry, reordering templates (the mean
 * does not depend on order) keeps it, and any change of wording or model misses. Case is kept: the
 * tokenizer lower-cases per code point while JavaScript's toLowerCase is context-sensitive (final sigma), so
 * folding case here could give two different embeddings one key. A missed hit costs one encoder run; a
 * false hit would silently rank by the wrong tag.
 */
export function promptCacheKey(tag: string, templates: readonly string[], modelId: string): string {
  const prompts = [...expandPrompts(tag, templates)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `tag-embedding/v1/${JSON.stringify([modelId, prompts])}`;
}
