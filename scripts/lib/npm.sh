# Sourced by the tests and scripts that need packages from npm (their versions pinned by a committed
# package-lock.json): `npm_ci_into SOURCE_DIR DEST_DIR` installs SOURCE_DIR's package.json and
# lock into DEST_DIR (in the build tree, never the source tree), again only when the lock changed.
# Where npm or the registry is missing it calls `skip` (which the sourcing script defines:
# exit 77 loudly, or fail in CI) with a reason, and "network" as the second word when the
# registry could not be reached.
npm_ci_into() {
  local source="$1" dest="$2"
  if [[ -d "$dest/node_modules" ]] && cmp -s "$source/package-lock.json" "$dest/package-lock.json"; then
    return 0
  fi
  command -v npm > /dev/null || skip "npm is not installed"
  mkdir -p "$dest"
  cp "$source/package.json" "$source/package-lock.json" "$dest/"
  # Debian's node trusts only its own CA list; the system's (which holds any CA a proxy on the
  # way to the registry needs) is added.
  if [[ -z "${NODE_EXTRA_CA_CERTS:-}" && -f /etc/ssl/certs/ca-certificates.crt ]]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
  if ! (cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund > npm.log 2>&1); then
    cat "$dest/npm.log"
    rm -rf "$dest/node_modules"
    skip "npm ci could not fetch the packages of $source from the registry" network
  fi
}
