/**
 * ICO and CUR files decoded as Chromium decodes them, for the CLI (sharp reads neither): the best entry
 * (src/library/icoDirectory.ts), which is either a PNG, decoded by `decodePng` as the CLI decodes PNG files, or
 * a BMP without its file header, whose AND mask makes pixels transparent (decodeBmp.ts). Like Chromium, the PNG
 * is read from the entry's offset to the end of the file, and its size must match the directory's.
 */
import type { PixelSource } from '../../src/engine/preprocess';
import { bestIcoEntry, readIcoDirectory } from '../../src/library/icoDirectory';
import { BmpError, decodeDib } from './decodeBmp';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

export async function decodeIco(file: Uint8Array, decodePng: (png: Uint8Array) => Promise<PixelSource>): Promise<PixelSource> {
  const entry = bestIcoEntry(readIcoDirectory(file) ?? []);
  if (!entry) throw new BmpError('the icon directory is damaged');
  if (entry.offset + 4 > file.length) throw new BmpError("the icon's image lies past the end of the file");
  if (!PNG_MAGIC.every((v, i) => file[entry.offset + i] === v)) {
    return { ...decodeDib(file, { headerOffset: entry.offset, dataOffset: 0, ico: { width: entry.width, height: entry.height } }), channels: 4 };
  }
  const png = await decodePng(file.subarray(entry.offset));
  if (png.width !== entry.width || png.height !== entry.height) throw new BmpError("the icon's PNG size does not match its directory");
  return png;
}
