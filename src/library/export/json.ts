import { finiteOrNull } from './numbers';
import type { ExportContext, ExportImage } from './types';

export const JSON_EXPORT_FORMAT = 'loupe-export';
export const JSON_EXPORT_VERSION = 1;

/** The document toJson writes; readers should check `format` and `version` before trusting the rest. */
export interface JsonExportDocument {
  format: typeof JSON_EXPORT_FORMAT;
  version: typeof JSON_EXPORT_VERSION;
  createdAt: string;
  appVersion: string;
  modelId: string;
  tags: { tag: string; threshold: number | null; tieMargin: number | null }[];
  images: JsonExportImage[];
}

/** An exported image: the exporter's input, except that non-finite relevances become null. */
export type JsonExportImage = Omit<ExportImage, 'tags' | 'raw' | 'label'> & {
  /** Always present: 'none' for a photo without a colour label. */
  label: 'none' | 'red' | 'yellow' | 'green' | 'blue';
  /** The RAW of a RAW+JPEG pair (`path` is then the JPEG's), always present: null for a photo of one file. */
  raw: { path: string; name: string; bytes: number } | null;
  tags: { tag: string; relevance: number | null; rank: number | null; score: number | null }[];
};

// Objects are rebuilt field by field, never spread, so the key order is fixed here and not by whatever extra
// fields a caller's objects happen to carry; that keeps exports diffable.
function imageDocument(image: ExportImage): JsonExportImage {
  return {
    path: image.path,
    name: image.name,
    raw: image.raw ? { path: image.raw.path, name: image.raw.name, bytes: image.raw.bytes } : null,
    contentHash: image.contentHash,
    width: finiteOrNull(image.width),
    height: finiteOrNull(image.height),
    aesthetic: finiteOrNull(image.aesthetic),
    decision: image.decision,
    stars: image.stars,
    label: image.label ?? 'none',
    flags: [...image.flags],
    faces: finiteOrNull(image.faces),
    peopleScore: finiteOrNull(image.peopleScore),
    tags: image.tags.map((t) => ({
      tag: t.tag,
      relevance: finiteOrNull(t.relevance),
      rank: finiteOrNull(t.rank),
      score: finiteOrNull(t.score),
    })),
    error: image.error,
  };
}

export function toJsonDocument(images: readonly ExportImage[], ctx: ExportContext): JsonExportDocument {
  return {
    format: JSON_EXPORT_FORMAT,
    version: JSON_EXPORT_VERSION,
    createdAt: ctx.createdAt.toISOString(),
    appVersion: ctx.appVersion,
    modelId: ctx.modelId,
    tags: ctx.tags.map((t) => ({ tag: t.tag, threshold: finiteOrNull(t.threshold), tieMargin: finiteOrNull(t.tieMargin) })),
    images: images.map(imageDocument),
  };
}

/** Pretty-printed so a person can read and diff it; ends with a newline like any text file. */
export function toJson(images: readonly ExportImage[], ctx: ExportContext): string {
  return `${JSON.stringify(toJsonDocument(images, ctx), null, 2)}\n`;
}
