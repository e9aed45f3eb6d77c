#!/bin/sh
# Generates the random-weight test models (see scripts/make_test_models.py).
# Debian's interpreter is named explicitly: the python3 first on PATH may lack torch and onnx.
set -eu
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
  echo "models:test needs $PY with torch, onnx and numpy (apt-get install python3-torch python3-onnx python3-numpy)" >&2
  exit 1
fi
exec "$PY" "$(dirname "$0")/make_test_models.py" "$@"
