#!/usr/bin/env bash
# The CI regression gate: a quick run on this machine, checked against the newest
# committed results file for this machine (results/<machine slug>/*.json in HEAD). Writes into
# $OUT_DIR (default ci-out/): current.json (this run), benchmark-action.json (the
# customSmallerIsBetter format benchmark-tracking actions read) and report.html (this run
# next to every committed machine).
#
# Exit status: 0 nothing regressed, 1 a regression, 2 no baseline or bad input.
# Environment: RESULTS_DIR (results), THRESHOLD (5%), OUT_DIR (ci-out), and
# GATE_FILTERS: the ids gated, as space-separated substrings. The default keeps to
# benchmarks pinned to one CPU: unpinned and cross-CPU round trips depend on where the
# scheduler and the hypervisor put the two sides (measured on a 2-vCPU VM: the same id
# gave a 4 us median in one run and 44 us in the next), which no noise rule can tell
# from a regression. GATE_FILTERS="" gates every id in the baseline.
# Extra arguments go to `ctxbench check` (e.g. --cpus 2,3).
#
# Usage: scripts/ci-regression.sh [ctxbench check options]
set -euo pipefail

cd "$(dirname "$0")/.."
results_dir="${RESULTS_DIR:-results}"
threshold="${THRESHOLD:-5%}"
out_dir="${OUT_DIR:-ci-out}"

cargo build --release --quiet
mkdir -p "$out_dir"
rm -f "$out_dir/current.json"

# The baseline is what is committed: results files as they are in HEAD, not local runs
# saved since (outside a git checkout, the folder as it is).
baseline_dir="$results_dir"
if git rev-parse --verify --quiet HEAD >/dev/null 2>&1; then
    committed="$(mktemp -d)"
    trap 'rm -rf "$committed"' EXIT
    baseline_dir="$committed/$results_dir"
    mkdir -p "$baseline_dir"
    while IFS= read -r -d '' f; do
        mkdir -p "$committed/$(dirname "$f")"
        git show "HEAD:$f" >"$committed/$f"
    done < <(git ls-tree -r -z --name-only HEAD -- "$results_dir")
fi

filters=()
for f in ${GATE_FILTERS-same-cpu ring/ workset/ floor/ spawn/ uswitch/}; do
    filters+=(--filter "$f")
done

status=0
cargo run --release --quiet -- check \
    --baseline "$baseline_dir" \
    --quick \
    --threshold "$threshold" \
    --json "$out_dir/current.json" \
    --output-json "$out_dir/benchmark-action.json" \
    ${filters[@]+"${filters[@]}"} \
    "$@" || status=$?

if [ "$status" -eq 2 ]; then
    echo "ci-regression: no usable baseline. On this runner, run scripts/bench-all.sh" >&2
    echo "and commit the new file under $results_dir/ to make one." >&2
    exit 2
fi

if [ -f "$out_dir/current.json" ]; then
    cargo run --release --quiet -- compare "$baseline_dir" "$out_dir/current.json" \
        -o "$out_dir/report.html"
fi

case "$status" in
    0) echo "ci-regression: nothing regressed" ;;
    1) echo "ci-regression: REGRESSION (see the table above and $out_dir/report.html)" >&2 ;;
    *) echo "ci-regression: ctxbench check failed with status $status" >&2 ;;
esac
exit "$status"
