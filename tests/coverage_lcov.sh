#!/usr/bin/env bash
# `policy test --coverage --coverage-format lcov` read by its real consumer: Debian's lcov. The
# tracefile must parse (`lcov --summary`), its function and branch counts must be those of the
# JSON coverage of the same run (rules applied; each condition's true and false sides), and
# `genhtml` must render it, the bundled policies as the source. Exit 77 (skipped, loudly) without
# lcov; in CI (POLICY_NO_SKIP=1) that is a failure. Run by CTest as `coverage_lcov`.
#   bash tests/coverage_lcov.sh path/to/policy
set -euo pipefail
policy="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v lcov > /dev/null || ! command -v genhtml > /dev/null; then
  echo "SKIPPED: lcov is not installed; the lcov tracefile was not read by lcov"
  [[ "${POLICY_NO_SKIP:-}" == 1 ]] && exit 1
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
export POLICY_TODAY=2025-09-01
"$policy" test --coverage --coverage-format lcov --coverage-output "$work/policy.info" policies > /dev/null 2>&1
"$policy" test --coverage --coverage-format json --coverage-output "$work/policy.json" policies > /dev/null 2>&1
lcov --summary --rc lcov_branch_coverage=1 "$work/policy.info" > "$work/summary.txt" 2>&1 ||
  { cat "$work/summary.txt"; echo "FAIL: lcov cannot read the tracefile"; exit 1; }
python3 - "$work/summary.txt" "$work/policy.json" <<'PY'
import json, re, sys
summary = open(sys.argv[1]).read()
coverage = json.load(open(sys.argv[2]))
def counts(what):
    m = re.search(r"%s\.*: [\d.]+%% \((\d+) of (\d+) %s" % (what, what), summary)
    if not m:
        sys.exit(f"FAIL: lcov's summary has no {what}:\n{summary}")
    return int(m.group(1)), int(m.group(2))
functions = counts("functions")
branches = counts("branches")
s = coverage["summary"]
want_functions = (s["rules_applied"], s["rules"])
seen = sum((c["true"] > 0) + (c["false"] > 0) for r in coverage["rules"] for c in r["conditions"])
want_branches = (seen, 2 * s["conditions"])
ok = functions == want_functions and branches == want_branches
print(f"{'ok' if ok else 'FAIL'}: lcov reads {functions[0]} of {functions[1]} rules applied and {branches[0]} of "
      f"{branches[1]} condition sides seen; the JSON coverage says {want_functions} and {want_branches}")
sys.exit(0 if ok else 1)
PY
genhtml --branch-coverage --quiet -o "$work/html" "$work/policy.info" > "$work/genhtml.txt" 2>&1 ||
  { cat "$work/genhtml.txt"; echo "FAIL: genhtml cannot render the tracefile"; exit 1; }
[[ -f "$work/html/index.html" && -f "$work/html/hk/employment.policy.gcov.html" ]] ||
  { ls -R "$work/html" | head -20; echo "FAIL: genhtml wrote no page for hk/employment.policy"; exit 1; }
grep -q "relaxation_2014\|part_time_on_campus_allowed" "$work/html/hk/employment.policy.gcov.html" ||
  { echo "FAIL: the page of hk/employment.policy does not show its source"; exit 1; }
echo "ok: genhtml renders the policies' coverage ($(find "$work/html" -name '*.gcov.html' | wc -l) source pages)"
