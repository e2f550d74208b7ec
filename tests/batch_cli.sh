#!/usr/bin/env bash
# `policy batch` as a user runs it: cases on standard input, results to a file, the summary on
# standard error (counts per value and per error code), the exit code saying whether any row
# failed, and each row's value equal to `policy eval` on the same case. Run by CTest as
# `batch_cli`.
#   bash tests/batch_cli.sh path/to/policy
set -euo pipefail
policy="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
inputs="$root/tests/golden/batch/inputs.dir"
decision=hk.employment.part_time_on_campus_allowed

# Good cases from standard input, results to a file: exit 0, a summary with the counts.
POLICY_TODAY=2025-09-01 "$policy" batch -d "$decision" -i - -o "$work/out.jsonl" "$root/policies" \
  < "$inputs/hk_cases.jsonl" 2> "$work/summary.txt" || fail "exit $? on good cases"
cat "$work/summary.txt"
grep -q "^policy batch: 7 cases as of 2025-09-01, " "$work/summary.txt" || fail "the summary's first line"
[[ "$(wc -l < "$work/out.jsonl")" == 7 ]] || fail "7 result rows"
# The counts agree with the rows.
trues="$(grep -c '"value":true' "$work/out.jsonl" || true)"
falses="$(grep -c '"value":false' "$work/out.jsonl" || true)"
grep -q "^  $decision: .*true $trues" "$work/summary.txt" || fail "true counted $trues times"
grep -q "^  $decision: .*false $falses" "$work/summary.txt" || fail "false counted $falses times"

# Each row holds what `policy eval` gives for the same case.
line=0
while IFS= read -r case_json; do
  line=$((line + 1))
  expected="$(printf '%s' "$case_json" | POLICY_TODAY=2025-09-01 "$policy" eval -d "$decision" -i - \
    --format json "$root/policies" | tr -d ' \n' | sed 's/.*"value":\([^,}]*\).*/\1/')"
  got="$(sed -n "${line}p" "$work/out.jsonl" | sed 's/.*"value":\([^,}]*\).*/\1/')"
  [[ "$expected" == "$got" ]] || fail "line $line: batch says $got, eval says $expected"
done < "$inputs/hk_cases.jsonl"

# Bad rows: exit 1, and the summary counts their codes.
set +e
POLICY_TODAY=2025-09-01 "$policy" batch -d "$decision" -i "$inputs/bad_rows.jsonl" -o "$work/bad.jsonl" \
  "$root/policies" 2> "$work/bad_summary.txt"
code=$?
set -e
cat "$work/bad_summary.txt"
[[ "$code" == 1 ]] || fail "exit $code on bad rows, expected 1"
grep -q "^  cases that could not be read: 4 (E0901 1, E0902 1, E0903 1, E0904 1)" "$work/bad_summary.txt" ||
  fail "the error counts"

# --quiet: nothing on standard error.
"$policy" batch -q -d "$decision" -i "$inputs/hk_cases.csv" "$root/policies" > /dev/null 2> "$work/quiet.txt"
[[ ! -s "$work/quiet.txt" ]] || fail "--quiet printed: $(cat "$work/quiet.txt")"
echo "batch_cli: ok"
