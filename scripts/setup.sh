#!/usr/bin/env bash
# Installs what Loupe needs on a fresh Debian machine: Chromium for the browser tests, Debian's PyTorch and
# ONNX for generating the test models and fixtures, then the npm packages. Safe to run again: it skips what
# is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium python3-torch python3-onnx python3-pil python3-numpy python3-scipy libimage-exiftool-perl libheif-examples dcraw)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm ci only when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
