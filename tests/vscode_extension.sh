#!/usr/bin/env bash
# The VS Code extension (editors/vscode): its TextMate grammar tokenised by vscode-textmate (VS
# Code's own engine) on a bundled policy, then the .vsix built by scripts/package-vscode.sh and
# its contents checked (the client and its runtime packages in, the test and build tools out).
# Exit 77 (skipped, loudly) without node/npm or the registry; in CI (POLICY_NO_SKIP=1) a missing
# tool is a failure. Run by CTest as `vscode_extension`.
#   bash tests/vscode_extension.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
skip() {
  echo "SKIPPED: $1; the VS Code extension was not built or tested"
  [[ "${POLICY_NO_SKIP:-}" == 1 && "${2:-}" != network ]] && exit 1
  exit 77
}
command -v node > /dev/null || skip "node is not installed"
command -v npm > /dev/null || skip "npm is not installed"
SKIP_CODE=77 bash "$root/scripts/package-vscode.sh" "$build" ||
  { code=$?; [[ $code == 77 ]] && skip "npm could not install the extension's packages" network; exit $code; }
node "$build/npm/vscode/test/grammar_test.js" "$root/policies/hk/employment.policy"
python3 - "$build/policy-language.vsix" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
want = ["extension/package.json", "extension/extension.js", "extension/language-configuration.json",
        "extension/syntaxes/policy.tmLanguage.json", "extension/node_modules/vscode-languageclient/package.json"]
missing = [n for n in want if n not in names]
unwanted = sorted(n for n in names if n.startswith(("extension/test/", "extension/node_modules/@vscode/vsce/",
                                                     "extension/node_modules/vscode-textmate/")) or n.endswith(".log"))
for n in missing: print(f"FAIL: the .vsix lacks {n}")
for n in unwanted[:5]: print(f"FAIL: the .vsix carries {n}")
if missing or unwanted: sys.exit(1)
print(f"ok: the .vsix holds the client and its {sum(1 for n in names if '/node_modules/' in n)} runtime package files")
PY
