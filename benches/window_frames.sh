#!/usr/bin/env bash
# Full frames in a real window: the release kiosk under Xvfb (winit, software renderer, each
# frame handed to the X server) with Slint's own full-speed mode, which repaints the whole
# window every frame, at most 60 a second (SLINT_DEBUG_PERFORMANCE=refresh_full_speed).
# For the attract screen, then the first question (after a tap in the middle), it reports
# the frames per second and the CPU time each frame costs the kiosk and the X server.
# Needs Xvfb and xdotool (Debian: xvfb xdotool). Usage: benches/window_frames.sh [WxH] [SECONDS]
# WINDOW_FRAMES_SHOT=FILE.png saves the screen at the end, to see what was measured.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1920x1080}
seconds=${2:-5}
width=${size%x*}
height=${size#*x}
cargo build --release --quiet --bin hetki
display=:79
Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
work=$(mktemp -d)
trap 'kill $xvfb $kiosk 2>/dev/null; rm -rf "$work"' EXIT
kiosk=
sleep 1

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Measures one screen for $seconds: frames from Slint's once-a-second report, CPU from /proc.
measure() {
  local name=$1 app0 x0 app1 x1 lines0 fps
  lines0=$(grep -c "frames per second" "$work/log" || true)
  app0=$(cpu_ticks "$kiosk"); x0=$(cpu_ticks "$xvfb")
  sleep "$seconds"
  app1=$(cpu_ticks "$kiosk"); x1=$(cpu_ticks "$xvfb")
  fps=$(grep "frames per second" "$work/log" | tail -n +"$((lines0 + 2))" |
    awk '{ sum += $5; n++ } END { if (n) printf "%.0f", sum / n; else print 0 }')
  awk -v name="$name" -v fps="$fps" -v s="$seconds" -v tck="$(getconf CLK_TCK)" \
    -v app=$((app1 - app0)) -v x=$((x1 - x0)) 'BEGIN {
      frames = fps * s
      if (frames == 0) { printf "%-10s no frames reported\n", name; exit }
      printf "%-10s %3d fps; CPU per frame: kiosk %.2f ms, X server %.2f ms\n", name, fps,
        app * 1000 / tck / frames, x * 1000 / tck / frames }'
}

DISPLAY=$display SLINT_DEBUG_PERFORMANCE=refresh_full_speed,console \
  ./target/release/hetki --data "$work/data" run 2>"$work/log" &
kiosk=$!
for _ in $(seq 100); do
  window=$(DISPLAY=$display xdotool search --name '^Hetki$' 2>/dev/null | head -1 || true)
  [ -n "$window" ] && break
  sleep 0.05
done
# Xvfb has no window manager to honour full screen, so the window is sized by hand.
DISPLAY=$display xdotool windowsize "$window" "$width" "$height"
sleep 1
echo "full frames at $size, $seconds s each (release, $(nproc) cores)"
measure attract
DISPLAY=$display xdotool mousemove --window "$window" $((width / 2)) $((height / 2)) click 1
sleep 1
measure question-1
[ -n "${WINDOW_FRAMES_SHOT:-}" ] && DISPLAY=$display import -window root "$WINDOW_FRAMES_SHOT"
true
