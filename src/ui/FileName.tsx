import { showBidiControls } from './safeName';

/** A file or folder name in markup: its bidi controls shown (safeName.ts) and the name isolated from its neighbours. */
export function FileName({ text }: { text: string }) {
  return <bdi>{showBidiControls(text)}</bdi>;
}
