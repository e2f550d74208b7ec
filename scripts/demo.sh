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
for case in examples/cases/*.json; do
  for decision in hk.employment.part_time_on_campus_allowed hk.employment.part_time_max_hours_per_week; do
    echo; echo "== policy eval --decision $decision --input $case --explain policies/"
    $policy eval --decision "$decision" --input "$case" --as-of 2025-09-01 --explain policies/
  done
done
echo; echo "== the same decision as JSON (the evaluation contract)"
$policy eval --decision hk.employment.part_time_on_campus_allowed \
  --input examples/cases/hk_mainland_undergraduate.json --as-of 2025-09-01 --format json policies/
