import { describe, expect, it } from 'vitest';
import { exactPreprocessingSetting, parseTemplates, peopleChecksSetting } from '../src/state/settings';

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

describe('on/off settings from the URL', () => {
  it('reads ?people=on|off and ignores anything else', () => {
    expect(peopleChecksSetting.fromUrl('?people=off&model=x')).toBe(false);
    expect(peopleChecksSetting.fromUrl('?model=x&people=on')).toBe(true);
    expect(peopleChecksSetting.fromUrl('?people=maybe')).toBeNull();
    expect(peopleChecksSetting.fromUrl('')).toBeNull();
    // Each switch reads its own parameter.
    expect(exactPreprocessingSetting.fromUrl('?exact=on&people=off')).toBe(true);
    expect(exactPreprocessingSetting.fromUrl('?people=on')).toBeNull();
  });
});
