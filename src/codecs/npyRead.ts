/**
 * Reader for NumPy .npy files holding little-endian float32 (`<f4`), C order: the known-answer embeddings
 * of the aesthetic head and arrays written by Python tools.
 */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

export class NpyFormatError extends Error {
  override name = 'NpyFormatError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function parseNpy(input: ArrayBuffer | Uint8Array): NpyArray {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyFormatError('not a .npy file');
  const major = bytes[6];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError('.npy header truncated');
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyFormatError(`.npy format version ${major} is not supported`);
  }
  if (start + headerLen > bytes.length) throw new NpyFormatError('.npy header truncated');
  // v3 only differs by allowing UTF-8 in the header; latin1 and UTF-8 agree on everything parsed below.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  if (descr !== '<f4') throw new NpyFormatError(`.npy dtype ${descr ?? '?'} is not supported (need '<f4')`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) throw new NpyFormatError('.npy header has no fortran_order');
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new NpyFormatError('.npy header has no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw new NpyFormatError(`.npy shape entry '${s}' is not an integer`);
      return Number.parseInt(s, 10);
    });
  // Fortran order only changes the layout when two or more axes are longer than 1.
  if (fortran === 'True' && shape.filter((d) => d > 1).length > 1) {
    throw new NpyFormatError('Fortran-ordered .npy arrays are not supported');
  }

  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (dataStart + count * 4 > bytes.length) {
    throw new NpyFormatError(`.npy data truncated: need ${count * 4} bytes, have ${bytes.length - dataStart}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset + dataStart, count * 4);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = dv.getFloat32(i * 4, true);
  return { shape, data };
}
