import { isRawPath } from '../rawExtensions';
import { sidecarName, type SidecarNaming } from './sidecarName';
import type { ExportContext, ExportImage } from './types';
import { toXmpSidecar, type XmpOptions } from './xmp';
import type { ZipInputFile } from '../../codecs/zipWrite';

export interface SidecarSetOptions extends XmpOptions {
  /** For photos of one JPEG, PNG, HEIC…; default 'append', the name the tools that read their sidecars look for. */
  naming?: SidecarNaming;
  /** For RAW files, alone or with their JPEG; default 'replace', Lightroom Classic's IMG_0001.xmp. */
  rawNaming?: SidecarNaming;
}

/**
 * Where one photo's sidecars go. A RAW+JPEG pair's belongs to the RAW: with 'replace' one IMG_0001.xmp serves
 * both files (Lightroom, Bridge and Capture One look for it beside either); with 'append' darktable and digiKam
 * read IMG_0001.CR2.xmp and IMG_0001.JPG.xmp, one per file, so both are written and the cull covers both.
 */
export function sidecarPaths(image: Pick<ExportImage, 'path' | 'raw'>, options: SidecarSetOptions = {}): string[] {
  const rawNaming = options.rawNaming ?? 'replace';
  if (image.raw) {
    const paths = [sidecarName(image.raw.path, rawNaming), sidecarName(image.path, rawNaming)];
    return paths[0].toLowerCase() === paths[1].toLowerCase() ? [paths[0]] : paths;
  }
  return [sidecarName(image.path, isRawPath(image.path) ? rawNaming : options.naming)];
}

/** An image whose sidecar would overwrite an earlier image's; the earlier one is kept. */
export interface SidecarClash {
  path: string;
  sidecar: string;
  keptFor: string;
}

/**
 * The sidecars for a zip. With 'replace' naming IMG_1.JPG and IMG_1.PNG in one folder both want IMG_1.xmp;
 * names are also compared case-insensitively because Windows and macOS extract IMG_1.xmp and img_1.xmp to the
 * same file. Renaming a clashing sidecar would leave it where no tool looks, so it is left out and reported.
 */
export function sidecarFiles(
  images: readonly ExportImage[],
  ctx: ExportContext,
  options: SidecarSetOptions = {},
): { files: ZipInputFile[]; clashes: SidecarClash[] } {
  const encoder = new TextEncoder();
  const owners = new Map<string, string>();
  const files: ZipInputFile[] = [];
  const clashes: SidecarClash[] = [];
  for (const image of images) {
    for (const sidecar of sidecarPaths(image, options)) {
      const key = sidecar.toLowerCase();
      const owner = owners.get(key);
      if (owner !== undefined) {
        clashes.push({ path: image.path, sidecar, keptFor: owner });
        continue;
      }
      owners.set(key, image.path);
      files.push({ path: sidecar, data: encoder.encode(toXmpSidecar(image, ctx, options)), modified: ctx.createdAt });
    }
  }
  return { files, clashes };
}
