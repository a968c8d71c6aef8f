#!/usr/bin/env bash
# Provisions the toolchain Berth builds and tests with, from the npm registry only:
# Node 24 (published there as a platform package) and pnpm, into .tools/ (git-ignored).
# Source it (`. scripts/bootstrap.sh`) to get them on PATH; it is idempotent, quiet when
# everything is already there, and leaves the calling shell's options alone.

_berth_toolchain_bin() (
  set -euo pipefail
  node_version="${BERTH_NODE_VERSION:-24.21.0}"
  pnpm_version="${BERTH_PNPM_VERSION:-10.34.9}"
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  tools="${BERTH_TOOLS_DIR:-$root/.tools}"
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "bootstrap: unsupported OS $(uname -s); install Node 24 and pnpm $pnpm_version yourself" >&2; exit 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "bootstrap: unsupported CPU $(uname -m); install Node 24 and pnpm yourself" >&2; exit 1 ;;
  esac
  node_pkg="node-$os-$arch"
  node_bin="$tools/node_modules/$node_pkg/bin"
  if ! { [ -x "$node_bin/node" ] && [ -f "$tools/node_modules/pnpm/bin/pnpm.cjs" ] &&
    [ "$("$node_bin/node" --version)" = "v$node_version" ] &&
    [ "$("$node_bin/node" "$tools/node_modules/pnpm/bin/pnpm.cjs" --version)" = "$pnpm_version" ]; }; then
    command -v npm >/dev/null || { echo "bootstrap: npm is needed to fetch Node $node_version and pnpm; install Node.js first" >&2; exit 1; }
    echo "bootstrap: installing Node $node_version and pnpm $pnpm_version into ${tools#"$root"/}" >&2
    mkdir -p "$tools"
    [ -f "$tools/package.json" ] || echo '{"private":true}' >"$tools/package.json"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
      "$node_pkg@$node_version" "pnpm@$pnpm_version" >&2
  fi
  echo "$node_bin:$tools/node_modules/.bin"
)

if _berth_bin="$(_berth_toolchain_bin)"; then
  # Node 24 must win over whatever node the machine has; pnpm runs scripts with this PATH.
  case ":$PATH:" in
    *":$_berth_bin:"*) ;;
    *) export PATH="$_berth_bin:$PATH" ;;
  esac
  hash -r
  unset _berth_bin
else
  unset _berth_bin
  echo "bootstrap: could not provision the toolchain" >&2
  return 1 2>/dev/null || exit 1
fi
