/**
 * How a tool finds the sidecar of IMG_0012.JPG:
 * - 'append' → IMG_0012.JPG.xmp: darktable (always) and digiKam (its default, "keep image extension").
 * - 'replace' → IMG_0012.xmp: Lightroom Classic, Bridge/Camera Raw, Capture One, and digiKam with that box
 *   unticked. Lightroom reads sidecars only for proprietary raw files; for JPEG, PNG, TIFF and DNG it reads the
 *   XMP inside the file, so no sidecar reaches it for the formats a browser can decode.
 * The default is therefore 'append', which every tool that reads a JPEG's sidecar looks for. A RAW's sidecar
 * (sidecars.ts) defaults to 'replace' instead: Lightroom Classic reads only that name for IMG_0012.CR2.
 */
export type SidecarNaming = 'append' | 'replace';

/**
 * The sidecar's path next to its image. The folder part is kept so that wedding/IMG_1.JPG and party/IMG_1.JPG
 * get separate sidecars in a zip.
 */
export function sidecarName(path: string, naming: SidecarNaming = 'append'): string {
  if (naming === 'append') return `${path}.xmp`;
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  // A dot at the start of the file name marks a hidden file, not an extension.
  const hasExtension = dot > slash + 1;
  return `${hasExtension ? path.slice(0, dot) : path}.xmp`;
}
