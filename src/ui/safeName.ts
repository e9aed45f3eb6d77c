/**
 * File and folder names come from the user's disk and may hold bidirectional control characters: "photo‮gpj.exe"
 * (with U+202E, RIGHT-TO-LEFT OVERRIDE) is shown as "photoexe.jpg", a spoofed extension. Wherever a name is shown
 * its controls are made visible as "[U+202E]", so nothing is reordered behind the reader's back; in markup the
 * name is also isolated (<bdi>, FileName.tsx) so right-to-left letters in it cannot reorder the text around it.
 * Attributes (title, alt, aria-label) cannot hold markup: they get the visible form only.
 */

/**
 * The bidi formatting characters: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), and the
 * implicit marks (U+200E LRM, U+200F RLM, U+061C ALM). Letters of right-to-left scripts are not controls: they
 * stay as they are.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** `text` with each bidi control replaced by a visible "[U+XXXX]". */
export function showBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}
