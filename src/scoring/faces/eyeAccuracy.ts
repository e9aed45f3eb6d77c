/**
 * How often "eyes closed" is right on labelled faces: a face labelled closed (or a wink) is caught when its
 * eyes are judged one or both closed; a face labelled open and judged closed is a false alarm.
 */
export interface LabelledEyes {
  label: 'open' | 'closed' | 'wink';
  /** The eye verdict (scoring/faces/faceJudgement.ts), or 'missed' when no face was found for the label. */
  predicted: string;
}

export interface EyeAccuracy {
  caught: number;
  /** Faces labelled closed or winking. */
  of: number;
  falseAlarms: number;
  /** Faces labelled open. */
  open: number;
}

const judgedClosed = (p: string) => p === 'one-closed' || p === 'both-closed';

export function eyeAccuracy(rows: readonly LabelledEyes[]): EyeAccuracy {
  const shut = rows.filter((r) => r.label !== 'open');
  const open = rows.filter((r) => r.label === 'open');
  return { caught: shut.filter((r) => judgedClosed(r.predicted)).length, of: shut.length, falseAlarms: open.filter((r) => judgedClosed(r.predicted)).length, open: open.length };
}
