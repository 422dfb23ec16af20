#!/usr/bin/env bash
# Compares each same-CPU ping-pong of ctxbench with a minimal reference doing the same
# round trip on the same CPU: the pipe pair with the kernel's `perf bench sched pipe`
# (-T for threads), the futex, eventfd and condvar ids with the C loops in refs/ (built
# with the system cc into target/refs/). For each id it interleaves ROUNDS quick
# ctxbench runs with ROUNDS reference runs of about half a second each, alternating which
# goes first, so both see the same machine state; then prints the median over the rounds
# of each side (ctxbench: the mean of its batches, a reference: its one loop) and the
# ratio ctxbench / reference (1.000 = no overhead beyond the mechanism itself).
#
# Usage: scripts/peers.sh [--ids ID,ID,..] [ROUNDS] [CPU]
#   ROUNDS  runs of each side per id (default 5)
#   CPU     the CPU both sides of every ping-pong run on (default: the first one allowed)
#   --ids   only these ids, by short name (thread-futex) or full id
#           (pingpong/thread-futex/same-cpu); default: all of them, in this order:
#           process-pipe thread-pipe thread-futex thread-futex-shared process-futex
#           thread-eventfd process-eventfd thread-condvar
# An id ctxbench does not have yet reads "n/a (ctxbench has no such id)"; its reference
# still runs. Needs jq, cargo and taskset, perf (Debian: linux-perf) for the pipe ids and
# cc for the others; exits 2 when one is missing.
set -euo pipefail

all=(process-pipe thread-pipe thread-futex thread-futex-shared process-futex
  thread-eventfd process-eventfd thread-condvar)
# Reference run length: loops are sized from a short calibration run to take this long.
target_ns=500000000

usage() { # $1 = exit status
  sed -n '10,19p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit "$1"
}

ids=("${all[@]}")
while [ $# -gt 0 ]; do
  case $1 in
    --ids) [ $# -ge 2 ] || usage 2; IFS=, read -r -a ids <<< "$2"; shift 2 ;;
    --ids=*) IFS=, read -r -a ids <<< "${1#--ids=}"; shift ;;
    -h | --help) usage 0 ;;
    --) shift; break ;;
    -*) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -le 2 ] || usage 2

# Short names, checked against the known list; C loops and perf needed or not.
need_cc=0 need_perf=0
for i in "${!ids[@]}"; do
  s=${ids[i]#pingpong/}; s=${s%/same-cpu}; ids[i]=$s
  case " ${all[*]} " in *" $s "*) ;; *) echo "unknown id '$s' (known: ${all[*]})" >&2; exit 2 ;; esac
  case $s in *-pipe) need_perf=1 ;; *) need_cc=1 ;; esac
done
[ ${#ids[@]} -gt 0 ] || { echo "--ids names no id" >&2; exit 2; }

need() { command -v "$1" >/dev/null || { echo "$1 is not installed${2:+ ($2)}" >&2; exit 2; }; }
need jq "Debian: jq"
need cargo
need taskset "Debian: util-linux"
[ "$need_perf" = 0 ] || need perf "Debian: linux-perf"
[ "$need_cc" = 0 ] || need cc "Debian: gcc"

rounds=${1:-5}
cpu=${2:-$(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' | head -1 | cut -d- -f1)}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive integer, not '$rounds'" >&2; exit 2; }
[[ $cpu =~ ^[0-9]+$ ]] || { echo "CPU must be a CPU number, not '$cpu'" >&2; exit 2; }

cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/ctxbench
refs=target/refs
if [ "$need_cc" = 1 ]; then
  mkdir -p "$refs"
  for m in futex eventfd condvar; do
    cc -O2 -Wall -Wextra -Werror -pthread -o "$refs/ref-$m" "refs/$m.c"
  done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" list > "$tmp/known"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# What the reference for a short id is called, for the report.
ref_name() {
  case $1 in
    process-pipe) echo "perf bench sched pipe" ;;
    thread-pipe) echo "perf bench sched pipe -T" ;;
    thread-futex) echo "ref-futex thread" ;;
    thread-futex-shared) echo "ref-futex thread-shared" ;;
    process-futex) echo "ref-futex process" ;;
    thread-eventfd) echo "ref-eventfd thread" ;;
    process-eventfd) echo "ref-eventfd process" ;;
    thread-condvar) echo "ref-condvar thread" ;;
  esac
}

# Runs the reference for short id $1 with $2 round trips on $cpu; prints ns per round
# trip, or fails. A reference that hangs is ended after two minutes.
reference() {
  local out
  case $1 in
    *-pipe)
      local t=""; [ "$1" = thread-pipe ] && t="-T"
      out=$(timeout 120 taskset -c "$cpu" perf bench sched pipe ${t:+"$t"} -l "$2" 2>/dev/null) || return 1
      echo "$out" | awk '/usecs\/op/ { print $1 * 1000; ok = 1 } END { exit !ok }' ;;
    *)
      # "ref-futex thread" -> target/refs/ref-futex thread LOOPS CPU
      local name; name=$(ref_name "$1")
      out=$(timeout 120 "$refs/${name% *}" "${name#* }" "$2" "$cpu") || return 1
      echo "$out" | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "ns/rt") { print $i; ok = 1 } } END { exit !ok }' ;;
  esac
}

# One quick ctxbench run of full id $1 on $cpu; prints "mean-ns/rt valid", or fails.
# The mean of its timed batches, not their median: a reference times one long loop, which
# is a mean, and on a VM with occasional slow batches the two differ by several percent.
# with ctxbench's first error line in $tmp/why.
ctxbench_once() {
  rm -f "$tmp/r.json"
  if ! "$bin" run --quick --no-counters --cpus "$cpu" --filter "$1" --json "$tmp/r.json" > "$tmp/log" 2>&1; then
    grep -m1 -i error "$tmp/log" > "$tmp/why" || head -1 "$tmp/log" > "$tmp/why"
    return 1
  fi
  jq -e -r --arg id "$1" '.results[] | select(.id == $id) | "\(.ns_per_round_trip.mean) \(.valid)"' "$tmp/r.json" \
    || { echo "no result for $1 in its JSON" > "$tmp/why"; return 1; }
}

echo "CPU $cpu, $rounds interleaved round(s) per side, medians; reference runs sized to about $((target_ns / 1000000)) ms"
for s in "${ids[@]}"; do
  id="pingpong/$s/same-cpu"
  name=$(ref_name "$s")
  known=0; grep -Fxq "$id" "$tmp/known" && known=1
  : > "$tmp/ours"; : > "$tmp/peer"; : > "$tmp/why"
  invalid=0 failed=0
  # Calibrate: a short run gives ns per round trip, which sizes the real ones.
  if ! cal=$(reference "$s" 2000); then
    echo "$s/same-cpu on CPU $cpu: the reference ($name) failed"
    continue
  fi
  loops=$(awk -v c="$cal" -v t="$target_ns" 'BEGIN { n = int(t / c); if (n < 10000) n = 10000; if (n > 2000000) n = 2000000; print n }')
  for r in $(seq "$rounds"); do
    for side in $([ $((r % 2)) = 1 ] && echo "ours peer" || echo "peer ours"); do
      if [ "$side" = peer ]; then
        reference "$s" "$loops" >> "$tmp/peer" || failed=$((failed + 1))
      elif [ "$known" = 1 ]; then
        if line=$(ctxbench_once "$id"); then
          echo "${line% *}" >> "$tmp/ours"
          [ "${line#* }" = true ] || invalid=$((invalid + 1))
        fi
      fi
    done
  done
  if [ -s "$tmp/peer" ]; then
    peer=$(median < "$tmp/peer"); peer_txt=$(printf '%s %.0f ns/rt' "$name" "$peer")
  else
    peer=""; peer_txt="$name failed"
  fi
  [ "$failed" = 0 ] || peer_txt="$peer_txt ($failed of $rounds runs failed)"
  if [ "$known" = 0 ]; then
    echo "$s/same-cpu on CPU $cpu: ctxbench n/a (ctxbench has no such id), $peer_txt"
  elif [ ! -s "$tmp/ours" ]; then
    echo "$s/same-cpu on CPU $cpu: ctxbench n/a (every run failed: $(cat "$tmp/why")), $peer_txt"
  else
    ours=$(median < "$tmp/ours")
    note=""; [ "$invalid" = 0 ] || note=" (ctxbench marked $invalid of $(wc -l < "$tmp/ours") runs invalid)"
    if [ -n "$peer" ]; then
      awk -v s="$s" -v c="$cpu" -v o="$ours" -v p="$peer" -v t="$peer_txt" -v n="$note" 'BEGIN {
        printf "%s/same-cpu on CPU %s: ctxbench %.0f ns/rt, %s, ratio %.3f%s\n", s, c, o, t, o / p, n }'
    else
      printf '%s/same-cpu on CPU %s: ctxbench %.0f ns/rt, %s, ratio n/a%s\n' "$s" "$cpu" "$ours" "$peer_txt" "$note"
    fi
  fi
done
