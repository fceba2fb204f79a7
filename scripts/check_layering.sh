#!/usr/bin/env bash
# Fails when a module includes a header from a module it must not depend on.
#
# Usage: scripts/check_layering.sh [ROOT]   (default: the repository root)
#
# The layers, bottom up: core; estimators; search; results; dashboard; the farm
# (device_runners) and the supernet side by side; cli wires everything and is
# included by no one. A module may include its own headers and those of the
# modules listed for it below; tests/ and bench/ may include any library
# module but not cli/. Each line of output names the file, the line and the
# rule it breaks.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

# module -> the modules it may include besides itself.
declare -A allowed=(
  [core]=""
  [estimators]="core"
  [search]="core estimators"
  [results]="core"
  [dashboard]="core results"
  [device_runners]="core estimators"
  [supernet]="core estimators"
  [cli]="core estimators search results dashboard device_runners supernet"
  [tests]="core estimators search results dashboard device_runners supernet"
  [bench]="core estimators search results dashboard device_runners supernet"
)
modules=" ${!allowed[*]} "

# Files that cross a layer on purpose, as "file:included-module" pairs, each
# with the reason.
exceptions=(
  # The torch backend is a farm backend built on the supernet: it depends on
  # both, and nothing in the supernet depends on it.
  "supernet/torch_backend.h:device_runners"
  "supernet/torch_backend.cpp:device_runners"
  # Until the measurement type and the hypervolume move to core/ (issue 17).
  "supernet/supernet.h:device_runners"
  "results/report_plots.cpp:search"
  "dashboard/search_view.cpp:search"
)

is_exception() {
  local pair
  for pair in "${exceptions[@]}"; do
    [[ "$pair" == "$1:$2" ]] && return 0
  done
  return 1
}

violations=0
for module in "${!allowed[@]}"; do
  [[ -d "$module" ]] || continue
  while IFS=: read -r file line text; do
    included="${text#*\"}"
    included="${included%%/*}"
    [[ "$modules" == *" $included "* ]] || continue  # a third-party or same-folder header
    [[ "$included" == "$module" ]] && continue
    [[ " ${allowed[$module]} " == *" $included "* ]] && continue
    is_exception "$file" "$included" && continue
    echo "$file:$line: $module/ must not include $included/ (${text})"
    violations=$((violations + 1))
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]+/' "$module" \
             --include='*.h' --include='*.cpp' --include='*.hpp' --include='*.cc' || true)
done

if ((violations)); then
  echo "check_layering: $violations forbidden include(s)" >&2
  exit 1
fi
echo "check_layering: every include follows the layers"
