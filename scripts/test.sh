#!/usr/bin/env bash
# `npm test`: type-check, check the layering (scripts/checkLayers.ts), generate the test models, unit/integration
# tests (vitest, Node), build, then the end-to-end tests in Debian's Chromium with real WebGPU.
# Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/unit.json test-results/e2e.json

run() { echo; echo "== $*"; "$@"; }
status=0
run npx tsc --noEmit || status=1
[ $status -eq 0 ] && { run npx tsx scripts/checkLayers.ts || status=1; }
[ $status -eq 0 ] && { run bash scripts/models-test.sh --only clip-tiny || status=1; }
[ $status -eq 0 ] && { run npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json || status=1; }
[ $status -eq 0 ] && { run npx vite build --logLevel warn || status=1; }
[ $status -eq 0 ] && { run npx vitest run --config e2e/vitest.config.ts --reporter=default --reporter=json --outputFile.json=test-results/e2e.json || status=1; }

node scripts/test-summary.mjs test-results/unit.json test-results/e2e.json
exit $status
