#!/usr/bin/env bash
# One-time (and idempotent) set-up of a Berth checkout: Node 24 and pnpm into .tools/, the
# workspace installed from the lockfile, every package built. Used by `npm run demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bootstrap.sh
if ! command -v moto_server >/dev/null; then
  echo "setup: moto_server (the local AWS emulator) is not installed: pip install 'moto[server]'" >&2
  exit 1
fi
pnpm install --frozen-lockfile --prefer-offline --reporter=silent </dev/null
TURBO_TELEMETRY_DISABLED=1 pnpm turbo run build --output-logs=errors-only --filter='./packages/*' >&2
