#!/usr/bin/env bash
# Builds the VS Code extension (editors/vscode) into build/policy-language.vsix with vsce, from
# the packages pinned by editors/vscode/package-lock.json (installed with `npm ci` into
# build/npm/vscode; nothing is written to the source tree). Install the result with
#   code --install-extension build/policy-language.vsix
#   bash scripts/package-vscode.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" 2> /dev/null && pwd || { mkdir -p "${1:-$root/build}" && cd "${1:-$root/build}" && pwd; })"
# Only a registry that cannot be reached exits with SKIP_CODE (tests/vscode_extension.sh sets 77,
# a loud skip); anything else is a failure.
skip() {
  echo "package-vscode: $1" >&2
  [[ "${2:-}" == network ]] && exit "${SKIP_CODE:-1}"
  exit 1
}
# shellcheck source=scripts/lib/npm.sh
source "$root/scripts/lib/npm.sh"
stage="$build/npm/vscode"
npm_ci_into "$root/editors/vscode" "$stage"
# The extension's own files beside the installed packages (test/ too: tests run it from here).
(cd "$root/editors/vscode" && tar --exclude=node_modules --exclude='*.vsix' -cf - .) | (cd "$stage" && tar -xf -)
(cd "$stage" && npx --no-install vsce package --skip-license --allow-missing-repository \
  --out "$build/policy-language.vsix" > vsce.log 2>&1) || { cat "$stage/vsce.log"; skip "vsce could not package the extension"; }
# The lock file pins every package to one that runs on Debian 12's Node.js 18 (package.json's
# `overrides` hold vsce's publishing libraries back from versions that need Node.js 20).
echo "package-vscode: $build/policy-language.vsix ($(wc -c < "$build/policy-language.vsix") bytes)"
