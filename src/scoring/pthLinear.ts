/**
 * Reads the weights of one `nn.Linear(N, 1)` from a PyTorch checkpoint (`torch.save(linear.state_dict())`)
 * without Python: just enough ZIP and pickle to find two float32 tensors.
 *
 * The pickle is never executed. The interpreter below knows a fixed set of opcodes and a fixed set of globals
 * (OrderedDict, the tensor rebuild functions and the storage classes); anything else is rejected, so a
 * checkpoint from an untrusted URL cannot make it do more than fail.
 */

export interface PthLinearParams {
  /** The weight row, length `inFeatures`. */
  weight: Float32Array;
  bias: number;
  inFeatures: number;
}

import { PthFormatError } from '../codecs/pthFormatError';
import { unpickleStateDict, type PTensor, type PValue } from '../codecs/pickle';
import { entryData, readCentralDirectory, type ZipEntry } from '../codecs/zipRead';

export { PthFormatError };

function tensorOf(dict: Map<string, PValue>, key: string): PTensor {
  const v = dict.get(key);
  if (v === undefined) {
    throw new PthFormatError(`state_dict has no '${key}' (keys: ${[...dict.keys()].join(', ') || 'none'})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v.kind !== 'tensor') {
    throw new PthFormatError(`state_dict '${key}' is not a tensor`);
  }
  return v;
}

function readFloat32(
  files: Map<string, ZipEntry>,
  bytes: Uint8Array,
  prefix: string,
  t: PTensor,
  what: string,
): Float32Array {
  if (t.storage.dtype !== 'FloatStorage') {
    throw new PthFormatError(`${what} is ${t.storage.dtype}, expected FloatStorage (float32)`);
  }
  // Both expected shapes ([1, N] and [1]) are contiguous exactly when the last stride is 1.
  if (t.stride[t.stride.length - 1] !== 1) {
    throw new PthFormatError(`${what} is not contiguous (stride ${t.stride.join('x')})`);
  }
  const numel = t.shape.reduce((a, b) => a * b, 1);
  const entry = files.get(`${prefix}data/${t.storage.key}`);
  if (!entry) throw new PthFormatError(`ZIP has no ${prefix}data/${t.storage.key} for ${what}`);
  const raw = entryData(bytes, entry);
  const end = (t.offset + numel) * 4;
  if (t.offset < 0 || end > raw.length || end > t.storage.numel * 4) {
    throw new PthFormatError(`${what}: storage ${t.storage.key} holds ${raw.length} bytes, needs ${end}`);
  }
  // DataView rather than a Float32Array view: the data may be unaligned and the host big-endian.
  const dv = new DataView(raw.buffer, raw.byteOffset + t.offset * 4, numel * 4);
  const out = new Float32Array(numel);
  for (let i = 0; i < numel; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}

/**
 * Parses `torch.save(nn.Linear(N, 1).state_dict())`: `weight` [1, N] and `bias` [1], float32.
 * Throws `PthFormatError` with a description of the first thing that does not fit.
 */
export function parsePthLinear(input: ArrayBuffer | Uint8Array): PthLinearParams {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const entries = readCentralDirectory(bytes);
  const files = new Map(entries.map((e) => [e.name, e]));
  const pkl = entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pkl.length !== 1) {
    throw new PthFormatError(
      pkl.length === 0 ? 'ZIP holds no <name>/data.pkl: not a PyTorch checkpoint' : 'ZIP holds several data.pkl',
    );
  }
  const prefix = pkl[0].name.slice(0, -'data.pkl'.length);
  const order = files.get(`${prefix}byteorder`);
  if (order) {
    const text = new TextDecoder().decode(entryData(bytes, order)).trim();
    if (text !== 'little') throw new PthFormatError(`checkpoint byte order is '${text}', only 'little' is supported`);
  }

  const dict = unpickleStateDict(entryData(bytes, pkl[0]));
  const w = tensorOf(dict, 'weight');
  const b = tensorOf(dict, 'bias');
  if (w.shape.length !== 2 || w.shape[0] !== 1 || w.shape[1] < 1) {
    throw new PthFormatError(`weight has shape [${w.shape.join(', ')}], expected [1, N] (nn.Linear(N, 1))`);
  }
  if (b.shape.length !== 1 || b.shape[0] !== 1) {
    throw new PthFormatError(`bias has shape [${b.shape.join(', ')}], expected [1]`);
  }
  const weight = readFloat32(files, bytes, prefix, w, 'weight');
  const bias = readFloat32(files, bytes, prefix, b, 'bias')[0];
  return { weight, bias, inFeatures: w.shape[1] };
}
