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

export class PthFormatError extends Error {
  override name = 'PthFormatError';
}

// ------------------------------------------------------------------------------------------------ ZIP

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

function u64(view: DataView, offset: number): number {
  const v = view.getBigUint64(offset, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PthFormatError('ZIP: 64-bit size or offset out of range');
  return Number(v);
}

function checkRange(bytes: Uint8Array, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > bytes.length) {
    throw new PthFormatError(`ZIP: ${what} lies beyond the end of the file (truncated download?)`);
  }
}

function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView): number {
  // The record is 22 bytes plus a comment of up to 65535 bytes, so it sits within the last 65557 bytes.
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (view.getUint32(i, true) === SIG_EOCD) return i;
  }
  if (bytes.length >= 4 && view.getUint32(0, true) === SIG_LOCAL) {
    throw new PthFormatError('ZIP: end-of-central-directory record not found (truncated file?)');
  }
  throw new PthFormatError('not a ZIP file: PyTorch checkpoints saved since torch 1.6 are ZIP archives');
}

function readCentralDirectory(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 22) throw new PthFormatError(`not a ZIP file: only ${bytes.length} bytes`);
  const eocd = findEndOfCentralDirectory(bytes, view);
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: torch writes it for large checkpoints; the locator sits right before the classic record.
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== SIG_EOCD64_LOCATOR) {
      throw new PthFormatError('ZIP64: end-of-central-directory locator missing');
    }
    const rec = u64(view, loc + 8);
    checkRange(bytes, rec, 56, 'ZIP64 end-of-central-directory record');
    if (view.getUint32(rec, true) !== SIG_EOCD64) throw new PthFormatError('ZIP64: bad end-of-central-directory record');
    count = u64(view, rec + 32);
    cdSize = u64(view, rec + 40);
    cdOffset = u64(view, rec + 48);
  }
  checkRange(bytes, cdOffset, cdSize, 'central directory');

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    checkRange(bytes, p, 46, 'central directory entry');
    if (view.getUint32(p, true) !== SIG_CENTRAL) throw new PthFormatError(`ZIP: bad central directory entry ${i}`);
    const method = view.getUint16(p + 10, true);
    const crc32 = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    checkRange(bytes, p + 46, nameLen + extraLen + commentLen, 'central directory entry');
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));

    // ZIP64 extra field: the 64-bit values appear, in this order, only for fields saturated at 0xffffffff.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) throw new PthFormatError(`ZIP64: short extra field for ${name}`);
          const v = u64(view, q);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, crc32, localHeaderOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}

let crcTable: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The bytes of a stored entry. Sizes come from the central directory because torch sets the data-descriptor
 * flag and leaves the local header's sizes at zero.
 */
function entryData(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  if (entry.method !== 0) {
    const how = entry.method === 8 ? 'deflate-compressed' : `compressed with method ${entry.method}`;
    throw new PthFormatError(
      `ZIP entry ${entry.name} is ${how}; PyTorch writes checkpoints uncompressed and only stored entries are supported`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkRange(bytes, entry.localHeaderOffset, 30, `local header of ${entry.name}`);
  if (view.getUint32(entry.localHeaderOffset, true) !== SIG_LOCAL) {
    throw new PthFormatError(`ZIP: bad local header for ${entry.name}`);
  }
  const nameLen = view.getUint16(entry.localHeaderOffset + 26, true);
  const extraLen = view.getUint16(entry.localHeaderOffset + 28, true);
  const start = entry.localHeaderOffset + 30 + nameLen + extraLen;
  checkRange(bytes, start, entry.size, `data of ${entry.name}`);
  const data = bytes.subarray(start, start + entry.size);
  if (crc32(data) !== entry.crc32) throw new PthFormatError(`ZIP: CRC mismatch in ${entry.name} (corrupt file?)`);
  return data;
}

// --------------------------------------------------------------------------------------------- pickle

interface PGlobal {
  kind: 'global';
  module: string;
  name: string;
}
interface PDict {
  kind: 'dict';
  map: Map<string, PValue>;
}
interface PList {
  kind: 'list';
  items: PValue[];
}
interface PStorage {
  kind: 'storage';
  dtype: string;
  key: string;
  numel: number;
}
interface PTensor {
  kind: 'tensor';
  storage: PStorage;
  offset: number;
  shape: number[];
  stride: number[];
}
type PValue = null | boolean | number | string | PValue[] | PGlobal | PDict | PList | PStorage | PTensor;

/** Marks the stack position of MARK; never a value. */
const MARK: unique symbol = Symbol('mark');
type StackItem = PValue | typeof MARK;

const STORAGE_DTYPES: Record<string, number> = {
  FloatStorage: 4,
  DoubleStorage: 8,
  HalfStorage: 2,
  BFloat16Storage: 2,
  LongStorage: 8,
  IntStorage: 4,
  ShortStorage: 2,
  CharStorage: 1,
  ByteStorage: 1,
  BoolStorage: 1,
};

function isGlobal(v: PValue, module: string, name?: string): v is PGlobal {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'global' &&
    v.module === module && (name === undefined || v.name === name);
}

function describe(v: StackItem): string {
  if (v === MARK) return 'MARK';
  if (v === null) return 'None';
  if (Array.isArray(v)) return `tuple(${v.length})`;
  if (typeof v === 'object') return v.kind === 'global' ? `${v.module}.${v.name}` : v.kind;
  return JSON.stringify(v);
}

function asInt(v: PValue, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new PthFormatError(`pickle: ${what} is not an integer`);
  return v;
}

function asIntTuple(v: PValue, what: string): number[] {
  if (!Array.isArray(v)) throw new PthFormatError(`pickle: ${what} is not a tuple`);
  return v.map((x, i) => asInt(x, `${what}[${i}]`));
}

function persistentLoad(pid: PValue): PStorage {
  // torch's zip format: ('storage', storage_type, key, location, numel)
  if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
    throw new PthFormatError(`pickle: unsupported persistent id ${describe(pid)}`);
  }
  const [, type, key, , numel] = pid;
  if (!isGlobal(type, 'torch') || !(type.name in STORAGE_DTYPES)) {
    throw new PthFormatError(`pickle: unsupported storage type ${describe(type)}`);
  }
  if (typeof key !== 'string') throw new PthFormatError('pickle: storage key is not a string');
  return { kind: 'storage', dtype: type.name, key, numel: asInt(numel, 'storage size') };
}

function reduce(fn: PValue, args: PValue): PValue {
  if (!Array.isArray(args)) throw new PthFormatError('pickle: REDUCE arguments are not a tuple');
  if (isGlobal(fn, 'collections', 'OrderedDict')) {
    if (args.length !== 0) throw new PthFormatError('pickle: OrderedDict with arguments is not supported');
    return { kind: 'dict', map: new Map() };
  }
  if (isGlobal(fn, 'torch._utils', '_rebuild_tensor_v2')) {
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    const [storage, offset, shape, stride] = args;
    if (typeof storage !== 'object' || storage === null || Array.isArray(storage) || storage.kind !== 'storage') {
      throw new PthFormatError('pickle: tensor without a storage');
    }
    return {
      kind: 'tensor',
      storage,
      offset: asInt(offset, 'storage offset'),
      shape: asIntTuple(shape, 'tensor size'),
      stride: asIntTuple(stride, 'tensor stride'),
    };
  }
  if (isGlobal(fn, 'torch._utils', '_rebuild_parameter')) {
    // (tensor, requires_grad, backward_hooks): a Parameter is its tensor for our purpose.
    const t = args[0];
    if (typeof t !== 'object' || t === null || Array.isArray(t) || t.kind !== 'tensor') {
      throw new PthFormatError('pickle: parameter without a tensor');
    }
    return t;
  }
  throw new PthFormatError(`pickle: call of unsupported callable ${describe(fn)}`);
}

const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

/** Interprets the pickle far enough to return its top-level object (the state_dict). */
function unpickleStateDict(data: Uint8Array): Map<string, PValue> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stack: StackItem[] = [];
  const memo = new Map<number, PValue>();
  let p = 0;

  const need = (n: number): void => {
    if (p + n > data.length) throw new PthFormatError('pickle: data ends in the middle of an opcode (truncated?)');
  };
  const pop = (): PValue => {
    const v = stack.pop();
    if (v === undefined) throw new PthFormatError('pickle: stack underflow');
    if (v === MARK) throw new PthFormatError('pickle: unexpected MARK');
    return v;
  };
  const top = (): PValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new PthFormatError('pickle: stack underflow');
    return v;
  };
  const popMark = (): PValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new PthFormatError('pickle: no MARK on the stack');
    const items = stack.splice(i) as StackItem[];
    return items.slice(1) as PValue[];
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, p);
    if (end < 0) throw new PthFormatError('pickle: unterminated text argument');
    const s = decoder.decode(data.subarray(p, end));
    p = end + 1;
    return s;
  };
  const str = (n: number): string => {
    need(n);
    const s = decoder.decode(data.subarray(p, p + n));
    p += n;
    return s;
  };
  const global = (module: string, name: string): PGlobal => {
    if (!ALLOWED_GLOBALS.has(`${module}.${name}`)) {
      throw new PthFormatError(`pickle: global ${module}.${name} is not allowed in a linear-head checkpoint`);
    }
    return { kind: 'global', module, name };
  };
  const setItems = (dict: PValue, kv: PValue[]): void => {
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict) || dict.kind !== 'dict') {
      throw new PthFormatError('pickle: SETITEM(S) on something that is not a dict');
    }
    for (let i = 0; i + 1 < kv.length; i += 2) {
      const k = kv[i];
      if (typeof k !== 'string') throw new PthFormatError(`pickle: dict key ${describe(k)} is not a string`);
      dict.map.set(k, kv[i + 1]);
    }
  };

  for (;;) {
    need(1);
    const at = p;
    const op = data[p++];
    switch (op) {
      case 0x80: // PROTO
        need(1);
        if (data[p] > 5) throw new PthFormatError(`pickle: protocol ${data[p]} is not supported`);
        p += 1;
        break;
      case 0x95: // FRAME (protocol 4): the length is only a read-ahead hint
        need(8);
        p += 8;
        break;
      case 0x2e: { // STOP
        const result = pop();
        if (typeof result !== 'object' || result === null || Array.isArray(result) || result.kind !== 'dict') {
          throw new PthFormatError(`checkpoint is not a state_dict (top-level object is ${describe(result)})`);
        }
        return result.map;
      }
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: 'dict', map: new Map() });
        break;
      case 0x5d: // EMPTY_LIST
        stack.push({ kind: 'list', items: [] });
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        need(1);
        stack.push(data[p]);
        p += 1;
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(p, true));
        p += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(p, true));
        p += 4;
        break;
      case 0x8a: { // LONG1: little-endian two's complement of n bytes
        need(1);
        const n = data[p++];
        need(n);
        if (n > 6) throw new PthFormatError('pickle: integer too large');
        let v = 0;
        for (let i = n - 1; i >= 0; i--) v = v * 256 + data[p + i];
        if (n > 0 && data[p + n - 1] & 0x80) v -= 2 ** (8 * n);
        p += n;
        stack.push(v);
        break;
      }
      case 0x47: // BINFLOAT: big-endian double
        need(8);
        stack.push(view.getFloat64(p, false));
        p += 8;
        break;
      case 0x58: { // BINUNICODE
        need(4);
        const n = view.getUint32(p, true);
        p += 4;
        stack.push(str(n));
        break;
      }
      case 0x8c: { // SHORT_BINUNICODE
        need(1);
        const n = data[p++];
        stack.push(str(n));
        break;
      }
      case 0x63: { // GLOBAL: "module\nname\n"
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') {
          throw new PthFormatError('pickle: STACK_GLOBAL needs two strings');
        }
        stack.push(global(module, name));
        break;
      }
      case 0x71: // BINPUT
        need(1);
        memo.set(data[p++], top());
        break;
      case 0x72: // LONG_BINPUT
        need(4);
        memo.set(view.getUint32(p, true), top());
        p += 4;
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: { // LONG_BINGET
        const long = op === 0x6a;
        need(long ? 4 : 1);
        const idx = long ? view.getUint32(p, true) : data[p];
        p += long ? 4 : 1;
        const v = memo.get(idx);
        if (v === undefined) throw new PthFormatError(`pickle: memo ${idx} is not set`);
        stack.push(v);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistentLoad(pop()));
        break;
      case 0x52: { // REDUCE
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case 0x62: { // BUILD: only OrderedDict's `_metadata` attribute reaches here; it holds no weights
        pop();
        const obj = top();
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || obj.kind !== 'dict') {
          throw new PthFormatError(`pickle: BUILD on ${describe(obj)} is not supported`);
        }
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x61: { // APPEND
        const v = pop();
        const list = top();
        if (typeof list !== 'object' || list === null || Array.isArray(list) || list.kind !== 'list') {
          throw new PthFormatError('pickle: APPEND on something that is not a list');
        }
        list.items.push(v);
        break;
      }
      case 0x65: { // APPENDS
        const vs = popMark();
        const list = top();
        if (typeof list !== 'object' || list === null || Array.isArray(list) || list.kind !== 'list') {
          throw new PthFormatError('pickle: APPENDS on something that is not a list');
        }
        list.items.push(...vs);
        break;
      }
      default:
        throw new PthFormatError(
          `pickle: unsupported opcode 0x${op.toString(16).padStart(2, '0')} ` +
            `('${String.fromCharCode(op)}') at byte ${at}`,
        );
    }
  }
}

// ------------------------------------------------------------------------------------------ assembly

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
