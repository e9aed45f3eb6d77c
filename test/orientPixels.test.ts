/** A RAW preview's orientation applied by the CLI moves pixels exactly as sharp's EXIF auto-orientation does. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { orientPixels } from '../cli/lib/orientPixels';

describe('orientPixels', () => {
  it('matches sharp.rotate() on a 5×3 image for all 8 EXIF orientations', async () => {
    const w = 5;
    const h = 3;
    const stored = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 251);
    const png = await sharp(stored, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    for (let o = 1; o <= 8; o++) {
      const tagged = await sharp(png).withMetadata({ orientation: o }).png().toBuffer();
      const { data, info } = await sharp(tagged).rotate().raw().toBuffer({ resolveWithObject: true });
      const mine = orientPixels({ data: stored, width: w, height: h, channels: 3 }, o);
      expect([mine.width, mine.height], `orientation ${o}`).toEqual([info.width, info.height]);
      expect(Array.from(mine.data), `orientation ${o}`).toEqual(Array.from(data));
    }
  });
});
