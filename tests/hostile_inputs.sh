#!/usr/bin/env bash
# Command-line input a golden test cannot spell. A named pipe given as a policy file or a case
# file, with nothing writing to it, must not block the command forever: it reads as empty, which
# is an error with an exit code (2); each command runs under `timeout`, so a hang fails the test
# instead of stalling the suite. And `--as-of ""` is a malformed date (E0914), not "today". Run by
# CTest as `hostile_inputs`.
#   bash tests/hostile_inputs.sh path/to/policy
set -euo pipefail
policy="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkfifo "$work/case.json" "$work/empty.policy"

set +e
timeout 20 "$policy" eval -d hk.employment.part_time_on_campus_allowed -i "$work/case.json" "$root/policies" \
  > "$work/out" 2> "$work/err"
code=$?
set -e
[[ "$code" != 124 ]] || fail "eval blocked on a named pipe as the case file"
[[ "$code" == 2 ]] || { cat "$work/err"; fail "eval on an empty named pipe: exit $code, want 2"; }
grep -q "E0901" "$work/err" || { cat "$work/err"; fail "eval on an empty named pipe: no E0901"; }

set +e
timeout 20 "$policy" check "$work/empty.policy" > "$work/out" 2> "$work/err"
code=$?
set -e
[[ "$code" != 124 ]] || fail "check blocked on a named pipe as a policy file"
[[ "$code" == 2 ]] || { cat "$work/err"; fail "check on an empty named pipe: exit $code, want 2"; }

# A pipe that has a writer is read as any file is (the writer is given a second to open it: one
# that comes after the command has read the pipe finds it already read as empty).
cat "$root/examples/cases/hk_exchange_student.json" > "$work/case.json" &
sleep 1
timeout 20 "$policy" eval -d hk.employment.part_time_on_campus_allowed -i "$work/case.json" --as-of 2025-09-01 \
  "$root/policies" > "$work/out" || fail "eval from a named pipe with a writer: exit $?"
wait
grep -q "false" "$work/out" || { cat "$work/out"; fail "eval from a named pipe: the exchange student's answer"; }
# An empty --as-of is E0914, exit 2: it is not "today".
set +e
"$policy" eval -d hk.employment.part_time_on_campus_allowed -i "$root/examples/cases/hk_exchange_student.json" \
  --as-of "" "$root/policies" > "$work/out" 2> "$work/err"
code=$?
set -e
[[ "$code" == 2 ]] || { cat "$work/err"; fail "--as-of \"\": exit $code, want 2"; }
grep -q "error\[E0914\]: an empty date" "$work/err" || { cat "$work/err"; fail "--as-of \"\": no E0914"; }
echo "PASS: named pipes never block; an empty one is an error, a written one is read; --as-of \"\" is E0914"
