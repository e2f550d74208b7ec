#!/usr/bin/env bash
# The Python package policylang (python/, docs/python.md):
#  1. the pytest suite (tests/python/) on the package in the build tree, against the `policy`
#     command of the same build;
#  2. `pip install --no-build-isolation ./python` into a virtual environment made with
#     --system-site-packages (every Python dependency from Debian; --no-index: no package index
#     is reached), building against this build directory, and the installed package used from
#     another directory.
# Exit 77 (skipped, loudly) when the package was not built or pytest is missing; in CI
# (POLICY_NO_SKIP=1) that is a failure. Run by CTest as `python_package`.
#   bash tests/python_package.sh BUILD_DIR path/to/policy
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "$1" && pwd)"
policy="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
python=${POLICY_PYTHON:-/usr/bin/python3}
skip() {
  echo "SKIPPED: $1"
  [[ "${POLICY_NO_SKIP:-}" == 1 ]] && exit 1
  exit 77
}
compgen -G "$build/python/policylang/_policylang*.so" > /dev/null ||
  skip "the package was not built (needs python3-dev and pybind11-dev: scripts/install-deps.sh)"
"$python" -c 'import pytest' 2> /dev/null || skip "pytest is not installed for $python (python3-pytest)"

echo "== pytest on the build tree's policylang"
PYTHONPATH="$build/python" POLICY_BIN="$policy" "$python" -m pytest -q -p no:cacheprovider "$root/tests/python"

echo "== pip install into a virtual environment"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m venv --system-site-packages "$work/venv"
POLICY_BUILD_DIR="$build" "$work/venv/bin/pip" install --no-build-isolation --no-index --quiet "$root/python"
cd "$work"
"$work/venv/bin/python" - "$root" <<'PY'
import json, pathlib, sys
import policylang
root = pathlib.Path(sys.argv[1])
where = pathlib.Path(policylang.__file__).resolve()
assert "site-packages" in where.parts, f"imported from {where}, not from the virtual environment"
policies = policylang.PolicySet.load([str(root / "policies")])
case = json.loads((root / "examples/cases/hk_exchange_student.json").read_text())
outcome = policies.decision("hk.employment.part_time_on_campus_allowed").evaluate(case, as_of="2025-09-01")
assert outcome.value is False and outcome.applicable, outcome
print(f"installed policylang from {where.parent}: {outcome}")
PY
