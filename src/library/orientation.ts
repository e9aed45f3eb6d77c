/**
 * EXIF orientation applied by hand, for pixels whose decoder did not see it: a RAW's embedded preview (the
 * orientation is the RAW's, and is stripped from the preview first so it is never applied twice).
 */

/** Orientations 5–8 swap width and height. */
export function swapsSides(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

/**
 * The canvas transform (a, b, c, d, e, f) that draws a `w`×`h` image upright for EXIF `orientation`
 * (1: as stored; 2: mirrored; 3: 180°; 4: flipped; 5: transposed; 6: 90° clockwise; 7: transversed;
 * 8: 90° counter-clockwise).
 */
export function orientationTransform(orientation: number, w: number, h: number): [number, number, number, number, number, number] {
  switch (orientation) {
    case 2: return [-1, 0, 0, 1, w, 0];
    case 3: return [-1, 0, 0, -1, w, h];
    case 4: return [1, 0, 0, -1, 0, h];
    case 5: return [0, 1, 1, 0, 0, 0];
    case 6: return [0, 1, -1, 0, h, 0];
    case 7: return [0, -1, -1, 0, h, w];
    case 8: return [0, -1, 1, 0, 0, w];
    default: return [1, 0, 0, 1, 0, 0];
  }
}

/** `bitmap` drawn upright; the input is closed when a new bitmap is made. */
export function orientBitmap(bitmap: ImageBitmap, orientation: number): ImageBitmap {
  if (orientation <= 1 || orientation > 8) return bitmap;
  const { width: w, height: h } = bitmap;
  const swap = swapsSides(orientation);
  const canvas = new OffscreenCanvas(swap ? h : w, swap ? w : h);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas in this worker');
  ctx.setTransform(...orientationTransform(orientation, w, h));
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas.transferToImageBitmap();
}
