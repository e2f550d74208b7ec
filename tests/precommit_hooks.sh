#!/usr/bin/env bash
# The hooks of .pre-commit-hooks.yaml run by the real `pre-commit` tool (Debian `pre-commit`), as a
# project that uses them gets them: a temporary repository of policies whose
# .pre-commit-config.yaml points at this repository's hooks, `pre-commit install`, then commits.
# A badly formatted policy is refused; once `policy fmt` has laid it out, the commit goes
# through; a policy that does not compile is refused by policy-check. Exit 77 (skipped, loudly)
# where pre-commit is not installed. Run by CTest as `precommit_hooks`.
#   bash tests/precommit_hooks.sh path/to/policy
set -euo pipefail
policy="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v pre-commit > /dev/null; then
  echo "SKIPPED: pre-commit is not installed (scripts/install-deps.sh installs it); the hooks were not run"
  # CI (.ci/run) sets POLICY_NO_SKIP: there, what cannot run is a failure.
  [[ "${POLICY_NO_SKIP:-}" == 1 ]] && exit 1
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export HOME="$work" PRE_COMMIT_HOME="$work/cache" GIT_CONFIG_NOSYSTEM=1 PATH="$(dirname "$policy"):$PATH"
export GIT_AUTHOR_NAME=hooks GIT_AUTHOR_EMAIL=hooks@example.org GIT_COMMITTER_NAME=hooks GIT_COMMITTER_EMAIL=hooks@example.org
git config --global init.defaultBranch main

# This repository's hooks, as pre-commit clones them: a repository holding .pre-commit-hooks.yaml.
mkdir "$work/hooks"
cp "$root/.pre-commit-hooks.yaml" "$work/hooks/"
(cd "$work/hooks" && git init -q && git add -A && git commit -qm hooks)
rev="$(git -C "$work/hooks" rev-parse HEAD)"

mkdir -p "$work/project/policies"
cd "$work/project"
git init -q
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $work/hooks
    rev: $rev
    hooks:
      - id: policy-fmt
      - id: policy-check
        args: [policies]
YAML
cat > policies/hours.policy <<'POLICY'
/// The weekly limit.
module demo.hours

record Student {
  hours: Int
}

/// "not more than 20 hours per week"
decision within_limit(s: Student) -> Bool
  source "ImmD FAQ Q20"
  default false
  rule limit
    when s.hours <= 20
    then true
POLICY
git add -A
git commit -qm "the config and a policy in fmt layout" --no-verify
pre-commit install > /dev/null

# Badly formatted: a new limit written out of the layout.
sed -i 's/^    when s.hours <= 20$/        when   s.hours<=24/' policies/hours.policy
git add policies/hours.policy
if git commit -qm "badly formatted" > "$work/out" 2>&1; then
  cat "$work/out"
  fail "a badly formatted policy was committed"
fi
grep -q "policy fmt --check.*Failed" "$work/out" || { cat "$work/out"; fail "policy-fmt did not say it failed"; }
grep -q "policies/hours.policy" "$work/out" || { cat "$work/out"; fail "policy-fmt did not name the file"; }
echo "ok a badly formatted policy is refused"

"$policy" fmt policies/hours.policy
git add policies/hours.policy
git commit -qm "formatted" > "$work/out" 2>&1 || { cat "$work/out"; fail "a formatted policy was refused"; }
grep -q "policy fmt --check.*Passed" "$work/out" || { cat "$work/out"; fail "policy-fmt did not pass"; }
grep -q "policy check.*Passed" "$work/out" || { cat "$work/out"; fail "policy-check did not pass"; }
echo "ok once formatted, the commit goes through"

# Well formatted but wrong: an unknown field. policy-check refuses it.
sed -i 's/^    when s.hours <= 24$/    when s.hour <= 24/' policies/hours.policy
git add policies/hours.policy
if git commit -qm "a typo" > "$work/out" 2>&1; then
  cat "$work/out"
  fail "a policy that does not compile was committed"
fi
grep -q "E0203" "$work/out" || { cat "$work/out"; fail "policy-check did not report E0203"; }
echo "ok a policy that does not compile is refused"
