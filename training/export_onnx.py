"""Export a trained tag head to ONNX for the app (src/scoring/tagHead.ts runs it in the inference worker).

Graph I/O (fixed; the app and test/trainSmoke.test.ts rely on it):
  image_embeds float32 [N, 512]  L2-NORMALIZED CLIP image embeddings
  tag_embeds   float32 [N, 512]  L2-NORMALIZED CLIP text embedding of the tag, one row per image
  score        float32 [N]       on the 1–10 mean-score scale (unbounded)
N is dynamic. Opset 17 (LayerNormalization is one op there). Every op of the graph must appear in
onnxruntime-web's WebGPU operator table (node_modules/onnxruntime-web/docs/webgpu-operators.md when present,
else the list below); the WASM EP runs every standard CPU op, so WebGPU is the binding constraint.

Beside <id>.onnx it writes:
- head.json, the manifest fragment for the model's `heads` array (src/engine/manifest.ts TagHeadFile);
- parity.json: seeded random unit-length inputs and PyTorch's scores for them, which
  training/check_onnx.mjs and test/trainSmoke.test.ts compare with onnxruntime-node (max |diff| ≤ 1e-5);
- export.json: the op list, opset and graph I/O, for the report.

CLI: python3 training/export_onnx.py --checkpoint training/out/tag/checkpoint.pt --out-dir <model folder>
     [--id tag-head] [--trained-on 'AVA'] [--manifest public/models/manifest.json --model-id <id>]
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

OPSET = 17
PARITY_ROWS = 64
REPO = Path(__file__).resolve().parent.parent
WEBGPU_OPS_DOC = REPO / 'node_modules' / 'onnxruntime-web' / 'docs' / 'webgpu-operators.md'
# Used only when the onnxruntime-web docs are not installed; each op checked against that table (1.30.0).
FALLBACK_WEBGPU_OPS = {
    'Add', 'Sub', 'Mul', 'Div', 'MatMul', 'Gemm', 'Reshape', 'Transpose', 'Softmax', 'LayerNormalization',
    'Erf', 'Sqrt', 'Pow', 'ReduceMean', 'Relu', 'Tanh', 'Sigmoid', 'Squeeze', 'Unsqueeze', 'Concat', 'Gather',
    'Flatten', 'Shape', 'Cast',
}
SCALE = 'AVA mean score for this tag, 1–10 scale (unbounded; trained with eq. (1): pairwise ranking + λ·regression)'


def webgpu_ops() -> set[str]:
    if WEBGPU_OPS_DOC.exists():
        ops = set(re.findall(r'^\|\s*([A-Za-z0-9]+)\s*\|\s*ai\.onnx', WEBGPU_OPS_DOC.read_text(), flags=re.M))
        if ops:
            return ops
    return set(FALLBACK_WEBGPU_OPS)


def graph_ops(model: onnx.ModelProto) -> list[str]:
    return sorted({n.op_type for n in model.graph.node})


def _dims(value: onnx.ValueInfoProto) -> list[Any]:
    return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]


def to_onnx(model: nn.Module) -> onnx.ModelProto:
    model.eval()
    example = (torch.randn(2, 512), torch.randn(2, 512))
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tracer chatter about python ints in reshape, which are constants here
        torch.onnx.export(
            model, example, buf, input_names=['image_embeds', 'tag_embeds'], output_names=['score'],
            dynamic_axes={'image_embeds': {0: 'N'}, 'tag_embeds': {0: 'N'}, 'score': {0: 'N'}},
            opset_version=OPSET, do_constant_folding=True,
        )
    proto = onnx.load_from_string(buf.getvalue())
    proto.producer_name = 'loupe-training'
    constants_to_initializers(proto)
    onnx.checker.check_model(proto)
    return proto


def constants_to_initializers(proto: onnx.ModelProto) -> None:
    """Turn the exporter's Constant nodes (reshape targets, GELU's 1/√2, the attention scale) into
    initializers: ORT would do it at load time anyway, and the graph's op list then names only real kernels."""
    keep = []
    for node in proto.graph.node:
        value = next((a for a in node.attribute if a.name == 'value'), None)
        if node.op_type == 'Constant' and value is not None and len(node.attribute) == 1:
            tensor = onnx.TensorProto()
            tensor.CopyFrom(value.t)
            tensor.name = node.output[0]
            proto.graph.initializer.append(tensor)
        else:
            keep.append(node)
    del proto.graph.node[:]
    proto.graph.node.extend(keep)


def check_graph(proto: onnx.ModelProto) -> list[str]:
    ins = {i.name: _dims(i) for i in proto.graph.input}
    outs = {o.name: _dims(o) for o in proto.graph.output}
    if ins != {'image_embeds': ['N', 512], 'tag_embeds': ['N', 512]} or outs != {'score': ['N']}:
        raise RuntimeError(f'unexpected graph I/O: inputs {ins}, outputs {outs}')
    ops = graph_ops(proto)
    unsupported = [op for op in ops if op not in webgpu_ops()]
    if unsupported:
        raise RuntimeError(f'ops missing from the onnxruntime-web WebGPU table: {unsupported}')
    return ops


def parity_inputs(n: int = PARITY_ROWS, seed: int = 1234) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, 512)).astype(np.float32)
    b = rng.standard_normal((n, 512)).astype(np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    return a.astype(np.float32), b.astype(np.float32)


def export_tag_head(model: nn.Module, out_dir: Path, head_id: str = 'tag-head', trained_on: str = 'AVA',
                    scale: str = SCALE) -> dict[str, Any]:
    """Write heads/<id>.onnx, heads/head.json, heads/parity.json and heads/export.json under out_dir."""
    heads_dir = Path(out_dir) / 'heads'
    heads_dir.mkdir(parents=True, exist_ok=True)
    proto = to_onnx(model)
    ops = check_graph(proto)
    onnx_path = heads_dir / f'{head_id}.onnx'
    data = proto.SerializeToString()
    onnx_path.write_bytes(data)

    entry = {
        'id': head_id, 'kind': 'tag-head', 'path': f'heads/{head_id}.onnx', 'bytes': len(data),
        'sha256': hashlib.sha256(data).hexdigest(), 'normalizedInputs': True, 'scale': scale, 'trainedOn': trained_on,
    }
    (heads_dir / 'head.json').write_text(json.dumps(entry, indent=2, ensure_ascii=False) + '\n')

    img, tag = parity_inputs()
    with torch.no_grad():
        score = model(torch.from_numpy(img), torch.from_numpy(tag)).numpy().astype(np.float32)
    # float32 → Python float is exact, and json writes the shortest repr that reads back to the same double.
    (heads_dir / 'parity.json').write_text(json.dumps({
        'onnx': onnx_path.name, 'n': int(img.shape[0]), 'dim': 512,
        'image_embeds': img.reshape(-1).tolist(), 'tag_embeds': tag.reshape(-1).tolist(), 'score': score.tolist(),
        'tolerance': 1e-5,
    }) + '\n')
    info = {'onnx': str(onnx_path), 'opset': OPSET, 'ops': ops, 'nodes': len(proto.graph.node),
            'inputs': {'image_embeds': ['N', 512], 'tag_embeds': ['N', 512]}, 'outputs': {'score': ['N']},
            'head': entry}
    (heads_dir / 'export.json').write_text(json.dumps(info, indent=2) + '\n')
    return info


def add_to_manifest(manifest_path: Path, model_id: str, entry: dict[str, Any]) -> None:
    """Put the head first in the model's `heads` (the app ranks with the first), replacing one of the same id."""
    catalogue = json.loads(manifest_path.read_text())
    models = [m for m in catalogue.get('models', []) if m.get('id') == model_id]
    if not models:
        raise SystemExit(f'{manifest_path}: no model with id {model_id!r}')
    heads = [h for h in models[0].get('heads', []) if h.get('id') != entry['id']]
    models[0]['heads'] = [entry] + heads
    manifest_path.write_text(json.dumps(catalogue, indent=2) + '\n')


def main(argv: list[str] | None = None) -> int:
    from train import load_head

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--checkpoint', type=Path, required=True)
    p.add_argument('--out-dir', type=Path, required=True, help='the model folder; files go to <out-dir>/heads/')
    p.add_argument('--id', default='tag-head')
    p.add_argument('--trained-on', default=None, help="default: the checkpoint's data source")
    p.add_argument('--manifest', type=Path, default=None, help='also add head.json to this catalogue')
    p.add_argument('--model-id', default=None, help='model id in --manifest')
    args = p.parse_args(argv)
    model, ckpt = load_head(args.checkpoint)
    if ckpt['kind'] != 'tag':
        raise SystemExit(f'{args.checkpoint} holds a {ckpt["kind"]!r} head; only the tag head is exported')
    info = export_tag_head(model, args.out_dir, args.id, args.trained_on or ckpt.get('source', 'AVA'))
    if args.manifest:
        if not args.model_id:
            raise SystemExit('--manifest needs --model-id')
        add_to_manifest(args.manifest, args.model_id, info['head'])
    print(json.dumps({k: info[k] for k in ('onnx', 'opset', 'ops', 'nodes')}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
