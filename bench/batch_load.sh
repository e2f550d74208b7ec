#!/usr/bin/env bash
# Whole populations (docs/batch.md, "Performance"): N cases made by cycling through the Hong Kong
# example cases, as JSON Lines and as CSV, evaluated by `policy batch` for D1, D2 and D3 on 1 and
# on all threads, on the interpreter and (where built) the JIT; prints cases/s for each. Reading
# and writing included: this is the command as a user runs it, output to /dev/null. A
# benchmark, not a test: nothing here fails on a number.
#
#   bash bench/batch_load.sh [BUILD_DIR] [CASES]      (defaults: build, 200000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
count="${2:-200000}"
policy="$build/cli/policy"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
inputs="$root/tests/golden/batch/inputs.dir"

# The population: the example cases repeated (their order kept) up to `count`.
awk -v n="$count" '{ line[NR] = $0 } END { for (i = 0; i < n; ++i) print line[i % NR + 1] }' \
  "$inputs/hk_cases.jsonl" > "$work/cases.jsonl"
{
  head -1 "$inputs/hk_cases.csv"
  tail -n +2 "$inputs/hk_cases.csv" | awk -v n="$count" '{ line[NR] = $0 } END { for (i = 0; i < n; ++i) print line[i % NR + 1] }'
} > "$work/cases.csv"
cores="$(nproc)"
jit_flags=("")
if "$policy" batch --help | grep -q -- '--jit '; then
  jit_flags+=("--jit")
fi
printf '%-4s %-6s %-6s %8s %12s\n' "" input engine threads "cases/s"
for d in "D1 hk.employment.part_time_on_campus_allowed" "D2 hk.entry.applicant_documents" "D3 hk.stay.limit_of_stay"; do
  label="${d%% *}"
  name="${d#* }"
  for input in jsonl csv; do
    for jit in "${jit_flags[@]}"; do
      for threads in 1 "$cores"; do
        start="$(date +%s.%N)"
        POLICY_TODAY=2025-09-01 "$policy" batch -q -d "$name" -i "$work/cases.$input" --threads "$threads" \
          ${jit:+"$jit"} "$root/policies" > /dev/null || [[ $? == 1 ]]
        end="$(date +%s.%N)"
        rate="$(awk -v n="$count" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }')"
        printf '%-4s %-6s %-6s %8s %12s\n' "$label" "$input" "${jit:-interp}" "$threads" "$rate"
      done
    done
  done
done
echo "(each row includes loading the policies, about 0.1 s, and writing the results)"
