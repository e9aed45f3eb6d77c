import { formatNumber } from './numbers';
import type { ExportContext, ExportImage } from './types';

export interface CsvOptions {
  /**
   * Prefix a UTF-8 byte order mark (default true). Excel assumes the legacy ANSI code page for a .csv without
   * one and turns "é" into "Ã©"; LibreOffice, pandas (encoding "utf-8-sig") and R cope with it.
   */
  bom?: boolean;
}

const BOM = '\uFEFF';

/** A number literal a spreadsheet reads as a plain value, never as a formula, e.g. "-1.5", "+3", "2e-7". */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Characters that make Excel, LibreOffice and Google Sheets evaluate a cell (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Guards against CSV formula injection: a file named `=HYPERLINK("http://evil","x")` must not become a live link
 * (or a DDE command) when someone opens the export in a spreadsheet. Such a cell gets a leading apostrophe, the
 * usual "treat as text" marker; a plain number such as "-1.5" is left alone because it cannot run anything and an
 * apostrophe would turn it into text. A program reading the CSV back should drop a leading apostrophe that is
 * followed by one of = + - @ tab CR.
 */
export function defuseFormula(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
export function quoteCsvField(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function csvRow(cells: readonly string[]): string {
  return cells.map((c) => quoteCsvField(defuseFormula(c))).join(',');
}

export function csvHeader(ctx: ExportContext): string[] {
  const perTag = ctx.tags.flatMap(({ tag }) => [`relevance:${tag}`, `rank:${tag}`, `score:${tag}`]);
  return ['path', 'name', 'raw_path', 'content_hash', 'width', 'height', 'aesthetic', 'decision', 'stars', 'label', 'flags', 'faces', 'people_score', ...perTag, 'error'];
}

function imageCells(image: ExportImage, ctx: ExportContext): string[] {
  const perTag = ctx.tags.flatMap(({ tag }) => {
    const t = image.tags.find((x) => x.tag === tag);
    return t ? [formatNumber(t.relevance), formatNumber(t.rank), formatNumber(t.score)] : ['', '', ''];
  });
  return [
    image.path,
    image.name,
    image.raw?.path ?? '',
    image.contentHash,
    formatNumber(image.width),
    formatNumber(image.height),
    formatNumber(image.aesthetic),
    image.decision,
    String(image.stars),
    image.label && image.label !== 'none' ? image.label : '',
    image.flags.join(' '),
    formatNumber(image.faces),
    formatNumber(image.peopleScore),
    ...perTag,
    image.error ?? '',
  ];
}

/**
 * One row per photo, one relevance/rank/score column triple per session tag; empty cells where a value is
 * unknown. A RAW+JPEG pair is one row: `path` is the JPEG, `raw_path` the RAW (empty for a photo of one file).
 * CRLF line ends as RFC 4180 asks. The string is meant to be written as UTF-8.
 */
export function toCsv(images: readonly ExportImage[], ctx: ExportContext, options: CsvOptions = {}): string {
  const rows = [csvRow(csvHeader(ctx)), ...images.map((image) => csvRow(imageCells(image, ctx)))];
  return (options.bom ?? true ? BOM : '') + rows.map((r) => `${r}\r\n`).join('');
}
