#!/usr/bin/env bash
# Installs every Debian package the project needs to build and test, on a fresh Debian 12
# (bookworm) machine. Run as root (or through sudo). Nothing is downloaded from outside apt.
#
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --dev    also clang-format (for contributors)
#   scripts/install-deps.sh --fuzz   also clang 14 and its sanitizer/libFuzzer runtime
#                                    (scripts/fuzz.sh; libclang-rt-14-dev is only a Recommends of
#                                    clang, so it is named explicitly)
set -euo pipefail

packages=(
  # compilers and build
  g++ make cmake ninja-build ccache pkg-config git ca-certificates
  # ANTLR 4: the tool (Java) generates the C++ parser at build time; the runtime is linked
  antlr4 default-jre-headless libantlr4-runtime-dev
  # libraries
  libfmt-dev nlohmann-json3-dev libcli11-dev
  # the SMT solver behind `policy analyze` and the proofs of `policy diff`
  libz3-dev
  # the optional JIT (runtime/jit, CMake option POLICY_JIT): LLVM 14, the version of clang-14
  # that builds the fuzz targets, so one LLVM serves both
  llvm-14-dev
  # `policy serve` (server/): HTTP on Boost.Beast/Asio (header-only), request JSON with simdjson
  libboost-dev libsimdjson-dev
  # tests and benchmarks; curl and wrk drive `policy serve` (tests/serve_cli.sh, bench/serve_load.sh)
  libgtest-dev libbenchmark-dev curl wrk
  # `policy review`'s tests: git repositories built by tests/review_cli.sh, the hooks of
  # .pre-commit-hooks.yaml run by pre-commit, SARIF validated against its schema with
  # python3-jsonschema (the schema itself from npm: tests/sarif/package-lock.json)
  python3 python3-jsonschema pre-commit
  # the Python package policylang (python/, docs/python.md): built with pybind11, tested with
  # pytest and pandas, installed with pip into a venv (--system-site-packages: setuptools and
  # wheel from here, since no other package index is reached)
  python3-dev pybind11-dev python3-pytest python3-pandas python3-venv python3-setuptools python3-wheel
  # the editor support's tests: headless Neovim with editors/nvim (tests/nvim_lsp.sh)
  neovim
  # `policy test --coverage`'s lcov tracefile read by lcov and genhtml (tests/coverage_lcov.sh)
  lcov
  # PostgreSQL 15, which tests/sql_postgres.sh starts on a private socket to run the SQL of
  # `policy sql` against the interpreter
  postgresql
)
# Node.js and npm for the front-end parts' npm dependencies (committed lock files). A machine that
# already has a working node and npm (NodeSource's nodejs bundles npm and conflicts with Debian's
# npm package) keeps them; otherwise Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
case "${1:-}" in
  --dev) packages+=(clang-format) ;;
  --fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
esac

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
