#!/usr/bin/env bash
# Builds the libFuzzer targets with clang 14 (ASan + UBSan + coverage) in build-fuzz/ and runs
# each one for a bounded time, starting from its seed corpus and its regression inputs.
#
#   bash scripts/fuzz.sh                      every target, 60 s each (what CI runs)
#   bash scripts/fuzz.sh --time 1800          every target, 30 minutes each
#   bash scripts/fuzz.sh --time 600 case_json one target
#
# The committed corpus is read-only here: each run works in a copy under build-fuzz/work/, so
# what a long run learns can be reviewed before it is added to fuzz/corpus/. A crash stops the
# run with the input saved as build-fuzz/artifacts/<target>/crash-*; minimise it
# (fuzz_<target> -minimize_crash=1), fix the bug, and commit the input to
# fuzz/regressions/<target>/, where every later build replays it (CTest fuzz_replay_<target>).
# The last line per target is libFuzzer's final stats (execs, execs/s); a summary is appended
# to build-fuzz/fuzz-log.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
if [[ "${1:-}" == "--time" ]]; then
  seconds=$2
  shift 2
fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(front_end case_json well_typed format lsp_messages)
fi

bash scripts/install-deps.sh --fuzz
# -O1 with line tables: the usual setting for libFuzzer builds (coverage stays precise, crashes name
# their lines), and quicker to build than -O2 -g.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" \
  -DPOLICY_FUZZ=ON -DPOLICY_BUILD_TESTS=OFF -DPOLICY_BUILD_BENCH=OFF
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
# A leak inside the ANTLR 4.9 runtime we cannot fix (tests/lsan.supp says which and why).
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  work=build-fuzz/work/$t
  artifacts=build-fuzz/artifacts/$t
  rm -rf "$work"
  mkdir -p "$work" "$artifacts"
  cp fuzz/corpus/"$t"/* "$work"/
  echo "fuzz: $t for ${seconds}s"
  # -timeout: a single input taking 10 s is a finding (evaluation is bounded well below that).
  # -rss_limit_mb: the engine's own limits keep one input far below 2 GB.
  # (pipefail off here: the fuzzer's own exit status is the one that matters.)
  set +e +o pipefail
  ./build-fuzz/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -entropic=0 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$work" fuzz/regressions/"$t" 2>&1 | tee build-fuzz/"$t".log | grep -E "^(stat::|#[0-9]+ +DONE|==|SUMMARY|INFO: -max_total)"
  status=${PIPESTATUS[0]}
  set -e -o pipefail
  execs=$(grep -E '^stat::number_of_executed_units' build-fuzz/"$t".log | awk '{print $2}')
  rate=$(grep -E '^stat::average_exec_per_sec' build-fuzz/"$t".log | awk '{print $2}')
  echo "$(date -u +%FT%TZ) $t seconds=$seconds execs=${execs:-?} execs_per_sec=${rate:-?} exit=$status" \
    | tee -a build-fuzz/fuzz-log.txt
  if [[ $status -ne 0 ]]; then
    echo "fuzz: $t found a problem; the input is in $artifacts/" >&2
    exit 1
  fi
done
