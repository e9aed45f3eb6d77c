import { accuracyLine } from '../library/quality/flagAccuracy';

/** How often this flag is right on the project's labelled sets (docs/quality.md), under its reason. */
export function FlagAccuracyNote({ flag }: { flag: string }) {
  const line = accuracyLine(flag);
  if (!line) return null;
  return (
    <small className="flag-accuracy" data-testid="flag-accuracy" data-flag={flag}>
      On the test set: {line.slice(line.indexOf(':') + 2)}.
    </small>
  );
}
