#!/bin/sh
# C++ vs Python supernet training throughput, side by side (same arguments:
# steps batch threads random_subnets stem_stride), and the ratio.
# Needs build*/bin/bench_supernet_throughput and Debian's python3-torch
# (apt-get install -y python3-torch); uses /usr/bin/python3 on purpose.
set -e
here=$(dirname "$0")
bin=${BENCH_BIN:-$here/../build/bin/bench_supernet_throughput}
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "python3-torch is missing: apt-get install -y python3-torch" >&2
  exit 1
fi
cpp=$("$bin" "$@")
py=$(/usr/bin/python3 "$here/supernet_throughput.py" "$@")
echo "$cpp"
echo "$py"
c=$(echo "$cpp" | sed -n 's/.*: \([0-9.]*\) images\/s.*/\1/p')
p=$(echo "$py" | sed -n 's/.*: \([0-9.]*\) images\/s.*/\1/p')
echo "ratio C++/Python: $(echo "scale=2; $c / $p" | bc)"
