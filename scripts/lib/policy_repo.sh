# Sourced by the tests and benchmarks that review changes in git (tests/review_cli.sh,
# tests/ci_templates.sh, bench/review_time.sh).
#
#   git_sandbox WORK NAME   git run by a fixed identity (NAME@example.org) on a fixed date, with
#                           WORK as HOME and no system configuration: the same commits give the
#                           same hashes (golden files name them), and no user's settings leak in
#   policy_repo DIR         DIR a new repository whose `main` holds one commit, "base": the
#                           bundled policies and example cases
git_sandbox() {
  local work="$1" name="$2"
  export HOME="$work" GIT_CONFIG_NOSYSTEM=1
  export GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL="$name@example.org" GIT_COMMITTER_NAME="$name" \
    GIT_COMMITTER_EMAIL="$name@example.org" GIT_AUTHOR_DATE="2025-09-01T00:00:00Z" \
    GIT_COMMITTER_DATE="2025-09-01T00:00:00Z"
  git config --global init.defaultBranch main
  git config --global advice.detachedHead false
}

policy_repo() {
  local dir="$1" source_root
  source_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  mkdir -p "$dir/examples"
  cp -r "$source_root/policies" "$dir/policies"
  cp -r "$source_root/examples/cases" "$dir/examples/cases"
  git -C "$dir" init -q
  git -C "$dir" add -A
  git -C "$dir" commit -qm base
}
