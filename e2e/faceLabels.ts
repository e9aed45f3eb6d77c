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

