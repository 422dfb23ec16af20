#!/usr/bin/env bash
# Compares ctxbench's process-pipe and thread-pipe ping-pongs on one CPU with the kernel's
# own `perf bench sched pipe` pinned to the same CPU (the same method: two pipes, a small
# write each way), interleaving the two so both see the same machine state. Prints each
# median and the ratio ctxbench / perf. Needs perf (Debian: linux-perf) and jq.
#
# Usage: scripts/peer-pipe.sh [ROUNDS] [CPU]
set -euo pipefail
rounds=${1:-5}
cpu=${2:-$(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' | head -1 | cut -d- -f1)}
command -v perf >/dev/null || { echo "perf is not installed (Debian: linux-perf)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is not installed (Debian: jq)" >&2; exit 2; }
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/ctxbench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for mode in process thread; do
  flag=""; [ "$mode" = thread ] && flag="-T"
  : > "$tmp/ours"; : > "$tmp/peer"
  for _ in $(seq "$rounds"); do
    "$bin" run --quick --no-counters --cpus "$cpu" --filter "pingpong/$mode-pipe/same-cpu" --json "$tmp/r.json" >/dev/null 2>&1
    jq --arg id "pingpong/$mode-pipe/same-cpu" '.results[] | select(.id == $id) | .ns_per_round_trip.median' "$tmp/r.json" >> "$tmp/ours"
    taskset -c "$cpu" perf bench sched pipe $flag -l 100000 2>/dev/null \
      | awk '/usecs\/op/ { print $1 * 1000 }' >> "$tmp/peer"
  done
  ours=$(median < "$tmp/ours"); peer=$(median < "$tmp/peer")
  awk -v m="$mode" -v c="$cpu" -v o="$ours" -v p="$peer" 'BEGIN {
    printf "%s-pipe/same-cpu on CPU %s: ctxbench %.0f ns/rt, perf bench sched pipe %.0f ns/rt, ratio %.3f\n", m, c, o, p, o / p }'
done
