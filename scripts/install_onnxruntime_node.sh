#!/usr/bin/env bash
# Installs npm's onnxruntime-node into DIR (default build/onnxruntime-node),
# for the ONNX export tests and the command backend's test tool. Its install
# script (which downloads extras) is skipped: the CPU native library ships in
# the package itself. Safe to run again: nothing happens when it is there.
set -euo pipefail
dir="${1:-$(dirname "$0")/../build/onnxruntime-node}"
version="${NAS_ONNXRUNTIME_NODE_VERSION:-1.20.1}"
if [ -f "$dir/node_modules/onnxruntime-node/package.json" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "install_onnxruntime_node: npm is not installed" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"name": "nas-onnxruntime", "private": true}' > package.json
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "onnxruntime-node@$version"
