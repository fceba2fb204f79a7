#!/usr/bin/env bash
# Gathers, on a Debian 12 machine with the packages of scripts/bootstrap.sh,
# what a build of nas against an upstream LibTorch needs besides LibTorch:
# the headers, CMake package files and shared libraries of nas's other
# dependencies, laid out as a prefix (DEST/usr/...). A GPU machine whose
# image has a CUDA PyTorch but none of these packages (and no network) builds
# with it: scripts/gpu/build_upstream.sh DEST.
#
# Boost is big (130 MB of headers); only the headers that nas's sources reach
# are taken, found by the compiler's own dependency listing.
#
# Usage: scripts/gpu/bundle_deps.sh DEST
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=${1:?usage: scripts/gpu/bundle_deps.sh DEST}
rm -rf "$dest"
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

copy() {  # copies absolute paths (files and symlinks) under $dest, keeping their place
  local f
  for f in "$@"; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    [ -d "$f" ] && [ ! -L "$f" ] && continue
    mkdir -p "$dest$(dirname "$f")"
    cp -a "$f" "$dest$f"
  done
}

# Whole header-only or small development packages.
small_dev=(nlohmann-json3-dev libzmq3-dev cppzmq-dev libsqlite3-dev doctest-dev libcli11-dev
           libspdlog-dev libfmt-dev zlib1g-dev libboost-system1.74-dev)
for p in "${small_dev[@]}"; do
  mapfile -t files < <(dpkg -L "$p" | grep -v '^/usr/share/doc')
  copy "${files[@]}"
done

# Boost: the CMake package files, and the headers the sources include.
mapfile -t boost_cmake < <(dpkg -L libboost1.74-dev | grep '/cmake/')
copy "${boost_cmake[@]}"
sources=$(grep -rl --include='*.cpp' 'boost/' core supernet estimators device_runners search results dashboard cli tests bench)
mapfile -t boost_headers < <(
  for s in $sources; do
    g++ -std=c++17 -I. -M -MT x "$s" 2>/dev/null | tr ' \\' '\n\n'
  done | grep '^/usr/include/boost/' | sort -u)
[ "${#boost_headers[@]}" -gt 100 ] || { echo "bundle_deps: found only ${#boost_headers[@]} Boost headers" >&2; exit 1; }
copy "${boost_headers[@]}" /usr/include/boost/version.hpp /usr/include/boost/config.hpp

# Shared libraries: the dependencies' own and everything they load, except
# the C and C++ runtimes, which the target machine has (newer ones).
roots=(/usr/lib/x86_64-linux-gnu/libzmq.so.5 /usr/lib/x86_64-linux-gnu/libsqlite3.so.0
       /usr/lib/x86_64-linux-gnu/libspdlog.so.1* /usr/lib/x86_64-linux-gnu/libboost_system.so.1.74.0
       /usr/lib/x86_64-linux-gnu/libz.so.1)
mapfile -t libs < <(
  for r in "${roots[@]}"; do echo "$r"; ldd "$r" | awk '$3 ~ /^\// {print $3}'; done |
  grep -Ev '/(libc|libm|libdl|librt|libpthread|libresolv|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so' | sort -u)
for l in "${libs[@]}"; do
  real=$(readlink -f "$l")
  # Debian keeps some in /lib, a link to /usr/lib: put them all in one place.
  target=/usr/lib/x86_64-linux-gnu
  mkdir -p "$dest$target"
  cp -a "$real" "$dest$target/"
  [ "$(basename "$l")" = "$(basename "$real")" ] || ln -sf "$(basename "$real")" "$dest$target/$(basename "$l")"
done
du -sh "$dest"
