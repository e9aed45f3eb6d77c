/**
 * Writer for NumPy .npy files (format version 1.0): little-endian float32 ('<f4'), C order. The counterpart of
 * parseNpy, so embeddings written by the Node tools load with a bare `numpy.load` and nothing else.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
// The format spec pads magic + version + length + header to a multiple of 64 so the data is aligned for mmap.
const ALIGN = 64;
const PREAMBLE = MAGIC.length + 2 + 2;

function shapeLiteral(shape: readonly number[]): string {
  // Python's tuple syntax: a 1-tuple needs its trailing comma, or numpy reads an int instead of a shape.
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

function checkShape(shape: readonly number[]): number {
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`toNpy: shape entry ${d} is not a non-negative integer`);
    count *= d;
  }
  return count;
}

/**
 * The header bytes (magic, version, length, dictionary, padding) for a '<f4' C-order array of this shape. Exposed
 * so a caller can stream the data after it instead of holding the whole array in memory.
 */
export function npyHeader(shape: readonly number[]): Uint8Array {
  checkShape(shape);
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeLiteral(shape)}, }`;
  // At least the terminating newline; then spaces up to the next multiple of ALIGN.
  const unpadded = PREAMBLE + dict.length + 1;
  const total = Math.ceil(unpadded / ALIGN) * ALIGN;
  const headerLen = total - PREAMBLE;
  if (headerLen > 0xffff) throw new RangeError(`toNpy: a header of ${headerLen} bytes does not fit format 1.0`);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerLen, true);
  const text = dict + ' '.repeat(total - unpadded) + '\n';
  for (let i = 0; i < text.length; i++) out[PREAMBLE + i] = text.charCodeAt(i);
  return out;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** float32 values as little-endian bytes, whatever the host's byte order. */
export function float32LeBytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

/** A complete .npy file holding `data` with the given shape (row-major). */
export function toNpy(data: Float32Array, shape: number[]): Uint8Array {
  const count = checkShape(shape);
  if (count !== data.length) {
    throw new RangeError(`toNpy: shape [${shape.join(', ')}] holds ${count} values, data has ${data.length}`);
  }
  const header = npyHeader(shape);
  const out = new Uint8Array(header.length + data.length * 4);
  out.set(header, 0);
  out.set(float32LeBytes(data), header.length);
  return out;
}
