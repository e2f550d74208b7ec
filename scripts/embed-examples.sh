#!/usr/bin/env bash
# The packaging check: install a build into a fresh prefix, then build examples/embed-cpp (CMake,
# find_package(policy)), examples/embed-c (make, pkg-config; and once more with the one line
# docs/embedding.md gives) and examples/hot-reload against that prefix only, and run them on the
# bundled policies, with no LD_LIBRARY_PATH: the link line must find libpolicy.so by itself.
# hot-reload runs on a copy of the policies that this script edits under it: a broken edit and a
# test-failing edit are refused while two workers keep answering, then a good edit is taken.
# Run by CTest as `embedding_examples`.
#   bash scripts/embed-examples.sh BUILD_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "$1" && pwd)"
work="$build/embed-examples"
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work.install.log" 2>&1 || { cat "$work.install.log"; exit 1; }
mkdir -p "$work"
mv "$work.install.log" "$work/install.log"

cmake -S "$root/examples/embed-cpp" -B "$work/embed-cpp" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/embed-cpp" > /dev/null
"$work/embed-cpp/embed-cpp" "$root/policies" "$root/examples/cases/hk_mainland_undergraduate.json"

cp -r "$root/examples/embed-c" "$work/embed-c"
pc_dir="$(dirname "$(find "$work/prefix" -name policy.pc)")"
PKG_CONFIG_PATH="$pc_dir" make -s -C "$work/embed-c"
"$work/embed-c/embed-c" "$root/policies" "$root/examples/cases/hk_mainland_undergraduate.json"

# The documented one-liner, exactly: cc app.c $(pkg-config --cflags --libs policy).
unset LD_LIBRARY_PATH
# shellcheck disable=SC2046
cc -std=c11 -o "$work/one-liner" "$root/examples/embed-c/main.c" $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs policy)
"$work/one-liner" "$root/policies" "$root/examples/cases/hk_mainland_undergraduate.json" > "$work/one-liner.out"
grep -q "allowed in 1000 of 1000 policy_decide calls" "$work/one-liner.out" ||
  { cat "$work/one-liner.out"; echo "FAIL: the pkg-config one-liner's program did not run"; exit 1; }
echo "pkg-config one-liner: built and ran without LD_LIBRARY_PATH"

# Hot reload under two workers, on a copy of the policies edited while it serves.
cmake -S "$root/examples/hot-reload" -B "$work/hot-reload" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/hot-reload" > /dev/null

run_hot_reload() {  # run_hot_reload BINARY NAME: the edits below under BINARY, its output in $work/NAME.log
  local binary=$1 log="$work/$2.log" live="$work/$2-policies" pid
  rm -rf "$live"
  cp -r "$root/policies" "$live"
  local employment="$live/hk/employment.policy"
  "$binary" "$live" "$root/examples/cases/hk_mainland_undergraduate.json" 3 > "$log" 2>&1 &
  pid=$!
  wait_for() {  # wait_for N: until the log reports N reload attempts (at most 60 s)
    for _ in $(seq 600); do
      [[ $(grep -c '^reload' "$log") -ge $1 ]] && return 0
      sleep 0.1
    done
    cat "$log"
    echo "FAIL: $2 did not report reload $1"
    kill "$pid" 2> /dev/null
    exit 1
  }
  until grep -q '^serving version' "$log"; do
    kill -0 "$pid" 2> /dev/null || { cat "$log"; echo "FAIL: $2 did not start"; exit 1; }
    sleep 0.1
  done
  sleep 0.5  # the workers are answering on the first version
  printf '\ndecision broken(\n' >> "$employment"                                      # does not compile
  wait_for 1
  sed 's/value 20 effective from 2014-03-17/value 24 effective from 2014-03-17/' \
    "$root/policies/hk/employment.policy" > "$employment"                              # its tests fail
  wait_for 2
  sleep 0.5
  cp "$root/policies/hk/employment.policy" "$employment"                               # as it was: taken
  wait_for 3
  wait "$pid" || { cat "$log"; echo "FAIL: $2 reported errors"; exit 1; }
  cat "$log"
  grep -q '^reload refused (compile_failed)' "$log" || { echo "FAIL: the broken edit was not refused"; exit 1; }
  grep -q '^reload refused (tests_failed)' "$log" || { echo "FAIL: the test-failing edit was not refused"; exit 1; }
  grep -q '^reload: version [0-9]* serving' "$log" || { echo "FAIL: the good edit was not taken"; exit 1; }
  [[ $(grep -c '^worker [12]: evaluated, 0 errors, versions seen: [0-9]* [0-9]*$' "$log") -eq 2 ]] ||
    { echo "FAIL: each worker must answer on both versions without an error"; exit 1; }
}
run_hot_reload "$work/hot-reload/hot-reload" hot-reload

# The same program built with ThreadSanitizer against the installed (uninstrumented) library, run
# with the suppressions file the package installs for that case (docs/embedding.md): no report.
supp="$work/prefix/share/policy/tsan-uninstrumented.supp"
[[ -f "$supp" ]] || { echo "FAIL: the package does not install $supp"; exit 1; }
if echo 'int main(){}' | c++ -x c++ -fsanitize=thread -o "$work/tsan-probe" - 2> /dev/null; then
  cmake -S "$root/examples/hot-reload" -B "$work/hot-reload-tsan" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DCMAKE_CXX_FLAGS="-fsanitize=thread -g" > /dev/null
  cmake --build "$work/hot-reload-tsan" > /dev/null
  TSAN_OPTIONS="suppressions=$supp:halt_on_error=1:exitcode=66" \
    run_hot_reload "$work/hot-reload-tsan/hot-reload" hot-reload-tsan
  if grep -q 'WARNING: ThreadSanitizer' "$work/hot-reload-tsan.log"; then
    echo "FAIL: ThreadSanitizer reported a race with the installed suppressions"
    exit 1
  fi
  echo "hot reload under ThreadSanitizer (uninstrumented library, installed suppressions): no report"
else
  echo "SKIPPED: this compiler cannot build with -fsanitize=thread; the TSan run of hot-reload was not made"
fi
echo "embedding examples: every check passed"
