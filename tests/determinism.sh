#!/usr/bin/env bash
# Determinism across processes and environments (docs/reliability.md): the `policy` command run
# twice, with the policy files in opposite orders, different locales and time zones, and
# glibc's malloc filling fresh memory with a pattern (MALLOC_PERTURB_), must print byte-identical
# output: evaluations with explanations in both formats, and diagnostics.
#   tests/determinism.sh path/to/policy
set -euo pipefail
cd "$(dirname "$0")/.."
policy=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
forward=(policies/)
mapfile -t backward < <(find policies -name '*.policy' | sort -r)

run() {  # run <env...> -- <args...>: appends the command's output (and exit code) to stdout
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" "$policy" "$@" 2>&1 && echo "exit 0" || echo "exit $?"
}
variant() {  # variant <name> <env...>: everything, written to $out/<name>
  local name=$1
  shift
  local -a files
  if [[ $name == a ]]; then files=("${forward[@]}"); else files=("${backward[@]}"); fi
  {
    for c in examples/cases/*.json; do
      for d in hk.employment.part_time_on_campus_allowed hk.entry.applicant_documents \
               hk.stay.limit_of_stay hust.residence_permit.letter_ready_on; do
        for fmt in human json; do
          run "$@" -- eval --decision "$d" --input "$c" --as-of 2025-09-01 --explain --format "$fmt" "${files[@]}"
        done
      done
    done
    run "$@" -- check --format json tests/golden/check/fail_several_errors_in_one_run.policy \
      tests/golden/check/fail_type_mismatch.policy
    run "$@" -- test "${files[@]}"
  } > "$out/$name"
}
variant a LC_ALL=C TZ=UTC
variant b LC_ALL=C.UTF-8 TZ=Asia/Shanghai MALLOC_PERTURB_=165
if ! cmp -s "$out/a" "$out/b"; then
  diff "$out/a" "$out/b" | head -40
  echo "determinism: outputs differ" >&2
  exit 1
fi
echo "determinism: $(wc -c < "$out/a") bytes identical across both runs"
