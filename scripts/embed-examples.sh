#!/usr/bin/env bash
# The packaging check: install a build into a fresh prefix, then build examples/embed-cpp (CMake,
# find_package(policy)) and examples/embed-c (make, pkg-config) against that prefix only, and run
# both on the bundled policies. Run by CTest as `embedding_examples`.
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
