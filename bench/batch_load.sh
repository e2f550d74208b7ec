#!/usr/bin/env bash
# Whole populations (docs/batch.md, "Performance"): N cases made by cycling through the Hong Kong
# example cases, as JSON Lines and as CSV, evaluated by `policy batch` for D1, D2 and D3 on 1 and
# on all threads, on the interpreter and (where built) the JIT; prints cases/s for each. Then the
# same CSV in a private PostgreSQL and the decisions compiled by `policy sql`, in rows/s. Reading
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
cleanup_batch() { rm -rf "$batch_dir"; }
batch_dir="$work"
trap cleanup_batch EXIT
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

# The same decisions compiled to SQL (`policy sql`, docs/sql.md) on a private PostgreSQL: the
# cases loaded from the same CSV, then each decision's value over the whole table in one query
# (one backend), and D1's ":outcome" (errors as values, a PL/pgSQL exception block per row).
source "$root/tests/support/private_postgres.sh"
if ! private_postgres_available; then
  echo "PostgreSQL is not installed: no SQL rows"
  exit 0
fi
batch_work="$work"
start_private_postgres
trap 'stop_private_postgres; rm -rf "$batch_work"' EXIT
"$policy" sql -d hk.employment.part_time_on_campus_allowed,hk.entry.applicant_documents,hk.stay.limit_of_stay \
  --create-table --columns "$inputs/hk_cases.csv" -o "$work/schema.sql" "$root/policies" 2> /dev/null
sql -d postgres -f "$work/schema.sql" 2>&1 | { grep -v NOTICE || true; }
start="$(date +%s.%N)"
sql -d postgres -c "\\copy cases FROM '$batch_work/cases.csv' WITH (FORMAT csv, HEADER true)"
sql -d postgres -c "VACUUM ANALYZE cases"
end="$(date +%s.%N)"
echo "PostgreSQL $pg_version: $count cases loaded with COPY in $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }') s"
printf '%-4s %-28s %12s\n' "" "function (docs/sql.md)" "rows/s"
for d in "D1 hk.employment.part_time_on_campus_allowed" "D2 hk.entry.applicant_documents" "D3 hk.stay.limit_of_stay" \
  "D1 hk.employment.part_time_on_campus_allowed:outcome"; do
  label="${d%% *}"
  name="${d#* }"
  start="$(date +%s.%N)"
  sql -d postgres -c "SELECT count(policy.\"$name\"(c, DATE '2025-09-01')) FROM cases AS c" > /dev/null
  end="$(date +%s.%N)"
  rate="$(awk -v n="$count" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }')"
  fn='"D"'
  [[ "$name" == *:outcome ]] && fn='"D:outcome"'
  printf '%-4s %-28s %12s\n' "$label" "$fn" "$rate"
done
