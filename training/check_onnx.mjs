// Loads an exported tag head with onnxruntime-node and checks it against PyTorch (the last link of
// `npm run train:smoke`). Usage: node training/check_onnx.mjs <model folder>   (reads <folder>/heads/).
// Checks: graph I/O names, element types and shapes (dynamic N), the head.json digest, and
// max |ORT − PyTorch| ≤ parity.json's tolerance (1e-5) on its seeded unit-length inputs, at N = all rows
// and N = 1. Prints one JSON line; exits 1 on any failure.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node training/check_onnx.mjs <model folder>');
  process.exit(2);
}
const heads = join(dir, 'heads');
const head = JSON.parse(readFileSync(join(heads, 'head.json'), 'utf8'));
const parity = JSON.parse(readFileSync(join(heads, 'parity.json'), 'utf8'));
const bytes = readFileSync(join(dir, head.path));
const failures = [];
if (bytes.length !== head.bytes) failures.push(`bytes ${bytes.length} ≠ head.json ${head.bytes}`);
if (createHash('sha256').update(bytes).digest('hex') !== head.sha256) failures.push('sha256 differs from head.json');

const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
const io = (meta) => meta.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? m.shape : [] }));
const inputs = io(session.inputMetadata);
const outputs = io(session.outputMetadata);
const expectIn = JSON.stringify([
  { name: 'image_embeds', type: 'float32', shape: ['N', 512] },
  { name: 'tag_embeds', type: 'float32', shape: ['N', 512] },
]);
const expectOut = JSON.stringify([{ name: 'score', type: 'float32', shape: ['N'] }]);
if (JSON.stringify(inputs) !== expectIn) failures.push(`inputs ${JSON.stringify(inputs)}`);
if (JSON.stringify(outputs) !== expectOut) failures.push(`outputs ${JSON.stringify(outputs)}`);

async function run(n) {
  const d = parity.dim;
  const out = await session.run({
    image_embeds: new ort.Tensor('float32', Float32Array.from(parity.image_embeds.slice(0, n * d)), [n, d]),
    tag_embeds: new ort.Tensor('float32', Float32Array.from(parity.tag_embeds.slice(0, n * d)), [n, d]),
  });
  if (JSON.stringify(out.score.dims) !== JSON.stringify([n])) failures.push(`score dims ${out.score.dims} for N = ${n}`);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(out.score.data[i] - parity.score[i]));
  return max;
}
const maxAbsDiff = await run(parity.n);
const maxAbsDiffN1 = await run(1);
if (!(maxAbsDiff <= parity.tolerance) || !(maxAbsDiffN1 <= parity.tolerance)) {
  failures.push(`parity ${maxAbsDiff} / ${maxAbsDiffN1} above ${parity.tolerance}`);
}
await session.release();
console.log(JSON.stringify({ ok: failures.length === 0, onnx: head.path, rows: parity.n, maxAbsDiff, maxAbsDiffN1, inputs, outputs, failures }));
process.exit(failures.length === 0 ? 0 : 1);
