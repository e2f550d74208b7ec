#!/usr/bin/env bash
# The CI integrations of docs/ci.md, run as their CI systems would run them, on a temporary
# repository whose head deletes the exchange-student exception (which breaks two tests):
# - action.yml (GitHub): the scripts of its Review and Verdict steps, with the variables its
#   `env:` maps would set: the markdown lands in the job summary, the SARIF file is written,
#   the outputs hold the verdict and exit code, and the Verdict step fails the job;
# - integrations/gitlab/policy-review.gitlab-ci.yml: the policy-review job's script in a clone
#   with an `origin`, as a merge-request pipeline: the JUnit report has the two failures, the
#   SARIF and markdown reports are written, and the job fails.
# Run by CTest as `ci_templates`.
#   bash tests/ci_templates.sh path/to/policy
set -euo pipefail
policy="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export POLICY_TODAY=2025-09-01
# shellcheck source=scripts/lib/policy_repo.sh
source "$root/scripts/lib/policy_repo.sh"
git_sandbox "$work" ci

# origin: main holds the bundled policies, `feature` deletes the exchange-student exception.
policy_repo "$work/origin"
cd "$work/origin"
base="$(git rev-parse HEAD)"
git checkout -q -b feature
python3 - policies/hk/employment.policy <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
start = text.index('  /// "Non-local exchange students ... may take up')
end = text.index('    then false\n', start) + len('    then false\n')
open(path, 'w').write(text[:start].rstrip('\n') + '\n' + text[end:])
PY
git commit -qam "drop the exchange-student exception"
git checkout -q main

# The run script of one step, or the script of one job, from the YAML.
step_script() {  # FILE STEP_NAME
  python3 - "$1" "$2" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
step = next(s for s in doc["runs"]["steps"] if s["name"] == sys.argv[2])
print(step["run"])
PY
}

# --- GitHub ----------------------------------------------------------------------------------
git clone -q "$work/origin" "$work/github" && cd "$work/github" && git checkout -q feature
gh="$work/gh" && mkdir "$gh"
: > "$gh/summary" && : > "$gh/output" && : > "$gh/env"
step_script "$root/action.yml" Review > "$gh/review.sh"
set +e
env PATHS=policies BASE= PR_BASE="$base" FAIL_ON=error AS_OF= CASES= SARIF=policy-review.sarif \
  POLICY_BIN="$policy" GITHUB_STEP_SUMMARY="$gh/summary" GITHUB_OUTPUT="$gh/output" GITHUB_ENV="$gh/env" \
  bash --noprofile --norc -eo pipefail "$gh/review.sh" > "$gh/log" 2>&1
code=$?
set -e
[[ "$code" == 0 ]] || { cat "$gh/log"; fail "github: the Review step itself failed ($code): it must leave failing to Verdict"; }
grep -q "Policy review: 2 decisions decide differently; 2 tests newly fail" "$gh/summary" || { cat "$gh/summary"; fail "github: the job summary"; }
grep -q "^exit-code=1$" "$gh/output" || fail "github: outputs $(cat "$gh/output")"
grep -q "^verdict=2 decisions decide differently; 2 tests newly fail$" "$gh/output" || fail "github: outputs $(cat "$gh/output")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"] == "2.1.0" and d["runs"][0]["results"]' policy-review.sarif ||
  fail "github: the SARIF file"
grep -q "^POLICY_REVIEW_EXIT=1$" "$gh/env" || fail "github: the exit code for the Verdict step"
step_script "$root/action.yml" Verdict > "$gh/verdict.sh"
set +e
POLICY_REVIEW_EXIT=1 bash --noprofile --norc -eo pipefail "$gh/verdict.sh"
code=$?
set -e
[[ "$code" == 1 ]] || fail "github: the Verdict step exits $code"
echo "ok github: summary, outputs, SARIF, and the job fails on the new test failures"

# --- GitLab ----------------------------------------------------------------------------------
git clone -q "$work/origin" "$work/gitlab" && cd "$work/gitlab" && git checkout -q feature
python3 - "$root/integrations/gitlab/policy-review.gitlab-ci.yml" > "$work/gitlab.sh" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for name, value in doc["variables"].items():
    print(f'export {name}="${{{name}:-{value}}}"')
for line in doc["policy-review"]["script"]:
    print(line)
PY
set +e
CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main POLICY_BIN="$policy" bash -eo pipefail "$work/gitlab.sh" > "$work/gitlab.log" 2>&1
code=$?
set -e
[[ "$code" == 1 ]] || { cat "$work/gitlab.log"; fail "gitlab: the job exits $code, expected 1"; }
grep -q "Policy review: 2 decisions decide differently" "$work/gitlab.log" || { cat "$work/gitlab.log"; fail "gitlab: the markdown in the log"; }
python3 - policy-junit.xml <<'PY' || fail "gitlab: the JUnit report"
import sys, xml.etree.ElementTree as ET
failures = ET.parse(sys.argv[1]).getroot().findall(".//testcase/failure")
assert len(failures) == 2, len(failures)
PY
[[ -s policy-review.sarif && -s policy-review.md ]] || fail "gitlab: the artifacts"
echo "ok gitlab: JUnit with the two failures, SARIF and markdown artifacts, and the job fails"
