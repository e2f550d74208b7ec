#!/usr/bin/env bash
# `policy lsp` in headless Neovim with the shipped configuration (editors/nvim/init.lua): the
# typo of tests/nvim/check.lua must be reported with the code and range `policy check` gives for
# the same text, a hover must show the rule's source, and the fix must clear it. Exit 77
# (skipped, loudly) without nvim; in CI (POLICY_NO_SKIP=1) that is a failure. Run by CTest as
# `nvim_lsp`.
#   bash tests/nvim_lsp.sh path/to/policy
set -euo pipefail
policy="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v nvim > /dev/null; then
  echo "SKIPPED: nvim is not installed; the Neovim configuration was not tested"
  [[ "${POLICY_NO_SKIP:-}" == 1 ]] && exit 1
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/policies" "$work/policies"
git -C "$work" init -q  # the root marker the configuration looks for
export POLICY_BIN="$policy" POLICY_TODAY=2025-09-01 POLICY_NVIM_OUT="$work/out.txt"
export POLICY_NVIM_EDITED="$work/edited.policy" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"
export XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
status=0
(cd "$work" && timeout 120 nvim --headless -n -i NONE -u "$root/editors/nvim/init.lua" \
  policies/hk/employment.policy -c "luafile $root/tests/nvim/check.lua") > "$work/nvim.log" 2>&1 || status=$?
cat "$work/out.txt" 2> /dev/null || true
if [[ $status -ne 0 ]]; then
  cat "$work/nvim.log"
  echo "FAIL: nvim exited with $status"
  exit 1
fi
# The CLI on the text Neovim saved: the same code and range.
cp "$work/edited.policy" "$work/policies/hk/employment.policy"
expected="$({ "$policy" check --format json "$work/policies" || true; } | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
print("diagnostic {} {}:{}-{}:{}".format(d["code"], d["line"], d["column"], d["end_line"], d["end_column"]))')"
grep -qxF "$expected" "$work/out.txt" || { echo "FAIL: Neovim did not show \`$expected\` (policy check's)"; exit 1; }
grep -qxF "hover-source ImmD FAQ Q20" "$work/out.txt" || { echo "FAIL: the hover did not show the rule's source"; exit 1; }
grep -qxF "cleared" "$work/out.txt" || { echo "FAIL: the fix did not clear the diagnostic"; exit 1; }
echo "ok: Neovim $(nvim --version | head -1 | cut -d' ' -f2) shows $expected, the rule's source on hover, and clears it"
