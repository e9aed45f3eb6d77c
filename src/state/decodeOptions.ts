/**
 * How images are decoded for analysis: the fast path (JPEGs decoded at a k/8 scale; docs/preprocessing.md) by
 * default, or the exact path for people who need parity with Python's PIL pipeline. Kept in settings; `?exact=on`
 * (tests, benchmarks) wins over the saved choice.
 */
import { create } from 'zustand';
import { FACE_WORKING_LONG_SIDE } from '../scoring/faces/measure';
import { usePeopleChecks } from './peopleChecks';

export const useDecodeOptions = create<{ exact: boolean }>(() => ({ exact: false }));

/** What a decode for analysis asks of the decode worker: the path, and a face image when people checks run. */
export function analysisDecodeOptions(): { exact: boolean; faceLongSide: number } {
  const people = usePeopleChecks.getState();
  return { exact: useDecodeOptions.getState().exact, faceLongSide: people.enabled && !people.error ? FACE_WORKING_LONG_SIDE : 0 };
}
