/**
 * src/scoring/taste/tagHeadOnnx.ts: the ONNX the app writes for a tag head runs in onnxruntime-node with
 * PyTorch's scores (test/fixtures/taste-head-small.json, from scripts/make_taste_fixtures.py), keeps N
 * dynamic, runs on onnxruntime-web's WASM EP too, passes onnx's full checker, and uses only ops of
 * onnxruntime-web's WebGPU table. A full-size head is compared with the plain-TypeScript reference forward
 * in test/helpers/tagHeadReference.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { tagHeadToOnnx } from '../src/scoring/taste/tagHeadOnnx';
import { DEFAULT_TAG_HEAD, tagHeadParamShapes, type TagHeadHparams, type TagHeadWeights } from '../src/scoring/taste/tagHeadSpec';
import { mulberry32 as rng } from '../src/scoring/mulberry32';
import { tagHeadReference } from './helpers/tagHeadReference';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = '/usr/bin/python3';
const WEBGPU_OPS_DOC = join(ROOT, 'node_modules/onnxruntime-web/docs/webgpu-operators.md');
// training/export_onnx.py's list, for when the onnxruntime-web docs are not installed.
const FALLBACK_WEBGPU_OPS = [
  'Add', 'Sub', 'Mul', 'Div', 'MatMul', 'Gemm', 'Reshape', 'Transpose', 'Softmax', 'LayerNormalization',
  'Erf', 'Sqrt', 'Pow', 'ReduceMean', 'Relu', 'Tanh', 'Sigmoid', 'Squeeze', 'Unsqueeze', 'Concat', 'Gather',
  'Flatten', 'Shape', 'Cast',
];

interface Fixture {
  hparams: TagHeadHparams;
  weights: Record<string, number[]>;
  n: number;
  images: number[];
  tags: number[];
  scores: number[];
}

const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/taste-head-small.json'), 'utf8')) as Fixture;
const smallWeights: TagHeadWeights = Object.fromEntries(
  Object.entries(fixture.weights).map(([k, v]) => [k, Float32Array.from(v)]),
);

/** PyTorch-like init (uniform ±1/√fan_in), LayerNorm moved off 1 and 0, the final bias at 5.5. */
function randomHead(h: TagHeadHparams, seed: number): TagHeadWeights {
  const u = rng(seed);
  const w: TagHeadWeights = {};
  let fanIn = 1; // a Linear's bias follows its [out, in] weight in the list
  for (const [name, shape] of tagHeadParamShapes(h)) {
    const isNorm = name.startsWith('norm_');
    const isWeight = name.endsWith('.weight');
    if (isWeight && !isNorm) fanIn = shape[1];
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) {
      const x = 2 * u() - 1;
      values[i] = isNorm ? (isWeight ? 1 + 0.3 * x : 0.2 * x) : x / Math.sqrt(fanIn);
    }
    w[name] = values;
  }
  w['mlp.3.bias'][0] = 5.5;
  return w;
}

function unitRows(n: number, dim: number, seed: number): Float32Array {
  const u = rng(seed);
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += (out[r * dim + i] = 2 * u() - 1) ** 2;
    for (let i = 0; i < dim; i++) out[r * dim + i] /= Math.sqrt(norm);
  }
  return out;
}

async function score(session: ort.InferenceSession, images: Float32Array, tags: Float32Array, n: number, dim: number): Promise<Float32Array> {
  const res = await session.run({
    image_embeds: new ort.Tensor('float32', images.subarray(0, n * dim), [n, dim]),
    tag_embeds: new ort.Tensor('float32', tags.subarray(0, n * dim), [n, dim]),
  });
  expect(res.score.dims).toEqual([n]);
  return res.score.data as Float32Array;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>, n = a.length) => {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('tag head reference forward (test helper)', () => {
  it('matches PyTorch on the small fixture within 1e-5', () => {
    const ref = tagHeadReference(smallWeights, fixture.hparams, Float32Array.from(fixture.images), Float32Array.from(fixture.tags), fixture.n);
    expect(maxAbsDiff(ref, fixture.scores)).toBeLessThanOrEqual(1e-5);
  });
});

describe('tagHeadToOnnx', () => {
  it('runs in onnxruntime-node with PyTorch scores, for N = 6 and N = 1', async () => {
    const session = await ort.InferenceSession.create(tagHeadToOnnx(smallWeights, fixture.hparams));
    try {
      const images = Float32Array.from(fixture.images);
      const tags = Float32Array.from(fixture.tags);
      const dim = fixture.hparams.embedDim;
      const all = await score(session, images, tags, fixture.n, dim);
      expect(maxAbsDiff(all, fixture.scores)).toBeLessThanOrEqual(1e-5);
      const one = await score(session, images, tags, 1, dim);
      expect(Math.abs(one[0] - fixture.scores[0])).toBeLessThanOrEqual(1e-5);
    } finally {
      await session.release();
    }
  });

  it("runs on onnxruntime-web's WASM EP (its node build) with the same scores", async () => {
    ortWeb.env.wasm.numThreads = 1;
    const session = await ortWeb.InferenceSession.create(tagHeadToOnnx(smallWeights, fixture.hparams), { executionProviders: ['wasm'] });
    try {
      const dim = fixture.hparams.embedDim;
      const res = await session.run({
        image_embeds: new ortWeb.Tensor('float32', Float32Array.from(fixture.images), [fixture.n, dim]),
        tag_embeds: new ortWeb.Tensor('float32', Float32Array.from(fixture.tags), [fixture.n, dim]),
      });
      expect(res.score.dims).toEqual([fixture.n]);
      expect(maxAbsDiff(res.score.data as Float32Array, fixture.scores)).toBeLessThanOrEqual(1e-5);
    } finally {
      await session.release();
    }
  });

  it('writes a full-size head with the export_onnx.py I/O that agrees with the reference forward', async () => {
    const h = DEFAULT_TAG_HEAD;
    const weights = randomHead(h, 42);
    const bytes = tagHeadToOnnx(weights, h, { producer: 'loupe-test', docString: 'seeded', metadata: { seed: '42' } });
    const session = await ort.InferenceSession.create(bytes);
    try {
      expect(session.inputNames).toEqual(['image_embeds', 'tag_embeds']);
      expect(session.outputNames).toEqual(['score']);
      const meta = [...session.inputMetadata, ...session.outputMetadata].map((m) =>
        m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name },
      );
      expect(meta).toEqual([
        { name: 'image_embeds', type: 'float32', shape: ['N', 512] },
        { name: 'tag_embeds', type: 'float32', shape: ['N', 512] },
        { name: 'score', type: 'float32', shape: ['N'] },
      ]);
      const n = 5;
      const images = unitRows(n, h.embedDim, 1);
      const tags = unitRows(n, h.embedDim, 2);
      const got = await score(session, images, tags, n, h.embedDim);
      const ref = tagHeadReference(weights, h, images, tags, n);
      expect(maxAbsDiff(got, ref)).toBeLessThanOrEqual(1e-4);
      // Rows are independent: a batch of one gives row 0's score.
      const one = await score(session, images, tags, 1, h.embedDim);
      expect(Math.abs(one[0] - got[0])).toBeLessThanOrEqual(1e-6);
    } finally {
      await session.release();
    }
  });

  it('surfaces validateTagHead errors', () => {
    const { ['norm_kv.bias']: _dropped, ...missing } = smallWeights;
    expect(() => tagHeadToOnnx(missing, fixture.hparams)).toThrow(/missing parameter norm_kv\.bias/);
    const short = { ...smallWeights, 'q.weight': new Float32Array(3) };
    expect(() => tagHeadToOnnx(short, fixture.hparams)).toThrow(/q\.weight has 3 values/);
    expect(() => tagHeadToOnnx(smallWeights, { ...fixture.hparams, heads: 3 })).toThrow(/multiple of heads/);
  });
});

const CHECK_MODEL = `
import json, sys
import onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
print(json.dumps({
  'ops': sorted({n.op_type for n in m.graph.node}), 'nodes': len(m.graph.node), 'ir': m.ir_version,
  'opsets': {o.domain: o.version for o in m.opset_import}, 'producer': m.producer_name,
  'metadata': {p.key: p.value for p in m.metadata_props},
  'inputs': {v.name: dims(v) for v in m.graph.input}, 'outputs': {v.name: dims(v) for v in m.graph.output},
}))
`;

const onnxMissing = !existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import onnx'], { timeout: 60_000 }).status !== 0;

describe.skipIf(onnxMissing)('tagHeadToOnnx, read back by python onnx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-tag-head-onnx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes onnx.checker full_check and uses only WebGPU-table ops', () => {
    const file = join(dir, 'head.onnx');
    writeFileSync(file, tagHeadToOnnx(smallWeights, fixture.hparams, { producer: 'loupe-test', metadata: { a: 'b' } }));
    const r = spawnSync(PYTHON, ['-c', CHECK_MODEL, file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as {
      ops: string[];
      nodes: number;
      ir: number;
      opsets: Record<string, number>;
      producer: string;
      metadata: Record<string, string>;
      inputs: Record<string, (string | number)[]>;
      outputs: Record<string, (string | number)[]>;
    };
    expect(info.ir).toBe(8);
    expect(info.opsets).toEqual({ '': 17 });
    expect(info.producer).toBe('loupe-test');
    expect(info.metadata).toEqual({ a: 'b' });
    expect(info.inputs).toEqual({ image_embeds: ['N', 16], tag_embeds: ['N', 16] });
    expect(info.outputs).toEqual({ score: ['N'] });
    const supported = existsSync(WEBGPU_OPS_DOC)
      ? new Set([...readFileSync(WEBGPU_OPS_DOC, 'utf8').matchAll(/^\|\s*([A-Za-z0-9]+)\s*\|\s*ai\.onnx/gm)].map((m) => m[1]))
      : new Set(FALLBACK_WEBGPU_OPS);
    expect(info.ops.filter((op) => !supported.has(op))).toEqual([]);
    expect(info.ops).toContain('LayerNormalization');
    console.log(`tag head graph: ${info.nodes} nodes, ops ${info.ops.join(', ')}`);
  });
});
