#!/usr/bin/env bash
# `policy lsp` driven by a real client: tests/lsp/client_test.mjs on Node with vscode-jsonrpc
# (from npm, pinned by tests/lsp/package-lock.json, installed into the build tree). Exit 77
# (skipped, loudly) where Node, npm or the registry is missing; in CI (POLICY_NO_SKIP=1) a
# missing tool is a failure. Run by CTest as `lsp_client`.
#   bash tests/lsp_client.sh path/to/policy BUILD_DIR
set -euo pipefail
policy="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
build="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
skip() {
  echo "SKIPPED: $1; \`policy lsp\` was not driven by a real client"
  [[ "${POLICY_NO_SKIP:-}" == 1 && "${2:-}" != network ]] && exit 1
  exit 77
}
command -v node > /dev/null || skip "node is not installed"
# shellcheck source=scripts/lib/npm.sh
source "$root/scripts/lib/npm.sh"
client="$build/npm/lsp"
npm_ci_into "$root/tests/lsp" "$client"
# The test runs from beside its node_modules, where Node resolves its imports.
cp "$root/tests/lsp/client_test.mjs" "$client/"
node "$client/client_test.mjs" "$policy" "$root"
