#!/usr/bin/env bash
# The layering check must fail on a forbidden include: copy the library
# modules, add one such include per rule the issue names, and expect a failure
# that names the file each time. Passes only if the check passes on the copy
# untouched and fails on each damaged copy.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fresh_copy() {
  rm -rf "$work/tree" && mkdir -p "$work/tree"
  for m in core estimators search results dashboard device_runners supernet cli; do
    cp -r "$repo/$m" "$work/tree/"
  done
}

fresh_copy
"$repo/scripts/check_layering.sh" "$work/tree" >/dev/null

for case in "supernet/subnet.h:device_runners/broker/broker.h" \
            "device_runners/board/runner.h:device_runners/client/farm_client.h" \
            "device_runners/wire/protocol.h:device_runners/broker/dispatcher.h" \
            "results/store.h:search/nsga2.h" \
            "core/config.h:cli/wiring.h" \
            "dashboard/run_view.h:cli/commands.h"; do
  file="${case%%:*}"
  header="${case#*:}"
  fresh_copy
  printf '#include "%s"\n' "$header" >> "$work/tree/$file"
  if out="$("$repo/scripts/check_layering.sh" "$work/tree" 2>&1)"; then
    echo "FAIL: the check passed with $file including $header" >&2
    exit 1
  fi
  grep -q "^$file:" <<<"$out" || { echo "FAIL: the check did not name $file:"; echo "$out"; exit 1; }
  echo "ok: $file including $header is refused"
done
