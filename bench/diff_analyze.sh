#!/usr/bin/env bash
# What comparing on every date costs: `policy diff` and `policy analyze` on the bundled policies,
# on one date (--as-of, what `diff` did before issue 33) and on every date (the default now), in
# one run, each the median of RUNS runs. With a second build directory (a build of an earlier
# commit), its `policy` is timed on one date as well, as the "before" column.
#   bash bench/diff_analyze.sh BUILD_DIR [BEFORE_BUILD_DIR]      (RUNS=3 by default)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
after="$1/cli/policy"
before="${2:+$2/cli/policy}"
runs="${RUNS:-3}"
date_arg="--as-of 2025-09-01"
cd "$root"

# The median wall time of `runs` runs of the command, in seconds. Exit codes 0 and 1 (findings)
# are results; anything else is a failure of the benchmark.
median() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end status=0
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || status=$?
    end=$(date +%s.%N)
    if [ "$status" -gt 1 ]; then
      echo "failed ($status): $*" >&2
      exit 1
    fi
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

row() {  # label, then the command after `policy`
  local label="$1"
  shift
  local b="-"
  if [ -n "$before" ]; then
    b=$(median "$before" "$@" $date_arg)
  fi
  local one every
  one=$(median "$after" "$@" $date_arg)
  every=$(median "$after" "$@")
  printf '%-34s %10s %10s %10s %8s\n' "$label" "$b" "$one" "$every" "$(awk -v a="$every" -v b="$one" 'BEGIN { printf "%.2fx", a / b }')"
}

printf '%-34s %10s %10s %10s %8s\n' "policy ... policies/ (seconds)" "before" "one date" "every date" "ratio"
row "diff policies policies" diff policies policies
row "analyze policies" analyze policies
