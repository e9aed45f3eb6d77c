/**
 * ExifTool (Debian libimage-exiftool-perl) as the independent reader the RAW tests check against: its
 * embedded images and the capture fields it reads from a file.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export const EXIFTOOL = process.env.EXIFTOOL ?? 'exiftool';
export const HAS_EXIFTOOL = spawnSync(EXIFTOOL, ['-ver'], { encoding: 'utf8' }).status === 0;
export const EXIFTOOL_MISSING = 'exiftool is not installed (apt-get install libimage-exiftool-perl): the ExifTool cross-checks are skipped';

function json(args: string[]): Record<string, unknown> {
  const out = execFileSync(EXIFTOOL, ['-j', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return (JSON.parse(out) as Array<Record<string, unknown>>)[0];
}

/** Every embedded JPEG ExifTool extracts (PreviewImage, JpgFromRaw — with -ee for CR3's track —, ThumbnailImage, OtherImage), keyed "Group:Tag". */
export function exiftoolImages(path: string): Map<string, Buffer> {
  const record = json(['-b', '-a', '-G1', '-ee', '-PreviewImage', '-JpgFromRaw', '-ThumbnailImage', '-OtherImage', path]);
  const images = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string' && value.startsWith('base64:')) images.set(key, Buffer.from(value.slice(7), 'base64'));
  }
  return images;
}

export interface ExiftoolFacts {
  FileType?: string;
  Orientation?: number;
  DateTimeOriginal?: string;
  SubSecTimeOriginal?: string | number;
  OffsetTimeOriginal?: string;
  ISO?: number;
  Model?: string;
}

/** ExifTool's own choice of each field (its priority rules), numbers unconverted (-n). */
export function exiftoolFacts(path: string): ExiftoolFacts {
  return json(['-n', '-FileType', '-Orientation', '-DateTimeOriginal', '-SubSecTimeOriginal', '-OffsetTimeOriginal', '-ISO', '-Model', path]) as ExiftoolFacts;
}

/** ExifTool's DateTimeOriginal + SubSecTimeOriginal (+ offset) as ms since epoch, the wall clock taken as UTC. */
export function exiftoolCapturedAt(f: ExiftoolFacts): number | null {
  const m = /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)/.exec(f.DateTimeOriginal ?? '');
  if (!m) return null;
  let ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (f.SubSecTimeOriginal !== undefined) ms += Math.round(Number(`0.${String(f.SubSecTimeOriginal).trim()}`) * 1000);
  const tz = /^([+-])(\d\d):(\d\d)$/.exec(f.OffsetTimeOriginal ?? '');
  if (tz) ms -= (tz[1] === '-' ? -1 : 1) * (+tz[2] * 60 + +tz[3]) * 60_000;
  return ms;
}
