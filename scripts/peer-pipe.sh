#!/usr/bin/env bash
# Compares ctxbench's process-pipe and thread-pipe ping-pongs on one CPU with the kernel's
# own `perf bench sched pipe` (and -T) pinned to the same CPU, interleaved; prints each
# median and the ratio ctxbench / perf. The pipe part of scripts/peers.sh, which also
# compares the futex, eventfd and condvar ping-pongs with C loops.
#
# Usage: scripts/peer-pipe.sh [ROUNDS] [CPU]
exec "$(dirname "$0")/peers.sh" --ids process-pipe,thread-pipe "$@"
