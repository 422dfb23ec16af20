#!/usr/bin/env bash
# Puts every machine's results under results/ (or $RESULTS_DIR) side by side: one
# self-contained HTML page and the same comparison as Markdown next to it.
#
# Usage: scripts/compare.sh [OUTPUT.html]     (default: comparison.html)
set -euo pipefail

cd "$(dirname "$0")/.."
results_dir="${RESULTS_DIR:-results}"
out="${1:-comparison.html}"

if [ ! -d "$results_dir" ]; then
    echo "no $results_dir/ folder: run scripts/bench-all.sh first" >&2
    exit 2
fi

cargo build --release --quiet
cargo run --release --quiet -- compare "$results_dir" -o "$out"
cargo run --release --quiet -- compare "$results_dir" --format markdown -o "${out%.html}.md"
echo "open $out (or read ${out%.html}.md)"
