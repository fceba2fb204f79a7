#!/usr/bin/env bash
# Fails when a module includes a header from a module it must not depend on.
#
# Usage: scripts/check_layering.sh [ROOT]   (default: the repository root)
#
# The layers, bottom up: core; estimators; search; results; dashboard; the farm
# (device_runners: wire, then broker, board and client) and the supernet side by side; cli wires everything and is
# included by no one. A module may include its own headers and those of the
# modules listed for it below; tests/ and bench/ may include any library
# module but not cli/, and bench/ may reuse tests/' support (test files it
# writes, processes it starts). Each line of output names the file, the line and the
# rule it breaks.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

# module -> the modules it may include besides itself. The farm is four
# modules, one per audience: wire/ is what both ends speak, broker/ and board/
# (the runner and its backends) and client/ (the search's side) each build on
# the wire and never on each other.
farm="device_runners/wire device_runners/broker device_runners/board device_runners/client"
declare -A allowed=(
  [core]=""
  [estimators]="core"
  [search]="core estimators"
  [results]="core"
  [dashboard]="core results"
  [device_runners/wire]="core"
  [device_runners/broker]="core device_runners/wire"
  [device_runners/board]="core estimators device_runners/wire"
  [device_runners/client]="core estimators device_runners/wire"
  [supernet]="core estimators"
  [cli]="core estimators search results dashboard supernet $farm"
  [tests]="core estimators search results dashboard supernet $farm"
  [bench]="core estimators search results dashboard supernet $farm tests"
)
# A header straight under device_runners/ belongs to no farm module: every
# include of one is refused.
modules=" ${!allowed[*]} device_runners "

# Files that cross a layer on purpose, as "file:included-module" pairs, each
# with the reason.
exceptions=(
  # The torch backend is a board backend built on the supernet (a library of
  # its own, nas_torch_backend); nothing in the supernet depends on it.
  "device_runners/board/torch_backend.h:supernet"
  "device_runners/board/torch_backend.cpp:supernet"
)

is_exception() {
  local pair
  for pair in "${exceptions[@]}"; do
    [[ "$pair" == "$1:$2" ]] && return 0
  done
  return 1
}

# The module an included path belongs to: its first folder, or its first two
# under device_runners/.
module_of() {
  local path="$1" first rest
  first="${path%%/*}"
  rest="${path#*/}"
  if [[ "$first" == device_runners && "$rest" == */* ]]; then
    echo "device_runners/${rest%%/*}"
  else
    echo "$first"
  fi
}

violations=0
for module in "${!allowed[@]}"; do
  [[ -d "$module" ]] || continue
  while IFS=: read -r file line text; do
    included="${text#*\"}"
    included="$(module_of "${included%%\"*}")"
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
