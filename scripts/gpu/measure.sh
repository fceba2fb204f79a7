#!/usr/bin/env bash
# The GPU workstation's figures, from one command on a machine with an NVIDIA
# GPU and a CUDA PyTorch (python3): builds nas against that LibTorch
# (scripts/gpu/build_upstream.sh), then prints
#   - the build's time,
#   - the supernet's sandwich step on the GPU (fp32 and autocast bf16) and on
#     that machine's CPU (2 threads, as the 2-core reference machine),
#   - the quickstart end to end with the supernet on CUDA, and its report,
#   - one subnet's GPU latency over 10 jobs of a runner with --torch-device cuda.
# Logs go to OUT_DIR (default: ./gpu-figures).
#
# Usage: scripts/gpu/measure.sh DEPS [OUT_DIR]
set -uo pipefail
cd "$(dirname "$0")/../.."
deps=${1:?usage: scripts/gpu/measure.sh DEPS [OUT_DIR]}
out=${2:-gpu-figures}
mkdir -p "$out"
build=build-upstream
stamp() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{printf "%.1f", $2 - $1}'; }

{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
  g++ --version | head -1; cmake --version | head -1; nproc
} 2>&1 | tee "$out/machine.txt"

t0=$(stamp)
scripts/gpu/build_upstream.sh "$deps" "$build" nas bench_supernet_throughput \
  bench_runner_repeatability supernet_tests >"$out/build.log" 2>&1
rc=$?
t1=$(stamp)
echo "build: rc $rc, $(elapsed "$t0" "$t1") s on $(nproc) cores" | tee -a "$out/summary.txt"
tail -40 "$out/build.log"
[ $rc = 0 ] || exit 1
[ "$deps" = system ] || export LD_LIBRARY_PATH="$(cd "$deps" && pwd)/usr/lib/x86_64-linux-gnu"
bin=$build/bin

"$bin/supernet_tests" -tc='*device*' 2>&1 | tail -3 | tee -a "$out/summary.txt"

# fp32 and autocast bf16 alternate, so that a drift of the machine shows.
for batch in 128 128 256; do
  for amp in "" amp=bf16; do
    # shellcheck disable=SC2086
    "$bin/bench_supernet_throughput" 50 "$batch" 2 2 1 device=cuda $amp 2>&1 | tee -a "$out/summary.txt"
  done
done
"$bin/bench_supernet_throughput" 5 128 2 2 1 device=cpu 2>&1 | tee -a "$out/summary.txt"

t0=$(stamp)
"$bin/nas" run configs/quickstart.json >"$out/quickstart.out" 2>"$out/quickstart.log"
rc=$?
t1=$(stamp)
echo "quickstart: rc $rc, $(elapsed "$t0" "$t1") s end to end" | tee -a "$out/summary.txt"
grep -vE "^\s*$" "$out/quickstart.log" | grep -v "\r" | tail -40
cat "$out/quickstart.out"
"$bin/nas" report results/quickstart.db >"$out/quickstart-report.md" 2>&1

# The quickstart's protocol (made for a CPU: 20 ms of warm-up, 20 timed
# runs), then a GPU's: half a second of warm-up and 200 timed runs.
for protocol in "" "warmup_ms=500 timed=200"; do
  # shellcheck disable=SC2086
  "$bin/bench_runner_repeatability" configs/quickstart.json repeats=10 torch_device=cuda $protocol 2>&1 |
    grep -E "^(protocol|medians|mean)" | tee -a "$out/summary.txt"
done
