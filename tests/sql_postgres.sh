#!/usr/bin/env bash
# The SQL of `policy sql` against a real PostgreSQL, differentially: every bundled decision, on the
# example cases and a few thousand cases generated from them, on several evaluation dates, must
# give in PostgreSQL exactly the outcome the interpreter gives (`policy batch`): the same
# applicability, the same value (compared as JSON, numbers exactly), the same error code.
#
# The test starts its own PostgreSQL (Debian's postgresql-15) on a private Unix socket in a
# temporary directory, with no TCP listener, as an unprivileged user (`postgres` when run as
# root), and stops it on exit (tests/support/private_postgres.sh). Without PostgreSQL installed
# it says so loudly and exits 77 (CTest: skipped), unless POLICY_REQUIRE_POSTGRES=1 (CI), which
# makes that a failure.
# Run by CTest as `sql_postgres`.
#   bash tests/sql_postgres.sh path/to/policy [generated cases, default 3000]
set -euo pipefail
policy="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
generated="${2:-3000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
fail() { echo "FAIL: $*"; exit 1; }

source "$root/tests/support/private_postgres.sh"
if ! private_postgres_available; then
  echo "######################################################################"
  echo "## SKIPPED: PostgreSQL is not installed (scripts/install-deps.sh    ##"
  echo "## installs it); the SQL of \`policy sql\` was NOT checked.           ##"
  echo "######################################################################"
  [[ "${POLICY_REQUIRE_POSTGRES:-0}" == 1 ]] && fail "POLICY_REQUIRE_POSTGRES=1 but PostgreSQL is missing"
  exit 77
fi
start_private_postgres || fail "could not start PostgreSQL"
echo "PostgreSQL $pg_version on $work/pg (socket only)"

# differential LABEL POLICY_PATH EXAMPLES_CSV GENERATED DATE...: one population, in its own
# database, on each date.
mismatches=0
checked=0
differential() {
  local label="$1" policies="$2" examples="$3" count="$4"
  shift 4
  local db="db_$label" out="$work/$label"
  mkdir -p "$out"
  sql -d postgres -c "CREATE DATABASE $db"
  # The SQL, with the table laid out as the examples' CSV is.
  "$policy" sql --create-table --columns "$examples" -o "$out/schema.sql" "$policies" 2> "$out/sql.err" ||
    { cat "$out/sql.err"; fail "$label: policy sql exit $?"; }
  echo "$label: $(tail -1 "$out/sql.err")"
  sql -d "$db" -f "$out/schema.sql" 2>&1 | { grep -v NOTICE || true; }
  local decisions
  mapfile -t decisions < <(sql -d "$db" -c "SELECT left(proname, -8) FROM pg_proc
                                            WHERE pronamespace = 'policy'::regnamespace AND proname LIKE '%:outcome'
                                            ORDER BY 1")

  # The population: the examples, then cases mixed from them: each top-level part of the record
  # (applicant, programme, dates, ...) from a random example, every date moved by up to two years
  # either way and every integer by up to 3. setseed makes it the same population on every run.
  local header columns select_generated="" select_text="" laterals="" name group type cell
  local -A groups=()
  header="$(head -1 "$examples")"
  columns="$(echo "$header" | sed 's/\([^,]*\)/"\1"/g')"
  IFS=',' read -ra names <<< "$header"
  for name in "${names[@]}"; do
    group="${name%%.*}"
    groups["$group"]=1
    type="$(sql -d "$db" -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                             WHERE attrelid = 'cases'::regclass AND attname = '$name'")"
    cell="\"g_$group\".\"$name\""
    case "$type" in
      date) cell="$cell + CAST(floor(random() * 1461) - 730 AS int)" ;;
      bigint) cell="$cell + CAST(floor(random() * 7) - 3 AS bigint)" ;;
    esac
    select_generated+="${select_generated:+, }$cell"
    if [[ "$type" == boolean ]]; then
      select_text+="${select_text:+, }CAST(\"$name\" AS text)"
    else
      select_text+="${select_text:+, }\"$name\""
    fi
  done
  for group in "${!groups[@]}"; do
    laterals+=", LATERAL (SELECT * FROM examples WHERE s.n > 0 ORDER BY random() LIMIT 1) AS \"g_$group\""
  done
  sql -d "$db" <<EOF
CREATE TABLE examples (LIKE cases);
ALTER TABLE examples ADD COLUMN ord bigserial;
\\copy examples ($columns) FROM '$examples' WITH (FORMAT csv, HEADER true)
ALTER TABLE cases ADD COLUMN line bigint;
INSERT INTO cases SELECT $columns, ord + 1 FROM examples ORDER BY ord;
SELECT setseed(0.25);
INSERT INTO cases SELECT $select_generated, (SELECT count(*) FROM examples) + 1 + s.n
  FROM generate_series(1, $count) AS s(n) $laterals ORDER BY s.n;
\\copy (SELECT $select_text FROM cases ORDER BY line) TO '$out/cases.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE expected (as_of date, doc jsonb);
EOF
  local total
  total="$(sql -d "$db" -c "SELECT count(*) FROM cases")"
  echo "$label: $total cases ($count generated), ${#decisions[@]} decisions"

  # The interpreter's outcomes, and PostgreSQL's compared with them, on each date.
  local list as_of d result compared differ errors not_applicable rest unread
  list="$(IFS=,; echo "${decisions[*]}")"
  for as_of in "$@"; do
    "$policy" batch -q -d "$list" -i "$out/cases.csv" --as-of "$as_of" -o "$out/expected.jsonl" "$policies" ||
      [[ $? == 1 ]] || fail "$label: policy batch exit $?"
    sql -d "$db" -c "\\copy expected (doc) FROM '$out/expected.jsonl' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"
    sql -d "$db" -c "UPDATE expected SET as_of = DATE '$as_of' WHERE as_of IS NULL"
    unread="$(sql -d "$db" -c "SELECT count(*) FROM expected WHERE as_of = DATE '$as_of' AND doc ? 'error'")"
    [[ "$unread" == 0 ]] || fail "$label: $unread cases the interpreter could not read"
    for d in "${decisions[@]}"; do
      result="$(sql -d "$db" -F ' ' -c "
        WITH outcomes AS (
          SELECT k.line, e.doc -> 'results' -> '$d' AS want, policy.\"$d:outcome\"(k, DATE '$as_of') AS got
          FROM cases AS k JOIN expected AS e ON e.as_of = DATE '$as_of' AND CAST(e.doc ->> 'line' AS bigint) = k.line),
        judged AS (
          SELECT *, CASE WHEN want ? 'error' THEN got -> 'error' ->> 'code' IS NOT DISTINCT FROM want -> 'error' ->> 'code'
                         ELSE got = want END AS same FROM outcomes)
        SELECT count(*), count(*) FILTER (WHERE NOT same),
               count(*) FILTER (WHERE want ? 'error'), count(*) FILTER (WHERE want ->> 'applicable' = 'false'),
               coalesce((SELECT string_agg(format('line %s: interpreter %s, SQL %s', line, want, got), E'\n')
                         FROM (SELECT * FROM judged WHERE NOT same ORDER BY line LIMIT 3) AS w), '')
        FROM judged")"
      read -r compared differ errors not_applicable rest <<< "$(echo "$result" | head -1)"
      [[ "$compared" == "$total" ]] || fail "$d on $as_of: compared $compared of $total cases"
      if [[ "$differ" != 0 ]]; then
        echo "DIFFERS: $d as of $as_of: $differ of $compared cases"
        echo "$result" | sed 's/^[0-9]* [0-9]* [0-9]* [0-9]* //' | head -4
        mismatches=$((mismatches + differ))
      fi
      printf '  %-54s %s %5s cases, %4s errors, %4s not applicable\n' "$d" "$as_of" "$compared" "$errors" \
        "$not_applicable" >> "$work/summary.txt"
    done
  done
  checked=$((checked + ${#decisions[@]} * $# * total))
}

inputs="$root/tests/golden/batch/inputs.dir"
# Every bundled decision (the two sources), on dates before, within and after their rules' periods.
differential bundled "$root/policies" "$inputs/hk_cases.csv" "$generated" 2025-09-01 2014-03-16 2031-01-15
# What the bundled policies touch lightly: arithmetic, calendars, text, sets and every error.
differential semantics "$root/tests/sql/semantics.policy" "$root/tests/sql/semantics_cases.csv" "$generated" \
  2025-09-01 2019-06-01 2023-01-01
cat "$work/summary.txt"
[[ "$mismatches" == 0 ]] || fail "$mismatches outcomes differ between PostgreSQL and the interpreter"
echo "PASS: $checked outcomes (decisions x dates x cases): PostgreSQL and the interpreter agree"
