import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLinearAestheticHead, l2normalize } from '../src/scoring/aestheticHead';
import { parseNpy } from '../src/codecs/npyRead';
import { parsePthLinear, PthFormatError } from '../src/scoring/pthLinear';

// The published head and its known answers are read in place from ../shared; they are never copied here.
const HEADS = fileURLToPath(new URL('../../shared/models/aesthetic-heads/', import.meta.url));
const HEAD_PTH = join(HEADS, 'sa_0_4_vit_b_32_linear.pth');
const HAVE_SHARED = existsSync(HEAD_PTH);
const PYTHON = '/usr/bin/python3';

// REFERENCE §4, given to 4 decimals: allow 1e-4 of arithmetic difference plus 5e-5 of rounding.
const KNOWN_SCORES = [-1.47, 0.2728, 1.99, 3.6114, 5.0874, 6.3926, 7.6682, 8.9155, 9.9166, 11.0056];
const KNOWN_TOLERANCE = 1e-4 + 5e-5;

// ------------------------------------------------------------------------ builders for synthetic files

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(d: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of d) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface ZipInput {
  name: string;
  data: Uint8Array;
  /** Written into the headers as is; the data is never actually compressed. */
  method?: number;
}

/** A stored ZIP laid out like torch's writer: data-descriptor flag set, sizes only in the central directory. */
function makeZip(files: ZipInput[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(f.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, 0x0808, true);
    lv.setUint16(8, f.method ?? 0, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0808, true);
    cv.setUint16(10, f.method ?? 0, true);
    cv.setUint32(16, crc32(f.data), true);
    cv.setUint32(20, f.data.length, true);
    cv.setUint32(24, f.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    parts.push(local, f.data);
    central.push(cd);
    offset += local.length + f.data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return concat([...parts, ...central, eocd]);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/** Pickle opcodes, protocol 2, as torch.save writes them. */
class PickleWriter {
  private readonly bytes: number[] = [];
  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
  text(s: string): this {
    const b = new TextEncoder().encode(s);
    this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0);
    this.bytes.push(...b);
    return this;
  }
  global(module: string, name: string): this {
    this.op(0x63);
    this.bytes.push(...new TextEncoder().encode(`${module}\n${name}\n`));
    return this;
  }
  int(n: number): this {
    return n < 256 ? this.op(0x4b, n) : this.op(0x4d, n & 0xff, n >> 8);
  }
  tuple(ns: number[]): this {
    this.op(0x28);
    for (const n of ns) this.int(n);
    return this.op(0x74);
  }
  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

interface FakeTensor {
  key: string;
  storage: string;
  shape: number[];
  values: number[];
}

function stateDictPickle(tensors: FakeTensor[], tweak?: (w: PickleWriter) => void): Uint8Array {
  const w = new PickleWriter().op(0x80, 2).global('collections', 'OrderedDict').op(0x29, 0x52, 0x28);
  tensors.forEach((t, i) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const stride = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    w.text(t.key).global('torch._utils', '_rebuild_tensor_v2').op(0x28);
    w.op(0x28).text('storage').global('torch', t.storage).text(String(i)).text('cpu').int(numel).op(0x74, 0x51);
    w.int(0).tuple(t.shape).tuple(stride).op(0x89).global('collections', 'OrderedDict').op(0x29, 0x52, 0x74, 0x52);
  });
  w.op(0x75);
  tweak?.(w);
  return w.op(0x2e).build();
}

function floatBytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setFloat32(i * 4, x, true));
  return out;
}

function fakeCheckpoint(tensors: FakeTensor[], opts: { tweak?: (w: PickleWriter) => void; method?: number } = {}) {
  return makeZip([
    { name: 'archive/data.pkl', data: stateDictPickle(tensors, opts.tweak), method: opts.method },
    ...tensors.map((t, i) => ({ name: `archive/data/${i}`, data: floatBytes(t.values) })),
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
  ]);
}

const W4: FakeTensor = { key: 'weight', storage: 'FloatStorage', shape: [1, 4], values: [0.5, -1.25, 2, 0.125] };
const B1: FakeTensor = { key: 'bias', storage: 'FloatStorage', shape: [1], values: [3.5] };

function npyBytes(shape: number[], values: number[], opts: { version?: number; descr?: string } = {}): Uint8Array {
  const version = opts.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${opts.descr ?? '<f4'}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pre = version === 1 ? 10 : 12;
  header += ' '.repeat(63 - ((pre + header.length) % 64)) + '\n';
  const head = new Uint8Array(pre);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const hv = new DataView(head.buffer);
  if (version === 1) hv.setUint16(8, header.length, true);
  else hv.setUint32(8, header.length, true);
  return concat([head, new TextEncoder().encode(header), floatBytes(values)]);
}

// ------------------------------------------------------------------------------------------------ tests

describe.skipIf(!HAVE_SHARED)('published LAION head (../shared)', () => {
  it('parses weight [1,512] and bias 3.4214709', () => {
    const p = parsePthLinear(readFileSync(HEAD_PTH));
    expect(p.inFeatures).toBe(512);
    expect(p.weight).toHaveLength(512);
    expect(p.bias).toBeCloseTo(3.4214709, 6);
    // SOURCES.md: the weight vector's L2 norm is 27.57.
    const norm = Math.hypot(...p.weight);
    expect(norm).toBeGreaterThan(27.565);
    expect(norm).toBeLessThan(27.575);
  });

  it('accepts an ArrayBuffer as well as a Uint8Array', () => {
    const buf = readFileSync(HEAD_PTH);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    expect(parsePthLinear(ab).bias).toBe(parsePthLinear(buf).bias);
  });

  it('scores the ten known-answer embeddings', () => {
    const head = createLinearAestheticHead(parsePthLinear(readFileSync(HEAD_PTH)));
    const batch = new Float32Array(10 * 512);
    KNOWN_SCORES.forEach((expected, i) => {
      const npy = parseNpy(readFileSync(join(HEADS, 'laion-vit_b_32_embeddings', `rating${i}.npy`)));
      expect(npy.shape).toEqual([1, 512]);
      expect(Math.abs(head.score(npy.data) - expected)).toBeLessThanOrEqual(KNOWN_TOLERANCE);
      batch.set(npy.data, i * 512);
    });
    const scores = head.scoreBatch(batch, 10);
    scores.forEach((s, i) => expect(Math.abs(s - KNOWN_SCORES[i])).toBeLessThanOrEqual(KNOWN_TOLERANCE));
  });

  it('normalises raw embeddings before scoring', () => {
    const head = createLinearAestheticHead(parsePthLinear(readFileSync(HEAD_PTH)));
    const unit = parseNpy(readFileSync(join(HEADS, 'laion-vit_b_32_embeddings', 'rating5.npy'))).data;
    // Raw image_embeds of CLIP B/32 have norms around 10; the score must not depend on that.
    const raw = unit.map((x) => x * 9.7);
    expect(head.score(raw)).toBeCloseTo(head.score(unit), 5);
    expect(Math.abs(head.score(raw) - KNOWN_SCORES[5])).toBeLessThanOrEqual(KNOWN_TOLERANCE);
  });

  it('reports a truncated download', () => {
    const bytes = readFileSync(HEAD_PTH);
    expect(() => parsePthLinear(bytes.subarray(0, 1500))).toThrow(/truncated/);
    expect(() => parsePthLinear(bytes.subarray(0, bytes.length - 30))).toThrow(PthFormatError);
  });
});

describe('parsePthLinear on synthetic checkpoints', () => {
  it('reads a well-formed checkpoint exactly', () => {
    const p = parsePthLinear(fakeCheckpoint([W4, B1]));
    expect(Array.from(p.weight)).toEqual(W4.values);
    expect(p.bias).toBe(3.5);
    expect(p.inFeatures).toBe(4);
  });

  it('rejects bytes that are not a ZIP', () => {
    expect(() => parsePthLinear(new TextEncoder().encode('definitely not a checkpoint, just text'))).toThrow(
      /not a ZIP/,
    );
    expect(() => parsePthLinear(new Uint8Array(5))).toThrow(/not a ZIP/);
  });

  it('rejects a truncated ZIP', () => {
    const full = fakeCheckpoint([W4, B1]);
    expect(() => parsePthLinear(full.subarray(0, full.length - 40))).toThrow(/truncated/);
  });

  it('rejects a corrupted entry via its CRC', () => {
    const bytes = fakeCheckpoint([W4, B1]).slice();
    // The first occurrence of the name is the local header; the weight floats follow it.
    const name = new TextEncoder().encode('archive/data/0');
    const at = Buffer.from(bytes).indexOf(Buffer.from(name)) + name.length;
    bytes[at + 3] ^= 0xff;
    expect(() => parsePthLinear(bytes)).toThrow(/CRC/);
  });

  it('refuses compressed entries with a clear message', () => {
    expect(() => parsePthLinear(fakeCheckpoint([W4, B1], { method: 8 }))).toThrow(/deflate/);
  });

  it('needs a data.pkl', () => {
    const zip = makeZip([{ name: 'archive/other.bin', data: new Uint8Array(4) }]);
    expect(() => parsePthLinear(zip)).toThrow(/data\.pkl/);
  });

  it('validates shapes', () => {
    const w24: FakeTensor = { ...W4, shape: [2, 2] };
    expect(() => parsePthLinear(fakeCheckpoint([w24, B1]))).toThrow(/weight has shape \[2, 2\]/);
    const w1d: FakeTensor = { ...W4, shape: [4] };
    expect(() => parsePthLinear(fakeCheckpoint([w1d, B1]))).toThrow(/expected \[1, N\]/);
    const b2: FakeTensor = { ...B1, shape: [2], values: [1, 2] };
    expect(() => parsePthLinear(fakeCheckpoint([W4, b2]))).toThrow(/bias has shape \[2\]/);
  });

  it('names missing keys', () => {
    expect(() => parsePthLinear(fakeCheckpoint([W4]))).toThrow(/no 'bias' \(keys: weight\)/);
  });

  it('accepts only float32 storage', () => {
    const w: FakeTensor = { ...W4, storage: 'DoubleStorage', values: [0.5, -1.25] };
    expect(() => parsePthLinear(fakeCheckpoint([w, B1]))).toThrow(/DoubleStorage, expected FloatStorage/);
  });

  it('rejects unknown opcodes and disallowed globals', () => {
    const unknown = fakeCheckpoint([W4, B1], { tweak: (w) => w.op(0x42, 0, 0, 0, 0) });
    expect(() => parsePthLinear(unknown)).toThrow(/unsupported opcode 0x42/);
    const evil = fakeCheckpoint([W4, B1], { tweak: (w) => w.global('os', 'system') });
    expect(() => parsePthLinear(evil)).toThrow(/os\.system is not allowed/);
  });

  it('rejects a pickle cut short', () => {
    const pkl = stateDictPickle([W4, B1]);
    const zip = makeZip([
      { name: 'archive/data.pkl', data: pkl.subarray(0, 60) },
      { name: 'archive/data/0', data: floatBytes(W4.values) },
    ]);
    expect(() => parsePthLinear(zip)).toThrow(PthFormatError);
  });

  it('rejects storage shorter than the tensor', () => {
    const zip = makeZip([
      { name: 'archive/data.pkl', data: stateDictPickle([W4, B1]) },
      { name: 'archive/data/0', data: floatBytes([1, 2]) },
      { name: 'archive/data/1', data: floatBytes([3]) },
    ]);
    expect(() => parsePthLinear(zip)).toThrow(/holds 8 bytes, needs 16/);
  });
});

describe('parseNpy', () => {
  it('reads v1 and v2 headers', () => {
    for (const version of [1, 2]) {
      const a = parseNpy(npyBytes([2, 3], [1, 2, 3, 4, 5, 6.5], { version }));
      expect(a.shape).toEqual([2, 3]);
      expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6.5]);
    }
    expect(parseNpy(npyBytes([3], [7, 8, 9])).shape).toEqual([3]);
  });

  it('rejects other dtypes, bad magic and short data', () => {
    expect(() => parseNpy(npyBytes([2], [1, 2], { descr: '<f8' }))).toThrow(/<f8/);
    expect(() => parseNpy(new Uint8Array(16))).toThrow(/not a \.npy/);
    const ok = npyBytes([4], [1, 2, 3, 4]);
    expect(() => parseNpy(ok.subarray(0, ok.length - 2))).toThrow(/truncated/);
  });
});

describe('linear aesthetic head', () => {
  const head = createLinearAestheticHead({ weight: Float32Array.from([3, 4]), bias: 1 });

  it('l2normalize', () => {
    expect(Array.from(l2normalize(Float32Array.from([3, 4])))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(l2normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });

  it('scores w·(x/|x|) + b', () => {
    expect(head.score(Float32Array.from([30, 40]))).toBeCloseTo(3 * 0.6 + 4 * 0.8 + 1, 6);
    expect(head.score(Float32Array.from([0, -2]))).toBeCloseTo(-4 + 1, 6);
    expect(head.score(new Float32Array(2))).toBeNaN();
  });

  it('scoreBatch matches score and checks sizes', () => {
    const s = head.scoreBatch(Float32Array.from([30, 40, 0, -2, 1, 0]), 3);
    expect(Array.from(s)).toEqual([
      Math.fround(head.score(Float32Array.from([30, 40]))),
      Math.fround(head.score(Float32Array.from([0, -2]))),
      Math.fround(head.score(Float32Array.from([1, 0]))),
    ]);
    expect(() => head.scoreBatch(new Float32Array(5), 3)).toThrow();
    expect(() => head.score(new Float32Array(3))).toThrow(/2-d/);
  });
});

describe.skipIf(!existsSync(PYTHON))('parsePthLinear against torch.save', () => {
  it('reads exactly the weights torch wrote (pickle protocols 2 and 4)', (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-pth-'));
    try {
      const script = [
        'import sys',
        'try:',
        '    import torch, numpy as np',
        'except ImportError:',
        '    sys.exit(3)',
        'd = sys.argv[1]',
        'torch.manual_seed(0)',
        'lin = torch.nn.Linear(512, 1)',
        'torch.save(lin.state_dict(), d + "/p2.pth")',
        'torch.save(lin.state_dict(), d + "/p4.pth", pickle_protocol=4)',
        'np.save(d + "/w.npy", lin.weight.detach().numpy())',
        'np.save(d + "/b.npy", lin.bias.detach().numpy())',
      ].join('\n');
      const r = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8', timeout: 60_000 });
      if (r.status === 3) ctx.skip('torch is not installed for /usr/bin/python3');
      expect(r.status, r.stderr).toBe(0);

      const w = parseNpy(readFileSync(join(dir, 'w.npy')));
      const b = parseNpy(readFileSync(join(dir, 'b.npy')));
      expect(w.shape).toEqual([1, 512]);
      for (const name of ['p2.pth', 'p4.pth']) {
        const p = parsePthLinear(readFileSync(join(dir, name)));
        expect(p.inFeatures).toBe(512);
        expect(p.weight).toEqual(w.data);
        expect(p.bias).toBe(b.data[0]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
