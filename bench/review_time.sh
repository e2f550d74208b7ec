#!/usr/bin/env bash
# What `policy review` costs on the bundled policies (docs/ci.md, "Performance"): a temporary
# repository of the bundled policies and example cases, and heads that change one thing each,
# reviewed against it; prints the wall-clock seconds of each review (the median of RUNS runs)
# against the 10 s goal of issue 31. A benchmark, not a test: nothing here fails on a number.
#   bash bench/review_time.sh [BUILD_DIR]      (RUNS=3 by default)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
policy="$build/cli/policy"
runs="${RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export POLICY_TODAY=2025-09-01
# shellcheck source=scripts/lib/policy_repo.sh
source "$root/scripts/lib/policy_repo.sh"
git_sandbox "$work" bench
policy_repo "$work/repo"
cd "$work/repo"

head_with() {  # NAME SED_EXPRESSION FILE: a branch with one edit
  git checkout -q -b "$1"
  sed -i "$2" "$3"
  git diff --quiet && { echo "bench: the edit for $1 did not apply" >&2; exit 1; }
  git commit -qam "$1"
  git checkout -q main
}
employment=policies/hk/employment.policy
head_with one-rule 's/^    and c.programme.study_period_academic_years >= 1$/    and c.programme.study_period_academic_years >= 2/' "$employment"
head_with reformat 's/^decision part_time_on_campus_allowed/\n\ndecision part_time_on_campus_allowed/' "$employment"
head_with dated-raise 's|^  value 20 effective from 2014-03-17$|  value 20 effective from 2014-03-17 until 2026-12-31\n  value 24 effective from 2027-01-01|' "$employment"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf '%-14s %8s  %s\n' "head" "seconds" "verdict"
for name in one-rule reformat dated-raise; do
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$policy" review --base main --head "$name" --format json -o "$work/out.json" policies 2> "$work/err" || true
    end=$(date +%s.%N)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
  done
  seconds="$(printf '%s\n' "${times[@]}" | median)"
  printf '%-14s %8.2f  %s\n' "$name" "$seconds" "$(tail -1 "$work/err")"
done
echo "goal (issue 31): under 10 s for one changed rule"
