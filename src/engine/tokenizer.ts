/**
 * CLIP text tokenizer: turns tag phrases into the fixed-length int64 id rows the ONNX
 * text model takes.
 *
 * The heavy lifting (byte-level BPE, the normaliser and pre-tokeniser declared in
 * tokenizer.json) is done by @huggingface/tokenizers. This module adds what the library
 * leaves to the caller — CLIP's fixed context length, truncation that keeps the end token,
 * padding with the pad token — and corrects the two places where the JS library diverges
 * from the Rust `tokenizers` crate that Transformers (and hence the ONNX export) uses.
 * Both are pinned by test/tokenizer.test.ts against ids from an independent Python
 * implementation (scripts/make_tokenizer_fixtures.py).
 *
 * No file or network access here: the caller passes the parsed tokenizer.json, so the
 * same code runs in a browser worker and in Node.
 */
import { ByteLevelPreTokenizer, SequencePreTokenizer, Tokenizer } from '@huggingface/tokenizers';
import type { PreTokenizer } from '@huggingface/tokenizers';

export interface ClipTokenizerOptions {
  /** Ids per row, start and end tokens included. CLIP's text model is built for 77. */
  contextLength?: number;
}

export interface ClipTokenBatch {
  /** Row-major [batch, length] ids, ready for an ORT int64 tensor. */
  ids: BigInt64Array;
  /** Same layout: 1 up to and including the end token, 0 on padding. */
  attentionMask: BigInt64Array;
  batch: number;
  length: number;
}

export interface ClipTokenizer {
  readonly contextLength: number;
  readonly startId: number;
  readonly endId: number;
  readonly padId: number;
  /** Exactly contextLength ids: start, tokens (truncated), end, then padding. */
  encode(text: string): BigInt64Array;
  encodeBatch(texts: readonly string[]): ClipTokenBatch;
  /**
   * Content tokens the text produces before truncation (start/end not counted), so the
   * UI can warn when a phrase is longer than contextLength - 2 tokens and gets cut.
   */
  countTokens(text: string): number;
}

export const CLIP_CONTEXT_LENGTH = 77;
const START_TOKEN = '<|startoftext|>';
const END_TOKEN = '<|endoftext|>';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when any normaliser in the (possibly nested) Sequence is a Lowercase step. */
function hasLowercase(normalizer: unknown): boolean {
  if (!isRecord(normalizer)) return false;
  if (normalizer.type === 'Lowercase') return true;
  const inner = normalizer.normalizers;
  return Array.isArray(inner) && inner.some(hasLowercase);
}

/**
 * Rejects files that are not a CLIP-style BPE tokenizer up front: a wrong or truncated
 * file would otherwise still produce ids, just meaningless ones, and the resulting
 * embeddings would look plausible.
 */
function checkClipTokenizerJson(json: unknown): asserts json is Record<string, unknown> {
  if (!isRecord(json) || !isRecord(json.model)) {
    throw new Error('tokenizer.json: expected an object with a "model" field');
  }
  const model = json.model;
  if (model.type !== 'BPE' || model.end_of_word_suffix !== '</w>' || !isRecord(model.vocab)) {
    throw new Error('tokenizer.json: expected a CLIP byte-level BPE model (end_of_word_suffix "</w>")');
  }
  // The sigma fix below presumes the file lower-cases; CLIP's always does.
  if (!hasLowercase(json.normalizer)) {
    throw new Error('tokenizer.json: expected a normalizer that lower-cases, as CLIP\'s does');
  }
}

/**
 * The library hard-codes GPT-2's pattern for its ByteLevel pre-tokeniser using JavaScript's
 * `\s`, which (unlike Oniguruma's `\s` in the Rust crate) counts U+FEFF as whitespace, so
 * a BOM next to punctuation ("!\uFEFF?") would be cut into extra words. Swapping in the
 * same pattern over Unicode White_Space restores the Rust behaviour.
 */
const BYTE_LEVEL_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

function fixByteLevelWhitespace(pre: PreTokenizer | null): void {
  if (pre instanceof ByteLevelPreTokenizer) {
    pre.pattern = BYTE_LEVEL_PATTERN;
  } else if (pre instanceof SequencePreTokenizer) {
    for (const inner of pre.tokenizers) fixByteLevelWhitespace(inner);
  }
}

export function createClipTokenizer(tokenizerJson: unknown, options: ClipTokenizerOptions = {}): ClipTokenizer {
  const contextLength = options.contextLength ?? CLIP_CONTEXT_LENGTH;
  if (!Number.isInteger(contextLength) || contextLength < 2) {
    throw new RangeError(`contextLength must be an integer >= 2 (room for the start and end tokens), got ${contextLength}`);
  }
  checkClipTokenizerJson(tokenizerJson);

  // tokenizer_config.json adds nothing the library uses for a BPE model (checked against
  // the fixtures with and without it), so the caller need not fetch it.
  const tokenizer = new Tokenizer(tokenizerJson, {});
  fixByteLevelWhitespace(tokenizer.pre_tokenizer);

  const startId = tokenizer.token_to_id(START_TOKEN);
  const endId = tokenizer.token_to_id(END_TOKEN);
  if (startId === undefined || endId === undefined) {
    throw new Error(`tokenizer.json: missing ${START_TOKEN} or ${END_TOKEN}`);
  }
  // CLIP has no separate pad token: HF pads with the end token, and the text model pools
  // at the first end token, so whatever follows it does not matter to the embedding.
  const padId = endId;
  const maxContent = contextLength - 2;
  const startBig = BigInt(startId);
  const endBig = BigInt(endId);
  const padBig = BigInt(padId);

  /** Content ids without start/end: those are placed here, not by the library's post-processor. */
  function contentIds(text: string): number[] {
    // The library lower-cases with String#toLowerCase, which turns a word-final capital
    // sigma into "ς"; the Rust crate lower-cases char by char and always gives "σ". Doing
    // that one mapping first makes the library's lower-casing a no-op for it. Safe to do
    // before NFC: no canonical composition starts from or produces either sigma.
    const prepared = text.replaceAll('\u03A3', '\u03C3');
    return tokenizer.encode(prepared, { add_special_tokens: false }).ids;
  }

  /** Writes one row at `offset`; returns nothing because the row length is fixed. */
  function writeRow(text: string, ids: BigInt64Array, mask: BigInt64Array | null, offset: number): void {
    const content = contentIds(text);
    const n = Math.min(content.length, maxContent);
    ids[offset] = startBig;
    for (let i = 0; i < n; i++) ids[offset + 1 + i] = BigInt(content[i]);
    // Truncation keeps the end token because the model reads its embedding from there.
    ids[offset + 1 + n] = endBig;
    const used = n + 2;
    ids.fill(padBig, offset + used, offset + contextLength);
    if (mask) {
      mask.fill(1n, offset, offset + used);
      mask.fill(0n, offset + used, offset + contextLength);
    }
  }

  return {
    contextLength,
    startId,
    endId,
    padId,
    encode(text: string): BigInt64Array {
      const ids = new BigInt64Array(contextLength);
      writeRow(text, ids, null, 0);
      return ids;
    },
    encodeBatch(texts: readonly string[]): ClipTokenBatch {
      const batch = texts.length;
      const ids = new BigInt64Array(batch * contextLength);
      const attentionMask = new BigInt64Array(batch * contextLength);
      texts.forEach((text, row) => writeRow(text, ids, attentionMask, row * contextLength));
      return { ids, attentionMask, batch, length: contextLength };
    },
    countTokens(text: string): number {
      return contentIds(text).length;
    },
  };
}
