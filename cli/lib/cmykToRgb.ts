/**
 * CMYK (and YCCK) JPEG pixels as Chromium shows them. Chromium asks libjpeg for CMYK and converts it itself,
 * without a colour profile, assuming Adobe's inverted samples whatever the file says:
 * R = ⌊C′·K′ / 255⌋ (C′, K′ the stored, inverted values; integer division). libvips (sharp) hands CMYK over
 * un-inverted (255 − stored) with or without the Adobe marker (checked: the same file with and without APP14
 * gives the same values), so C′ = 255 − C here. sharp's own CMYK → sRGB conversion goes through an ICC profile:
 * inputs up to 127 levels from the app's, embeddings at cosine 0.92–0.98 with the test model (0.88 reported
 * with the real one).
 */
export function cmykToRgb(cmyk: Uint8Array, pixels: number): Uint8Array {
  if (cmyk.length < pixels * 4) throw new RangeError(`${cmyk.length} bytes for ${pixels} CMYK pixels`);
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const k = 255 - cmyk[i * 4 + 3];
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.floor(((255 - cmyk[i * 4 + c]) * k) / 255);
  }
  return rgb;
}
