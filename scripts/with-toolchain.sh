#!/usr/bin/env bash
# Runs a command with Berth's toolchain (Node 24, pnpm) first on PATH.
set -euo pipefail
. "$(dirname "$0")/bootstrap.sh"
exec "$@"
