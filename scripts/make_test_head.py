"""Makes public/models/clip-tiny-head/: the clip-tiny test model plus a tag head with the exact I/O of
training/export_onnx.py (image_embeds [N,512], tag_embeds [N,512] -> score [N]).

The head is a known function, score = 5 + 5 * <image, tag> (inputs are L2-normalized, so this is
5 + 5 * cosine): an e2e test can then check that the app ranks by the head and not by the aesthetic
score, because it knows what the head must say. Deterministic; outputs are gitignored.
"""
import hashlib
import json
import shutil
import sys
from pathlib import Path

import onnx
from onnx import TensorProto, helper

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / 'public' / 'models' / 'clip-tiny'
OUT = ROOT / 'public' / 'models' / 'clip-tiny-head'


def cosine_head() -> onnx.ModelProto:
    image = helper.make_tensor_value_info('image_embeds', TensorProto.FLOAT, ['batch_size', 512])
    tag = helper.make_tensor_value_info('tag_embeds', TensorProto.FLOAT, ['batch_size', 512])
    score = helper.make_tensor_value_info('score', TensorProto.FLOAT, ['batch_size'])
    five = helper.make_tensor('five', TensorProto.FLOAT, [], [5.0])
    axes = helper.make_tensor('axes', TensorProto.INT64, [1], [1])
    nodes = [
        helper.make_node('Mul', ['image_embeds', 'tag_embeds'], ['product']),
        helper.make_node('ReduceSum', ['product', 'axes'], ['dot'], keepdims=0),
        helper.make_node('Mul', ['dot', 'five'], ['scaled']),
        helper.make_node('Add', ['scaled', 'five'], ['score']),
    ]
    graph = helper.make_graph(nodes, 'cosine_tag_head', [image, tag], [score], initializer=[five, axes])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 14)], producer_name='loupe-test-head')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def file_entry(path: Path, rel: str) -> dict:
    data = path.read_bytes()
    return {'path': rel, 'bytes': len(data), 'sha256': hashlib.sha256(data).hexdigest()}


def main() -> int:
    if not (SRC / 'manifest.json').exists():
        print('make_test_head: public/models/clip-tiny is missing; run npm run models:test first', file=sys.stderr)
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    shutil.copytree(SRC, OUT)
    head_path = OUT / 'heads' / 'cosine-test-head.onnx'
    head_path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(cosine_head(), str(head_path))
    manifest = json.loads((SRC / 'manifest.json').read_text())
    manifest['id'] = 'clip-tiny-head'
    manifest['description'] = 'clip-tiny (random weights) with a known tag head: score = 5 + 5 * cosine(image, tag)'
    manifest['heads'] = [{
        **file_entry(head_path, 'heads/cosine-test-head.onnx'),
        'id': 'cosine-test-head',
        'kind': 'tag-head',
        'normalizedInputs': True,
        'scale': 'test head: 5 + 5 x cosine(image, tag)',
        'trainedOn': 'nothing (a fixed test function)',
    }]
    (OUT / 'manifest.json').write_text(json.dumps(manifest, indent=2) + '\n')
    print(f'[clip-tiny-head] {OUT}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
