#!/usr/bin/env bash
# Provisions the toolchain Berth builds and tests with, from the npm registry only:
# Node 24 (published there as a platform package) and pnpm, into .tools/ (git-ignored).
# Source it (`. scripts/bootstrap.sh`) to get them on PATH; it is idempotent and quiet
# when everything is already there.
set -euo pipefail

BERTH_NODE_VERSION="${BERTH_NODE_VERSION:-24.21.0}"
BERTH_PNPM_VERSION="${BERTH_PNPM_VERSION:-10.34.9}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${BERTH_TOOLS_DIR:-$root/.tools}"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "bootstrap: unsupported OS $(uname -s); install Node 24 and pnpm $BERTH_PNPM_VERSION yourself" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "bootstrap: unsupported CPU $(uname -m); install Node 24 and pnpm yourself" >&2; exit 1 ;;
esac
node_pkg="node-$os-$arch"
node_bin="$tools/node_modules/$node_pkg/bin"

have_versions() {
  [ -x "$node_bin/node" ] && [ -x "$tools/node_modules/.bin/pnpm" ] &&
    [ "$("$node_bin/node" --version)" = "v$BERTH_NODE_VERSION" ] &&
    [ "$("$node_bin/node" "$tools/node_modules/pnpm/bin/pnpm.cjs" --version)" = "$BERTH_PNPM_VERSION" ]
}

if ! have_versions; then
  command -v npm >/dev/null || { echo "bootstrap: npm is needed to fetch Node $BERTH_NODE_VERSION and pnpm; install Node.js first" >&2; exit 1; }
  echo "bootstrap: installing Node $BERTH_NODE_VERSION and pnpm $BERTH_PNPM_VERSION into ${tools#"$root"/}" >&2
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"private":true}' > "$tools/package.json"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
    "$node_pkg@$BERTH_NODE_VERSION" "pnpm@$BERTH_PNPM_VERSION" >&2
fi

export PATH="$node_bin:$tools/node_modules/.bin:$PATH"
# Node 24 must win over whatever node the machine has; pnpm runs scripts with this PATH.
hash -r
