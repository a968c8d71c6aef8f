#!/usr/bin/env bash
# .ci/run on a loaded machine: N runs in a row (default 3), each from a fresh clone of a
# commit (default HEAD), while two busy loops keep two CPUs at 100 %. Prints one line per
# run (passed or failed, seconds, the closing test count) and exits non-zero when any run
# failed; the logs stay in the printed directory.
#
#   bash scripts/ci/under-load.sh [runs] [commit]
#
# The busy loops are bounded: each stops by itself after BERTH_LOAD_MAX_SECONDS (default
# 5400) and all are killed when this script ends, however it ends. Uncommitted changes are
# not in the clone: commit first.
set -euo pipefail
runs="${1:-3}"
ref="${2:-HEAD}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
commit="$(git -C "$repo" rev-parse --verify "$ref^{commit}")"
work="$(mktemp -d "${TMPDIR:-/tmp}/berth-under-load.XXXXXX")"
max="${BERTH_LOAD_MAX_SECONDS:-5400}"

pids=()
stop_load() {
  if [ "${#pids[@]}" -gt 0 ]; then
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  pids=()
}
trap stop_load EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in 1 2; do
  # A shell loop doing nothing but spin, until its deadline.
  bash -c 'end=$((SECONDS + $1)); while [ "$SECONDS" -lt "$end" ]; do :; done' busy "$max" &
  pids+=("$!")
done
echo "under-load: $runs run(s) of .ci/run at ${commit:0:12}, two busy loops (pids ${pids[*]}); logs in $work"

failed=0
for i in $(seq 1 "$runs"); do
  clone="$work/run-$i"
  git clone --quiet --no-local "$repo" "$clone"
  git -C "$clone" checkout --quiet --detach "$commit"
  log="$work/run-$i.log"
  started=$(date +%s)
  if bash "$clone/.ci/run" </dev/null >"$log" 2>&1; then
    result=passed
  else
    result=FAILED
    failed=$((failed + 1))
  fi
  summary="$(grep -E '^tests: ' "$log" | tail -n 1 || true)"
  echo "run $i: $result in $(($(date +%s) - started))s; ${summary:-no test summary} ($log)"
  # The clone's dependencies and builds are large; its log is what is kept.
  rm -rf "$clone"
done
stop_load
if [ "$failed" -gt 0 ]; then
  echo "under-load: $failed of $runs run(s) failed"
  exit 1
fi
echo "under-load: all $runs run(s) passed"
