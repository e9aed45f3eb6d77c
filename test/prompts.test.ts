import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_BUILTIN_TAGS, AVA_SEMANTIC_TAGS, BUILTIN_TAG_GROUPS } from '../src/scoring/builtinTags';
import {
  DEFAULT_PROMPT_TEMPLATES,
  ensembleTagEmbedding,
  expandPrompts,
  promptCacheKey,
  sanitizeTag,
} from '../src/scoring/prompts';

interface EnsembleCase {
  name: string;
  k: number;
  textEmbeds: number[];
  expected: number[];
}

const ensembleCases = JSON.parse(
  readFileSync(new URL('./fixtures/ranking/prompts.json', import.meta.url), 'utf8'),
) as EnsembleCase[];

describe('expandPrompts', () => {
  it('fills every default template', () => {
    expect(expandPrompts('dog')).toEqual([
      'a photo of dog.',
      'a photo of the dog.',
      'a dog photo.',
      'an image of dog.',
      'a picture of dog.',
    ]);
  });

  it('drops the tag\'s article where the template has one, and deduplicates', () => {
    expect(expandPrompts('the beach')).toEqual([
      'a photo of the beach.',
      'a beach photo.',
      'an image of the beach.',
      'a picture of the beach.',
    ]);
    expect(expandPrompts('An old car', ['a {} photo.'])).toEqual(['a old car photo.']);
  });

  it('uses templates for phrases, and a sentence verbatim', () => {
    expect(expandPrompts('dog running on a beach', ['a photo of {}.'])).toEqual(['a photo of dog running on a beach.']);
    expect(expandPrompts('A moody portrait at dusk.')).toEqual(['A moody portrait at dusk.']);
    expect(expandPrompts('Is this a cat?')).toEqual(['Is this a cat?']);
  });

  it('uses the tag verbatim with no templates', () => {
    expect(expandPrompts('  Black and   White ', [])).toEqual(['Black and White']);
  });

  it('rejects an empty tag and malformed templates', () => {
    expect(() => expandPrompts('   ')).toThrow(/empty/);
    expect(() => expandPrompts('<|endoftext|>')).toThrow(/empty/);
    expect(() => expandPrompts('dog', ['a photo'])).toThrow(/exactly one/);
    expect(() => expandPrompts('dog', ['{} and {}'])).toThrow(/exactly one/);
  });

  it('keeps every built-in tag expandable', () => {
    for (const tag of ALL_BUILTIN_TAGS) expect(expandPrompts(tag).length).toBeGreaterThan(0);
  });
});

describe('sanitizeTag', () => {
  it('collapses Unicode whitespace and trims', () => {
    expect(sanitizeTag('  foggy\n\t forest\u00a0 \u2003path ')).toBe('foggy forest path');
  });

  it('strips special-token text, case-insensitively, without forming new tokens from the leftovers', () => {
    expect(sanitizeTag('cat<|endoftext|>dog')).toBe('cat dog');
    expect(sanitizeTag('<|StartOfText|>sky<|ENDOFTEXT|>')).toBe('sky');
    const nested = sanitizeTag('a <|endo<|endoftext|>ftext|> b');
    expect(nested).not.toMatch(/<\|(startoftext|endoftext)\|>/i);
    expect(nested).toBe('a <|endo ftext|> b');
  });

  it('applies NFC like the tokenizer', () => {
    expect(sanitizeTag('cafe\u0301')).toBe('caf\u00e9');
  });
});

describe('ensembleTagEmbedding against NumPy', () => {
  for (const c of ensembleCases) {
    it(c.name, () => {
      const out = ensembleTagEmbedding(Float32Array.from(c.textEmbeds), c.k);
      expect(out).toHaveLength(c.expected.length);
      c.expected.forEach((want, i) => expect(out[i]).toBeCloseTo(want, 6));
    });
  }

  it('weights each prompt equally whatever its raw norm', () => {
    const out = ensembleTagEmbedding(Float32Array.of(100, 0, 0, 0.01), 2);
    expect(out[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(out[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('rejects a shape that is not k rows', () => {
    expect(() => ensembleTagEmbedding(new Float32Array(10), 3)).toThrow();
    expect(() => ensembleTagEmbedding(new Float32Array(0), 1)).toThrow();
    expect(Array.from(ensembleTagEmbedding(new Float32Array(4), 2))).toEqual([0, 0]);
  });
});

describe('promptCacheKey', () => {
  const model = 'Xenova/clip-vit-base-patch32@d15189d';

  it('is stable, and ignores template order and whitespace spelling', () => {
    const key = promptCacheKey('street', DEFAULT_PROMPT_TEMPLATES, model);
    expect(promptCacheKey('street', DEFAULT_PROMPT_TEMPLATES, model)).toBe(key);
    expect(promptCacheKey('  street ', [...DEFAULT_PROMPT_TEMPLATES].reverse(), model)).toBe(key);
  });

  it('changes with the model, the templates and the case of the text', () => {
    const key = promptCacheKey('street', DEFAULT_PROMPT_TEMPLATES, model);
    expect(promptCacheKey('street', DEFAULT_PROMPT_TEMPLATES, 'other-model')).not.toBe(key);
    expect(promptCacheKey('street', ['a photo of {}.'], model)).not.toBe(key);
    expect(promptCacheKey('Street', DEFAULT_PROMPT_TEMPLATES, model)).not.toBe(key);
  });

  it('cannot be confused by separators inside the parts', () => {
    expect(promptCacheKey('b', [], 'a","')).not.toBe(promptCacheKey('","b', [], 'a'));
  });
});

describe('built-in tags', () => {
  const tagsFile = new URL('../../shared/data/ava/tags.txt', import.meta.url);

  it.skipIf(!existsSync(tagsFile))('holds exactly AVA\'s 66 category names', () => {
    const names = readFileSync(tagsFile, 'utf8')
      .split('\n')
      .map((line) => line.trim().replace(/^\d+\s+/, ''))
      .filter((name) => name !== '');
    expect(names).toHaveLength(66);
    expect([...AVA_SEMANTIC_TAGS].sort()).toEqual([...names].sort());
  });

  it('puts each AVA name in exactly one group', () => {
    for (const name of AVA_SEMANTIC_TAGS) {
      expect(BUILTIN_TAG_GROUPS.filter((g) => g.tags.includes(name)).map((g) => g.group)).toHaveLength(1);
    }
  });

  it('has no duplicates, ignoring case and spacing', () => {
    const folded = ALL_BUILTIN_TAGS.map((t) => sanitizeTag(t).toLowerCase());
    expect(new Set(folded).size).toBe(ALL_BUILTIN_TAGS.length);
    expect(ALL_BUILTIN_TAGS.length).toBeGreaterThan(AVA_SEMANTIC_TAGS.length);
  });

  it('keeps groups few and non-empty', () => {
    expect(BUILTIN_TAG_GROUPS.length).toBeGreaterThanOrEqual(4);
    expect(BUILTIN_TAG_GROUPS.length).toBeLessThanOrEqual(8);
    for (const g of BUILTIN_TAG_GROUPS) expect(g.tags.length).toBeGreaterThan(0);
  });
});
