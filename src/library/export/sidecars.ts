import { sidecarName, type SidecarNaming } from './sidecarName';
import type { ExportContext, ExportImage } from './types';
import { toXmpSidecar, type XmpOptions } from './xmp';
import type { ZipInputFile } from '../../codecs/zipWrite';

export interface SidecarSetOptions extends XmpOptions {
  naming?: SidecarNaming;
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
    const sidecar = sidecarName(image.path, options.naming);
    const key = sidecar.toLowerCase();
    const owner = owners.get(key);
    if (owner !== undefined) {
      clashes.push({ path: image.path, sidecar, keptFor: owner });
      continue;
    }
    owners.set(key, image.path);
    files.push({ path: sidecar, data: encoder.encode(toXmpSidecar(image, ctx, options)), modified: ctx.createdAt });
  }
  return { files, clashes };
}
