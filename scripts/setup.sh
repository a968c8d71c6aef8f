#!/usr/bin/env bash
# One-time (and idempotent) set-up of a Berth checkout: Node 24 and pnpm into .tools/, the
# workspace installed from the lockfile, every package built. Used by `npm run demo`.
# Long steps print a line per finished package and a "still running" line when quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bootstrap.sh
if ! command -v moto_server >/dev/null; then
  echo "setup: moto_server (the local AWS emulator) is not installed: pip install 'moto[server]'" >&2
  exit 1
fi
export TURBO_TELEMETRY_DISABLED=1 TURBO_UI=false
[ -t 2 ] || export NO_COLOR=1 FORCE_COLOR=0
echo "setup: installing the workspace (pnpm install)" >&2
node scripts/ci/step.ts -- pnpm install --frozen-lockfile --prefer-offline --reporter=append-only </dev/null >&2
echo "setup: building the six packages (a line as each is done; seconds when nothing changed)" >&2
# Only the libraries the demo runs: repo-checks would pull in every action bundle.
node scripts/ci/step.ts -- pnpm turbo run build --filter='./packages/*' \
  --filter='!@berth/repo-checks' --output-logs=new-only --log-order=grouped >&2
echo "setup: done" >&2
