#!/usr/bin/env bash
# Builds nas against an upstream LibTorch, such as the CUDA one inside a pip
# PyTorch on a GPU workstation, with nas's other dependencies taken from a
# prefix made by scripts/gpu/bundle_deps.sh on a Debian 12 machine (or from
# the system, when DEPS is "system"). ONNX export is left out: Debian's
# libonnx and protobuf do not mix with the protobuf inside an upstream
# LibTorch.
#
# Usage: scripts/gpu/build_upstream.sh DEPS [BUILD_DIR] [TARGET...]
#   Torch_DIR: LibTorch's CMake folder; default: the one of python3's torch.
# Afterwards, run with the bundled libraries on the path:
#   export LD_LIBRARY_PATH=DEPS/usr/lib/x86_64-linux-gnu
set -euo pipefail
cd "$(dirname "$0")/../.."
deps=${1:?usage: scripts/gpu/build_upstream.sh DEPS [BUILD_DIR] [TARGET...]}
build=${2:-build-upstream}
shift $(( $# >= 2 ? 2 : 1 ))
if [ -z "${Torch_DIR:-}" ]; then
  Torch_DIR=$(python3 -c 'import os, torch; print(os.path.join(torch.utils.cmake_prefix_path, "Torch"))')
fi
prefix=()
if [ "$deps" != system ]; then
  deps=$(cd "$deps" && pwd)
  prefix=(-DCMAKE_PREFIX_PATH="$deps/usr" -DCMAKE_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu")
  export LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
generator=() keep_going=()
# With ninja, every failing file is shown at once, not just the first.
command -v ninja >/dev/null && generator=(-G Ninja) keep_going=(-- -k 0)
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$Torch_DIR" \
  -DNAS_WITH_ONNX=OFF "${prefix[@]}"
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build" -j"$(nproc)" "${targets[@]}" "${keep_going[@]}"
