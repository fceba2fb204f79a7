#!/usr/bin/env bash
# Installs what nas needs from Debian's packages (when missing), then
# configures and builds it in build/. Safe to run again: it only installs
# what is missing and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build ccache git
  libtorch-dev libgloo-dev nlohmann-json3-dev libzmq3-dev cppzmq-dev libsqlite3-dev sqlite3
  libboost-dev libboost-system-dev doctest-dev libcli11-dev libspdlog-dev zlib1g-dev
  libpng-dev libjpeg-dev
  dataset-fashion-mnist
  # LibTorch's CPU kernels go through BLAS; without OpenBLAS Debian falls back
  # to the reference BLAS, which trains the supernet many times slower.
  libopenblas0-pthread
  # ONNX export (the protobuf types), its checker for the tests, and ONNX
  # Runtime from npm (scripts/install_onnxruntime_node.sh) to run the files.
  libonnx-dev python3-onnx nodejs
  # The dashboard's end-to-end test drives the page in a headless Chromium.
  chromium chromium-driver
  # `nas report --plot` draws with gnuplot; the report tests compile the LaTeX
  # report (booktabs is in -recommended) and check the SVG with xmllint.
  gnuplot-nox texlive-latex-base texlive-latex-recommended libxml2-utils
)
# Debian's npm, unless the nodejs installed brings its own (NodeSource's does).
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${NAS_BUILD_TYPE:-Release}" >/dev/null
cmake --build build -j"$(nproc)"
scripts/install_onnxruntime_node.sh build/onnxruntime-node
