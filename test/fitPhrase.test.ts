import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitPhrase } from '../src/engine/fitPhrase';
import { createClipTokenizer } from '../src/engine/tokenizer';
import { DEFAULT_PROMPT_TEMPLATES, expandPrompts } from '../src/scoring/prompts';

// The real CLIP tokenizer, read from the shared model folder at test time (not ours to commit).
const tok = createClipTokenizer(JSON.parse(readFileSync(new URL('../../shared/models/clip-vit-base-patch32/tokenizer.json', import.meta.url), 'utf8')));
const ROOM = 75;
const longest = (text: string) => Math.max(...expandPrompts(text, DEFAULT_PROMPT_TEMPLATES).map((p) => tok.countTokens(p)));

// 40 plain words: about 40 tokens alone, more with the longest template.
const words = 'a quiet harbour at dawn with fishing boats moored along the old stone quay while gulls circle above the nets and a lone figure in a yellow coat walks past stacked crates toward the lighthouse at the end of the long pier under a pale pink sky'.split(' ');

describe('fitPhrase', () => {
  it('keeps a phrase that fits every prompt, uncut', () => {
    const r = fitPhrase(tok, 'a cat on a sofa', DEFAULT_PROMPT_TEMPLATES);
    expect(r).toEqual({ text: 'a cat on a sofa', cut: false, tokens: longest('a cat on a sofa') });
  });

  it('cuts a long phrase between words, to the longest start that fits every prompt', () => {
    const phrase = [...words, ...words].join(' ');
    expect(longest(phrase)).toBeGreaterThan(ROOM);
    const r = fitPhrase(tok, phrase, DEFAULT_PROMPT_TEMPLATES);
    expect(r.cut).toBe(true);
    expect(phrase.startsWith(r.text)).toBe(true);
    // Ends on a whole word: the next character of the original is a space.
    expect(phrase[r.text.length]).toBe(' ');
    expect(r.tokens).toBe(longest(r.text));
    expect(r.tokens).toBeLessThanOrEqual(ROOM);
    // The longest: one more word would not fit.
    const next = phrase.slice(0, phrase.indexOf(' ', r.text.length + 1));
    expect(longest(next)).toBeGreaterThan(ROOM);
    // Far more than the old 200-character cut let through (34 tokens).
    expect(r.text.length).toBeGreaterThan(200);
  });

  it('fits the bare phrase when there are no templates', () => {
    const phrase = [...words, ...words].join(' ');
    const r = fitPhrase(tok, phrase, []);
    expect(tok.countTokens(r.text)).toBeLessThanOrEqual(ROOM);
    expect(tok.countTokens(`${r.text} ${phrase.slice(r.text.length + 1).split(' ')[0]}`)).toBeGreaterThan(ROOM);
  });

  it('drops a trailing comma at the cut', () => {
    const phrase = Array.from({ length: 60 }, (_, i) => `red${i},`).join(' ');
    const r = fitPhrase(tok, phrase, DEFAULT_PROMPT_TEMPLATES);
    expect(r.cut).toBe(true);
    expect(r.text.endsWith(',')).toBe(false);
  });

  it('cuts a single over-long word by characters', () => {
    const url = `https://example.com/${'abcdefghij'.repeat(40)}`;
    const r = fitPhrase(tok, url, DEFAULT_PROMPT_TEMPLATES);
    expect(r.cut).toBe(true);
    expect(url.startsWith(r.text)).toBe(true);
    expect(r.tokens).toBeLessThanOrEqual(ROOM);
    expect(longest(url.slice(0, r.text.length + 1))).toBeGreaterThan(ROOM);
  });
});
