#!/usr/bin/env bash
# The gate's A/A campaign, as docs/regression.md's procedure says: a baseline of 10 quick
# runs of the gated ids, then 10 checks of unchanged code, each run starting at least
# five minutes after the one before. The lock file is held only while a run measures.
set -u
here="${HERE:-$PWD}"   # the folder with the binary (./ctxbench); the baseline goes to ./base
bin=$here/ctxbench
base=$here/base
gap=300
filters=(--filter same-cpu --filter ring/ --filter workset/ --filter floor/ --filter spawn/ --filter uswitch/)
log=$here/campaign.log
next=$(date +%s)
wait_turn() {
    local now; now=$(date +%s)
    echo "$next" > $here/next-start
    if [ "$now" -lt "$next" ]; then sleep $((next - now)); fi
    next=$(( $(date +%s) + gap ))
}
for i in $(seq 1 "${CAL_RUNS:-10}"); do
    wait_turn
    touch /tmp/ctxbench-measuring
    s=$(date +%s)
    "$bin" check --calibrate --quick --runs 1 --gap 0s --baseline "$base" \
        --false-alarm 5% --threshold 5% "${filters[@]}" > $here/cal$i.out 2>&1
    rc=$?
    rm -f /tmp/ctxbench-measuring
    echo "$(date -u +%FT%TZ) calibrate $i rc=$rc $(( $(date +%s) - s )) s" >> $log
done
for i in $(seq 1 "${CHECKS:-10}"); do
    wait_turn
    touch /tmp/ctxbench-measuring
    s=$(date +%s)
    "$bin" check --baseline "$base" --false-alarm 5% --threshold 5% \
        --json $here/check$i.json --output-json $here/check$i-action.json \
        --bmf $here/check$i-bmf.json > $here/check$i.out 2>&1
    rc=$?
    rm -f /tmp/ctxbench-measuring
    echo "$(date -u +%FT%TZ) check $i rc=$rc $(( $(date +%s) - s )) s" >> $log
done
echo "$(date -u +%FT%TZ) done" >> $log
rm -f $here/next-start
