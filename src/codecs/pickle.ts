/**
 * A pickle reader for PyTorch state_dicts that never executes anything: a fixed set of opcodes and of
 * globals (OrderedDict, the tensor rebuild functions, the storage classes); anything else is rejected.
 */
import { PthFormatError } from './pthFormatError';


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
export interface PTensor {
  kind: 'tensor';
  storage: PStorage;
  offset: number;
  shape: number[];
  stride: number[];
}
export type PValue = null | boolean | number | string | PValue[] | PGlobal | PDict | PList | PStorage | PTensor;

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
export function unpickleStateDict(data: Uint8Array): Map<string, PValue> {
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
