/**
 * The largest browser-decodable JPEG among a RAW's candidates, by stored pixel area (the byte length misleads:
 * a small high-quality thumbnail can outweigh a larger preview). Candidates that fall outside the file or
 * are not baseline/progressive JPEGs are counted, so the caller can say why nothing was usable.
 */
import { readJpegHead, type Candidate, type JpegHead } from './jpegHead';
import { RangeReader } from './rangeReader';

export interface Chosen {
  candidate: Candidate;
  head: Extract<JpegHead, { kind: 'jpeg' }>;
}

export interface Choice {
  /** The preview to use; null when none is large enough (see `largest`). */
  best: Chosen | null;
  /** The largest decodable JPEG found, whatever its size (for the reason when `best` is null). */
  largest: Chosen | null;
  /** Candidates whose offset lies at or past the end of the file. */
  pastEnd: number;
  /** Candidates that start inside the file but end past it. */
  runsPast: number;
  /** Lossless-JPEG (SOF3) streams: raw data, not previews. */
  lossless: number;
}

const pixels = (c: Chosen) => c.head.width * c.head.height;
/** More pixels first, then more bytes. */
const bySize = (a: Chosen, b: Chosen) => pixels(a) - pixels(b) || a.candidate.length - b.candidate.length;

/**
 * Among the JPEGs whose short side reaches `minShortSide`: the largest of at most `maxPixels`, else the
 * smallest above it (a caller that cannot decode big JPEGs at a reduced size still gets the least costly).
 */
export async function choosePreview(r: RangeReader, candidates: Candidate[], minShortSide: number, maxPixels = Infinity): Promise<Choice> {
  const choice: Choice = { best: null, largest: null, pastEnd: 0, runsPast: 0, lossless: 0 };
  const found: Chosen[] = [];
  for (const candidate of candidates) {
    const { offset, length } = candidate;
    if (offset >= r.size) {
      choice.pastEnd++;
      continue;
    }
    if (offset + length > r.size) {
      choice.runsPast++;
      continue;
    }
    const head = await readJpegHead(r, offset, length);
    if (head.kind === 'lossless') choice.lossless++;
    if (head.kind === 'jpeg') found.push({ candidate, head });
  }
  found.sort(bySize);
  choice.largest = found.at(-1) ?? null;
  const usable = found.filter((c) => Math.min(c.head.width, c.head.height) >= minShortSide);
  choice.best = usable.filter((c) => pixels(c) <= maxPixels).at(-1) ?? usable.find((c) => pixels(c) > maxPixels) ?? null;
  return choice;
}
