#!/usr/bin/env bash
# Builds the runner-only configuration (-DNAS_RUNNER_ONLY=ON, no LibTorch) for
# aarch64 boards with Debian's cross compiler, then runs its test suites,
# farm tests with real broker and runner processes included, under qemu
# user-mode emulation. The board's libraries come from an arm64 Debian root
# unpacked (never configured or run) into SYSROOT.
#
# Usage: scripts/cross_build_aarch64.sh [BUILD_DIR] [SYSROOT]
#   defaults: build-aarch64 and build-aarch64/sysroot
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build-aarch64}"
sysroot="$(realpath -m "${2:-$build_dir/sysroot}")"

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
host_packages=(g++-aarch64-linux-gnu qemu-user-static debootstrap cmake ninja-build)
missing=()
for p in "${host_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "cross-build: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# The runner's libraries as a board's Debian 12 has them. debootstrap's first
# stage downloads them with their dependencies; unpacking is all a sysroot needs.
board_packages=libzmq3-dev,cppzmq-dev,libsqlite3-dev,zlib1g-dev,libboost-dev,libboost-system-dev
board_packages+=,libcli11-dev,libspdlog-dev,nlohmann-json3-dev,doctest-dev,libstdc++-12-dev
if [ ! -e "$sysroot/.nas-sysroot-complete" ]; then
  echo "cross-build: making the arm64 sysroot in $sysroot"
  rm -rf "$sysroot"
  $sudo debootstrap --arch=arm64 --foreign --variant=minbase --include="$board_packages" \
    bookworm "$sysroot" http://deb.debian.org/debian >"$build_dir.debootstrap.log" 2>&1 || {
    echo "cross-build: debootstrap failed; see $build_dir.debootstrap.log" >&2
    exit 1
  }
  for deb in "$sysroot"/var/cache/apt/archives/*.deb; do $sudo dpkg-deb -x "$deb" "$sysroot"; done
  # qemu -L looks up every absolute path in the root first: its /dev would
  # hide the host's devices (the pseudo-terminals the meter tests open).
  $sudo rm -rf "$sysroot/dev"
  $sudo touch "$sysroot/.nas-sysroot-complete"
fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" -DNAS_SYSROOT="$sysroot" \
  -DNAS_RUNNER_ONLY=ON >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
file "$build_dir/bin/nas"
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
