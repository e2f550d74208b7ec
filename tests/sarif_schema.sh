#!/usr/bin/env bash
# Every SARIF document `policy` writes, validated against the SARIF 2.1.0 JSON schema (the
# OASIS schema, 2.1.0-rtm.5, as the npm package @microsoft/jest-sarif ships it: installed with
# `npm ci` from tests/sarif/package-lock.json into the build directory) with Debian's
# python3-jsonschema: check, lint and analyze findings, `policy diff --format sarif`, and the
# golden SARIF of `policy review`. Exit 77 (skipped, loudly) where npm, the registry or
# python3-jsonschema is missing. Run by CTest as `sarif_schema`.
#   bash tests/sarif_schema.sh path/to/policy BUILD_DIR
set -euo pipefail
policy="$1"
build="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
fail() { echo "FAIL: $*"; exit 1; }
skip() {
  echo "SKIPPED: $1; the SARIF output was not validated against the schema"
  # CI (.ci/run) sets POLICY_NO_SKIP: there, a missing package is a failure. A registry that
  # cannot be reached is the network's doing, not the project's, and stays a loud skip.
  [[ "${POLICY_NO_SKIP:-}" == 1 && "${2:-}" != network ]] && exit 1
  exit 77
}
python3 -c 'import jsonschema' 2> /dev/null || skip "python3-jsonschema is not installed"
npm_dir="$build/npm/sarif"
schema="$npm_dir/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"
# shellcheck source=scripts/lib/npm.sh
source "$root/scripts/lib/npm.sh"
npm_ci_into "$root/tests/sarif" "$npm_dir"
[[ -f "$schema" ]] || fail "the schema is not at $schema"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export POLICY_TODAY=2025-09-01
run() {  # NAME ARGS...: write policy ARGS' standard output to $work/NAME.sarif (any exit code)
  local name="$1"
  shift
  "$policy" "$@" > "$work/$name.sarif" 2> /dev/null || true
}
run check_errors check --format sarif tests/golden/check/fail_type_mismatch.policy
run check_clean check --format sarif policies
run lint_warnings lint --format sarif tests/golden/lint/fail_shadowed_rule.policy
run analyze_findings analyze --format sarif --cases tests/golden/analyze/student.json tests/golden/analyze/fail_conflict.policy
run diff_changes diff --format sarif --as-of 2025-09-01 --cases tests/golden/diff/threshold.dir/case.json \
  tests/golden/diff/threshold.dir/old tests/golden/diff/threshold.dir/new
cp tests/golden/review/weekly_limit_raised.sarif "$work/review.sarif"
python3 - "$schema" "$work"/*.sarif <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft4Validator(schema)
bad = 0
for path in sys.argv[2:]:
    doc = json.load(open(path))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    results = sum(len(run.get("results", [])) for run in doc["runs"])
    for e in errors[:5]:
        print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}")
    bad += len(errors)
    print(f"{'ok' if not errors else 'INVALID'} {path.rsplit('/', 1)[1]}: {results} results")
    # A file that says nothing proves nothing: only the clean check may be empty.
    if results == 0 and not path.endswith("check_clean.sarif"):
        print(f"FAIL: {path} has no results"); bad += 1
sys.exit(1 if bad else 0)
PY
