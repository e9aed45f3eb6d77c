/**
 * How images are decoded for analysis: the fast path (JPEGs decoded at a k/8 scale; docs/preprocessing.md) by
 * default, or the exact path for people who need parity with Python's PIL pipeline. Kept in settings; `?exact=on`
 * (tests, benchmarks) wins over the saved choice.
 */
import { create } from 'zustand';
import { FACE_WORKING_LONG_SIDE } from '../scoring/faces/measure';
import { checksWaitForScores, usePeopleChecks } from './peopleChecks';

export const useDecodeOptions = create<{ exact: boolean }>(() => ({ exact: false }));

/**
 * What a decode for analysis asks of the decode worker: the path, and a face image when the people checks run
 * beside the CLIP pass. When they wait for it (CPU encoder), they decode their own later: a face image held
 * that long would fill memory, and asking for one makes the CLIP decode bigger (a 1600-px one).
 */
export function analysisDecodeOptions(): { exact: boolean; faceLongSide: number } {
  const people = usePeopleChecks.getState();
  const beside = people.enabled && !people.error && !checksWaitForScores();
  return { exact: useDecodeOptions.getState().exact, faceLongSide: beside ? FACE_WORKING_LONG_SIDE : 0 };
}
