#!/usr/bin/env bash
# Judges each check run of the campaign again, with the binary and baseline given.
cd "${HERE:-$PWD}"
bin=${1:-./ctxbench-new}; base=${2:-base-new}
for f in $(ls check*.json | grep -v -- '-' | sort -V); do
  out=$($bin check --baseline $base --current $f 2>/dev/null); rc=$?
  echo "$f rc=$rc $(echo "$out" | grep -E '^[0-9]+ regressed') | $(echo "$out" | grep -oE 'same-CPU ping-pongs [0-9.]+%') | $(echo "$out" | grep -oE 'working sets [0-9.]+%') | $(echo "$out" | grep -oE 'rings [0-9.]+%')"
  echo "$out" | grep -E " (regressed|improved)$" | sed 's/^/    /'
done
