/**
 * The scores CSV of `npm run score`: path, content_hash, aesthetic, then relevance:<tag>, rank:<tag> and
 * score:<tag> (the tag head's score, empty without one, as in the app's export) for each tag, then error. Numbers are written in full (shortest round-trip form), so merging shards recomputes
 * exactly the ranks of a single run. Ranks are 1-based within the rows the file was ranked over — a shard's
 * ranks are ranks within that shard until `--merge` re-ranks the shards together.
 */
import { defuseFormula, quoteCsvField } from '../../src/library/export/csv';
import { formatNumber } from '../../src/library/export/numbers';
import { parseCsv, undefuse } from './csvRead';

export interface ScoreRow {
  path: string;
  /** Null for files that could not be read. */
  contentHash: string | null;
  aesthetic: number | null;
  /** Per tag, in the order of the tags; null without an embedding. */
  relevance: (number | null)[];
  /** Per tag; null below the threshold or without an embedding. */
  rank: (number | null)[];
  /** Per tag, the tag head's score; null without a tag head. */
  tagScore: (number | null)[];
  error: string | null;
}

export interface ScoreTable {
  tags: string[];
  rows: ScoreRow[];
}

const FIXED = ['path', 'content_hash', 'aesthetic'];

export function scoreCsvHeader(tags: readonly string[]): string[] {
  return [...FIXED, ...tags.flatMap((t) => [`relevance:${t}`, `rank:${t}`, `score:${t}`]), 'error'];
}

const cell = (value: string): string => quoteCsvField(defuseFormula(value));

/** CRLF line ends as RFC 4180 asks; no byte order mark, so shard files concatenate cleanly. */
export function toScoreCsv(table: ScoreTable): string {
  const lines = [scoreCsvHeader(table.tags).map(cell).join(',')];
  for (const r of table.rows) {
    const perTag = table.tags.flatMap((_, t) => [formatNumber(r.relevance[t]), formatNumber(r.rank[t]), formatNumber(r.tagScore[t])]);
    lines.push([r.path, r.contentHash ?? '', formatNumber(r.aesthetic), ...perTag, r.error ?? ''].map(cell).join(','));
  }
  return lines.map((l) => `${l}\r\n`).join('');
}

export function parseScoreCsv(text: string, where: string): ScoreTable {
  const [header, ...body] = parseCsv(text).filter((r) => !(r.length === 1 && r[0] === ''));
  if (header === undefined) throw new Error(`${where} is empty`);
  const cols = header.map(undefuse);
  const tagCount = (cols.length - FIXED.length - 1) / 3;
  const tags: string[] = [];
  for (let t = 0; t < tagCount; t++) tags.push(cols[FIXED.length + 3 * t].slice('relevance:'.length));
  if (!Number.isInteger(tagCount) || scoreCsvHeader(tags).join('\n') !== cols.join('\n')) {
    throw new Error(`${where} is not a scores CSV of npm run score (header: ${cols.join(',')})`);
  }
  const rows = body.map((raw, k): ScoreRow => {
    if (raw.length !== cols.length) throw new Error(`${where} line ${k + 2} has ${raw.length} fields, expected ${cols.length}`);
    const c = raw.map(undefuse);
    const num = (s: string, what: string): number | null => {
      if (s === '') return null;
      const v = Number(s);
      if (!Number.isFinite(v)) throw new Error(`${where} line ${k + 2}: ${what} "${s}" is not a number`);
      return v;
    };
    return {
      path: c[0],
      contentHash: c[1] === '' ? null : c[1],
      aesthetic: num(c[2], 'aesthetic'),
      relevance: tags.map((_, t) => num(c[FIXED.length + 3 * t], 'relevance')),
      rank: tags.map((_, t) => num(c[FIXED.length + 3 * t + 1], 'rank')),
      tagScore: tags.map((_, t) => num(c[FIXED.length + 3 * t + 2], 'score')),
      error: c[c.length - 1] === '' ? null : c[c.length - 1],
    };
  });
  return { tags, rows };
}
