import { describe, expect, it } from 'vitest';
import { parseTemplates } from '../src/state/settings';

describe('parseTemplates', () => {
  it('keeps one template per non-empty line, without duplicates', () => {
    expect(parseTemplates('a photo of {}.\n\n  an image of {}.  \na photo of {}.').templates).toEqual(['a photo of {}.', 'an image of {}.']);
  });
  it('names each line without exactly one {}', () => {
    const r = parseTemplates('a photo\n{} and {}\nfine {}');
    expect(r.templates).toEqual(['fine {}']);
    expect(r.problems).toHaveLength(2);
    expect(r.problems[0]).toMatch(/“a photo” needs exactly one \{\}/);
  });
});
