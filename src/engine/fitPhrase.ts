/**
 * A tag must fit CLIP's context in every prompt it is embedded in ("a photo of {}" adds tokens). The tokenizer
 * would silently drop the end of a longer phrase; instead the phrase is cut here, between words, so the user
 * sees what is embedded. Runs where the tokenizer lives (the inference worker).
 */
import { expandPrompts } from '../scoring/prompts';
import type { ClipTokenizer } from './tokenizer';

export interface FittedPhrase {
  /** The phrase as embedded: the whole of it, or its longest start, cut between words, that fits. */
  text: string;
  cut: boolean;
  /** Content tokens of the longest prompt made from `text`. */
  tokens: number;
}

type TokenCounter = Pick<ClipTokenizer, 'contextLength' | 'countTokens'>;

/** The content tokens of the longest prompt the phrase makes with these templates. */
function longestPrompt(tok: TokenCounter, phrase: string, templates: readonly string[]): number {
  return Math.max(...expandPrompts(phrase, templates).map((p) => tok.countTokens(p)));
}

export function fitPhrase(tok: TokenCounter, phrase: string, templates: readonly string[]): FittedPhrase {
  const room = tok.contextLength - 2; // the start and end tokens
  const whole = longestPrompt(tok, phrase, templates);
  if (whole <= room) return { text: phrase, cut: false, tokens: whole };
  // Every word is at least one token, so no fitting start has more than `room` words.
  const words = phrase.split(/\s+/).filter(Boolean).slice(0, room);
  const fits = (n: number) => n > 0 && longestPrompt(tok, words.slice(0, n).join(' '), templates) <= room;
  // Tokens grow with each added word: the longest fitting start is found by bisection.
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return fitFirstWord(tok, words[0], templates, room);
  // A start that ends on a comma or a dash reads as cut mid-thought: those are dropped.
  const text = words.slice(0, lo).join(' ').replace(/[\s,;:–—-]+$/u, '');
  return { text, cut: true, tokens: longestPrompt(tok, text, templates) };
}

/** One "word" longer than the context (a pasted URL, say): cut by characters, the only boundary it has. */
function fitFirstWord(tok: TokenCounter, word: string, templates: readonly string[], room: number): FittedPhrase {
  const chars = [...word];
  let lo = 1;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (longestPrompt(tok, chars.slice(0, mid).join(''), templates) <= room) lo = mid;
    else hi = mid - 1;
  }
  const text = chars.slice(0, lo).join('');
  return { text, cut: true, tokens: longestPrompt(tok, text, templates) };
}
