import { describe, expect, it } from 'vitest';
import { parseTemplates, peopleChecksFromUrl } from '../src/state/settings';

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

describe('peopleChecksFromUrl', () => {
  it('reads ?people=on|off and ignores anything else', () => {
    expect(peopleChecksFromUrl('?people=off&model=x')).toBe(false);
    expect(peopleChecksFromUrl('?model=x&people=on')).toBe(true);
    expect(peopleChecksFromUrl('?people=maybe')).toBeNull();
    expect(peopleChecksFromUrl('')).toBeNull();
  });
});
