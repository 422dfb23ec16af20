#!/usr/bin/env bash
# The CI regression gate: one quick run of the gated ids on this machine, judged id by id
# against the calibrated baseline committed for it (several runs of the same code on this
# machine, and the noise of every id among them: see README, "Regression tracking in CI").
#
#   scripts/ci-regression.sh --calibrate     # once per runner: make the baseline, commit it
#   scripts/ci-regression.sh                 # every pull request: the gate
#
# Check writes into $OUT_DIR (default ci-out/): current.json (this run),
# benchmark-action.json (the customSmallerIsBetter format benchmark-tracking actions read),
# bmf.json (the Bencher Metric Format, with each id's interval) and report.html (this run
# next to the baseline's newest run).
#
# Exit status: 0 nothing regressed, 1 a regression, 2 no (or too small a) baseline or bad
# input.
# Environment: GATE_BASELINE (results/gate: the baseline folder), FALSE_ALARM (5%: the
# chance that a check of unchanged code fails), THRESHOLD (5%: the smallest change that
# counts), OUT_DIR (ci-out), and, for --calibrate, RUNS (10), GAP (5m: the pause between
# runs) and GATE_FILTERS: the ids gated, as space-separated substrings. The default keeps
# to benchmarks pinned to one CPU: unpinned and cross-CPU round trips depend on where the
# scheduler and the hypervisor put the two sides (measured on a 2-vCPU VM: the same id gave
# a 4 us median in one run and 44 us in the next). A check runs the ids its baseline was
# calibrated with.
# Extra arguments go to `ctxbench check` (e.g. --cpus 2,3).
set -euo pipefail

cd "$(dirname "$0")/.."
baseline="${GATE_BASELINE:-results/gate}"
false_alarm="${FALSE_ALARM:-5%}"
threshold="${THRESHOLD:-5%}"
out_dir="${OUT_DIR:-ci-out}"

cargo build --release --quiet
bin=target/release/ctxbench

if [ "${1:-}" = "--calibrate" ]; then
    shift
    filters=()
    for f in ${GATE_FILTERS-same-cpu ring/ workset/ floor/ spawn/ uswitch/}; do
        filters+=(--filter "$f")
    done
    start=$SECONDS
    "$bin" check --calibrate --quick \
        --baseline "$baseline" \
        --runs "${RUNS:-10}" \
        --gap "${GAP:-5m}" \
        --false-alarm "$false_alarm" \
        --threshold "$threshold" \
        ${filters[@]+"${filters[@]}"} \
        "$@"
    echo "ci-regression: calibrated $baseline in $((SECONDS - start)) s; commit it:" \
        "git add $baseline && git commit -m 'Gate baseline for this runner'"
    exit 0
fi

mkdir -p "$out_dir"
rm -f "$out_dir/current.json"

# The baseline is what is committed: the folder as it is in HEAD, not local runs saved
# since (outside a git checkout, the folder as it is).
baseline_dir="$baseline"
if git rev-parse --verify --quiet HEAD >/dev/null 2>&1; then
    committed="$(mktemp -d)"
    trap 'rm -rf "$committed"' EXIT
    baseline_dir="$committed/$baseline"
    mkdir -p "$baseline_dir"
    while IFS= read -r -d '' f; do
        mkdir -p "$committed/$(dirname "$f")"
        git show "HEAD:$f" >"$committed/$f"
    done < <(git ls-tree -r -z --name-only HEAD -- "$baseline")
fi

status=0
start=$SECONDS
"$bin" check \
    --baseline "$baseline_dir" \
    --false-alarm "$false_alarm" \
    --threshold "$threshold" \
    --json "$out_dir/current.json" \
    --output-json "$out_dir/benchmark-action.json" \
    --bmf "$out_dir/bmf.json" \
    "$@" || status=$?
echo "ci-regression: the gate took $((SECONDS - start)) s"

if [ "$status" -eq 2 ]; then
    echo "ci-regression: no usable baseline in $baseline. On this runner, run" >&2
    echo "scripts/ci-regression.sh --calibrate and commit $baseline to make one." >&2
    exit 2
fi

newest=$(ls "$baseline_dir"/runs/*.json 2>/dev/null | tail -n 1 || true)
if [ -f "$out_dir/current.json" ] && [ -n "$newest" ]; then
    "$bin" compare "$newest" "$out_dir/current.json" -o "$out_dir/report.html"
fi

case "$status" in
    0) echo "ci-regression: nothing regressed" ;;
    1) echo "ci-regression: REGRESSION (see the table above and $out_dir/report.html)" >&2 ;;
    *) echo "ci-regression: ctxbench check failed with status $status" >&2 ;;
esac
exit "$status"
