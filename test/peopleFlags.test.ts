import { describe, expect, it } from 'vitest';
import { judgePeople } from '../src/scoring/faces/faceJudgement';
import { faceFlags, facesFlagged, isMaybe, peopleFlags } from '../src/scoring/faces/peopleFlags';
import { faceName, flagLabel, flagReasons, placeOf } from '../src/ui/peopleWording';
import { face, photo } from './helpers/faces';

// 1000×800 analysed pixels of a 4000×3200 photo: sizes in sentences are the photo's (×4).
const centre = face({ box: { x: 300, y: 200, width: 400, height: 400 } });
const winkTopRight = face({ box: { x: 750, y: 20, width: 200, height: 200 }, openness: { right: 0.1, left: 0.33 } });

describe('peopleFlags', () => {
  it('flags closed eyes, names the face by number, place and size, and says which eye and why', () => {
    const people = judgePeople(photo([winkTopRight, centre]));
    expect(peopleFlags(people)).toEqual(['eyes-closed']);
    // Faces are numbered largest first: the wink is face 2.
    expect(facesFlagged('eyes-closed', people)).toEqual([2]);
    expect(faceName(people, 1)).toBe('face 2 (top right, 800 px)');
    expect(flagReasons('eyes-closed', people)).toEqual([
      "eyes closed: face 2 (top right, 800 px): the subject's right eye closed (openness 0.10, closed below 0.22; the other 0.33)",
    ]);
    expect(flagLabel('eyes-closed', people)).toBe('eyes closed');
  });

  it('says "maybe" when the closed eyes are only on faces judged from few pixels', () => {
    const small = face({ box: { x: 100, y: 100, width: 120, height: 120 }, openness: { right: 0.1, left: 0.12 } });
    const people = judgePeople(photo([small]));
    expect(peopleFlags(people)).toEqual(['eyes-closed']);
    expect(isMaybe('eyes-closed', people)).toBe(true);
    expect(flagLabel('eyes-closed', people)).toBe('eyes closed?');
    expect(flagReasons('eyes-closed', people)[0]).toContain('both eyes closed (openness 0.10 and 0.12');
    expect(flagReasons('eyes-closed', people)[0]).toContain('a small face: a few pixels per lid, so a maybe');
    // A large face with closed eyes makes it certain.
    const both = judgePeople(photo([small, face({ box: { x: 500, y: 300, width: 300, height: 300 }, openness: { right: 0.05, left: 0.06 } })]));
    expect(isMaybe('eyes-closed', both)).toBe(false);
  });

  it('flags a soft face against a detailed background, with the ratio and the limit', () => {
    const people = judgePeople(photo([face({ box: { x: 300, y: 200, width: 300, height: 300 }, sharpness: 30 })], { backgroundSharpness: 600 }));
    expect(peopleFlags(people)).toEqual(['face-soft']);
    expect(flagReasons('face-soft', people)).toEqual(['face soft: face 1 (centre, 1200 px): 0.05× the sharpness of the rest of the picture, under 0.10×']);
  });

  it('does not call a face soft against a plain background', () => {
    const people = judgePeople(photo([face({ box: { x: 300, y: 200, width: 300, height: 300 }, sharpness: 3 })], { backgroundSharpness: 40 }));
    expect(peopleFlags(people)).toEqual([]);
  });

  it('flags a subject cut by the frame, not a small face at the edge of a crowd', () => {
    const cut = face({ box: { x: 0, y: 300, width: 200, height: 220 }, extent: { x: -40, y: 300, width: 240, height: 220 } });
    const people = judgePeople(photo([cut]));
    expect(peopleFlags(people)).toEqual(['face-cut-off']);
    expect(flagReasons('face-cut-off', people)).toEqual(['face cut off: face 1 (left, 880 px): cut off by the left edge of the frame']);
    const tiny = face({ box: { x: 0, y: 300, width: 50, height: 50 }, extent: { x: -10, y: 300, width: 60, height: 50 } });
    expect(peopleFlags(judgePeople(photo([tiny])))).toEqual([]);
  });

  it('has nothing to say about a photo without faces, or with open-eyed sharp whole ones', () => {
    expect(peopleFlags(judgePeople(photo([])))).toEqual([]);
    expect(peopleFlags(judgePeople(photo([centre])))).toEqual([]);
  });
});

describe('placeOf', () => {
  it('names the thirds of the frame the face centre falls in', () => {
    const at = (x: number, y: number) => placeOf({ ...judgePeople(photo([centre])).faces[0], box: { x, y, width: 0, height: 0 } });
    expect(at(0.1, 0.1)).toBe('top left');
    expect(at(0.5, 0.5)).toBe('centre');
    expect(at(0.9, 0.5)).toBe('right');
    expect(at(0.5, 0.9)).toBe('bottom');
  });
});

describe('faceFlags', () => {
  it('gives the flags one face raises, by the same rules as the photo', () => {
    const people = judgePeople(photo([winkTopRight, centre]));
    expect(people.faces.map((f) => faceFlags(f))).toEqual([[], ['eyes-closed']]);
  });
});
