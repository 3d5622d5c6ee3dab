#!/usr/bin/env bash
# Full frames in a real window: the release kiosk under Xvfb (winit, software renderer, each
# frame handed to the X server) with Slint's own full-speed mode, which repaints the whole
# window every frame, at most 60 a second (SLINT_DEBUG_PERFORMANCE=refresh_full_speed).
# First a blank window of the same size (only the kiosk's background, examples/blank_window.rs),
# then the kiosk's attract screen and its first question (after a tap in the middle). For each
# it reports the frames per second and the CPU time a frame costs the app and the X server,
# and each screen's cost beside the blank window's.
# Needs Xvfb and xdotool (Debian: xvfb xdotool). Usage: benches/window_frames.sh [WxH] [SECONDS]
# WINDOW_FRAMES_SHOT=FILE.png saves the screen at the end, to see what was measured.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1920x1080}
seconds=${2:-5}
width=${size%x*}
height=${size#*x}
cargo build --release --quiet --bin hetki --example blank_window
display=:79
Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
work=$(mktemp -d)
app=
trap 'kill $xvfb $app 2>/dev/null; rm -rf "$work"' EXIT
sleep 1

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Starts "$@" at full speed and sizes its window, titled $title, to the screen.
launch() {
  local title=$1
  shift
  : >"$work/log"
  DISPLAY=$display SLINT_DEBUG_PERFORMANCE=refresh_full_speed,console "$@" 2>"$work/log" &
  app=$!
  for _ in $(seq 100); do
    window=$(DISPLAY=$display xdotool search --name "^$title\$" 2>/dev/null | head -1 || true)
    [ -n "$window" ] && break
    sleep 0.05
  done
  if [ -z "$window" ]; then
    echo "no window titled \"$title\" appeared; its log:" >&2
    cat "$work/log" >&2
    exit 1
  fi
  # Xvfb has no window manager to honour full screen, so the window is sized by hand.
  DISPLAY=$display xdotool windowsize "$window" "$width" "$height"
  sleep 1
}

# Measures one screen for $seconds: frames from Slint's once-a-second report, CPU from /proc.
# Prints the name, fps and the app's and the X server's CPU milliseconds per frame.
measure() {
  local name=$1 app0 x0 app1 x1 lines0 fps
  lines0=$(grep -c "frames per second" "$work/log" || true)
  app0=$(cpu_ticks "$app"); x0=$(cpu_ticks "$xvfb")
  sleep "$seconds"
  app1=$(cpu_ticks "$app"); x1=$(cpu_ticks "$xvfb")
  fps=$(grep "frames per second" "$work/log" | tail -n +"$((lines0 + 2))" |
    awk '{ sum += $5; n++ } END { if (n) printf "%.0f", sum / n; else print 0 }')
  awk -v name="$name" -v fps="$fps" -v s="$seconds" -v tck="$(getconf CLK_TCK)" \
    -v app=$((app1 - app0)) -v x=$((x1 - x0)) 'BEGIN {
      frames = fps * s
      if (frames == 0) { print name, 0, 0, 0; exit }
      printf "%s %d %.3f %.3f\n", name, fps, app * 1000 / tck / frames, x * 1000 / tck / frames }'
}

launch "Hetki blank" ./target/release/examples/blank_window
measure blank >"$work/results"
kill "$app"; wait "$app" 2>/dev/null || true

launch Hetki ./target/release/hetki --data "$work/data" run
measure attract >>"$work/results"
DISPLAY=$display xdotool mousemove --window "$window" $((width / 2)) $((height / 2)) click 1
sleep 1
measure question-1 >>"$work/results"
[ -n "${WINDOW_FRAMES_SHOT:-}" ] && DISPLAY=$display import -window root "$WINDOW_FRAMES_SHOT"

echo "full frames in a window at $size, $seconds s each (release, $(nproc) cores)"
awk 'NR == 1 { blank_app = $3; blank_all = $3 + $4 }
  {
    if ($2 == 0) { printf "%-10s no frames reported\n", $1; next }
    printf "%-10s %3d fps; CPU per frame: app %.2f ms, X server %.2f ms", $1, $2, $3, $4
    if (NR > 1 && blank_app > 0)
      printf "; %.2f× the blank window (app), %.2f× (app + X server)", $3 / blank_app, ($3 + $4) / blank_all
    printf "\n"
  }' "$work/results"
