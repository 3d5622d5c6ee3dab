#!/usr/bin/env bash
# Start-up and memory of the release kiosk under Xvfb at 1280×800 with the demo survey:
# from exec to the first frame (the kiosk logs it), and its PSS 2 s later.
# Needs Xvfb (Debian: xvfb). Usage: benches/startup.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet --bin hetki
display=:77
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
work=$(mktemp -d)
trap 'kill $xvfb 2>/dev/null; rm -rf "$work"' EXIT
sleep 1
for run in $(seq "$runs"); do
  log="$work/run$run.log"
  start=$(date +%s.%N)
  DISPLAY=$display RUST_LOG=info ./target/release/hetki --data "$work/data$run" run 2>"$log" &
  pid=$!
  for _ in $(seq 200); do grep -q "first frame" "$log" && break; sleep 0.05; done
  first=$(grep "first frame" "$log" | sed -E 's/.*unix="?([0-9.]+).*/\1/')
  sleep 2
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
  rss=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v s="$start" -v f="$first" -v p="$pss" -v r="$rss" -v n="$run" \
    'BEGIN { printf "run %d: exec → first frame %.1f ms; 2 s later PSS %.1f MiB (RSS %.1f MiB)\n", n, (f - s) * 1000, p / 1024, r / 1024 }'
done
