#!/bin/sh
# Generates the random-weight test models (see scripts/make_test_models.py).
# Debian's interpreter is named explicitly: the python3 first on PATH may lack torch and onnx.
set -eu
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
  echo "models:test needs $PY with torch, onnx and numpy (apt-get install python3-torch python3-onnx python3-numpy)" >&2
  exit 1
fi
"$PY" "$(dirname "$0")/make_test_models.py" "$@"
# clip-tiny plus a known tag head, for the tests of ranking by a tag head.
if [ -f "$(dirname "$0")/../public/models/clip-tiny/manifest.json" ]; then
  "$PY" "$(dirname "$0")/make_test_head.py"
fi
