/** The labelled faces of ../shared/images/faces (labels.csv), for the face tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from './browser';

export const FACES = join(SHARED, 'images/faces');

export interface Label {
  file: string;
  path: string;
  faces: number;
  eyes: 'open' | 'closed' | 'mixed' | 'unknown' | '';
  notes: string;
}

/** labels.csv: a header, then rows; fields may be double-quoted (with "" for a quote). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

export function readLabels(): Label[] {
  const [header, ...rows] = parseCsv(readFileSync(join(FACES, 'labels.csv'), 'utf8'));
  const col = (name: string) => header.indexOf(name);
  return rows.map((r) => {
    const file = r[col('file')];
    return { file, path: join(FACES, file), faces: Number(r[col('faces')]), eyes: r[col('eyes')] as Label['eyes'], notes: r[col('notes')] ?? '' };
  });
}


/** The eye verdict of one labelled face, as the face worker gave it (the parts of FacesLabResult read here). */
export interface JudgedFaces {
  people: { faces: readonly { eyes: string; openness?: { right: number | null; left: number | null } | null; sizePx: number }[] };
}

/**
 * Per labelled face: its label (open / closed / wink) and what was predicted, faces matched by rank. Used by
 * e2e/faces.e2e.ts and scripts/flagAccuracy.ts.
 */
export function labelledFaceRows<R extends JudgedFaces>(labels: readonly Label[], resultOf: (l: Label) => R): { file: string; label: 'open' | 'closed' | 'wink'; predicted: string; face: R['people']['faces'][number] | null }[] {
  const rows: ReturnType<typeof labelledFaceRows<R>> = [];
  for (const l of labels) {
    if (l.eyes !== 'open' && l.eyes !== 'closed' && l.eyes !== 'mixed') continue;
    const faces = resultOf(l).people.faces;
    for (let i = 0; i < l.faces; i++) {
      const f = faces[i];
      rows.push({ file: l.file, label: l.eyes === 'mixed' ? 'wink' : l.eyes, predicted: f ? f.eyes : 'missed', face: f ?? null });
    }
  }
  return rows;
}
