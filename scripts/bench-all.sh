#!/usr/bin/env bash
# Runs every benchmark with full sampling and saves the results file under
# results/<machine>/<UTC time>.json (or under $RESULTS_DIR), then says where it went.
# Extra arguments go to `ctxbench run` (e.g. --cpus 2,3 or --filter pingpong).
#
# Usage: scripts/bench-all.sh [ctxbench run options]
set -euo pipefail

cd "$(dirname "$0")/.."
results_dir="${RESULTS_DIR:-results}"

cargo build --release --quiet
marker="$(mktemp)"
trap 'rm -f "$marker"' EXIT

status=0
cargo run --release --quiet -- run --save --results-dir "$results_dir" "$@" || status=$?

echo
echo "results files written:"
find "$results_dir" -name '*.json' -newer "$marker" -print | sort | sed 's/^/  /'
echo "compare machines with: scripts/compare.sh"
if [ "$status" -ne 0 ]; then
    echo "ctxbench run exited with $status (a benchmark failed or was invalid; see above)" >&2
fi
exit "$status"
