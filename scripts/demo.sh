#!/usr/bin/env bash
# The main job, from nothing: install the Debian packages, build, then check, test and evaluate
# the bundled policies on the example cases, with explanations.
#   bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOLICY_BUILD_TESTS=OFF
cmake --build build -j"$(nproc)"
policy=./build/cli/policy

echo; echo "== policy check policies/"
$policy check policies/
echo; echo "== policy test policies/"
$policy test policies/
# Every decision of the catalogue on every example case, as the JSON values other systems read.
for case in examples/cases/*.json; do
  echo; echo "== $case: every decision of examples/catalogue.txt (as of 2025-09-01)"
  grep -v '^#' examples/catalogue.txt | while read -r decision; do
    printf '%-55s ' "$decision"
    $policy eval --decision "$decision" --input "$case" --as-of 2025-09-01 --format json policies/ \
      | tr -d '\n' | sed -E 's/.*"value": (.*)\}$/\1/; s/ +/ /g'
    echo
  done
done
echo; echo "== why: policy eval --explain (see docs/walkthrough.md)"
$policy eval --decision hk.employment.internship_allowed \
  --input examples/cases/hk_undergraduate_with_jobs.json --as-of 2025-09-01 --explain policies/
$policy eval --decision hust.residence_permit.letter_ready_on \
  --input examples/cases/hust_first_time_applicant.json --as-of 2025-09-01 --explain policies/
echo; echo "== the evaluation contract: one decision as JSON"
$policy eval --decision hk.employment.part_time_on_campus_allowed \
  --input examples/cases/hk_mainland_undergraduate.json --as-of 2025-09-01 --format json policies/
