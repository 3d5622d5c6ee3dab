#!/usr/bin/env bash
# Rasterizes the icon sources to the PNGs the UI embeds. The software renderer redraws a
# bitmap far faster than it re-rasterizes an SVG (3.3 ms → see the render benchmark), so
# the UI uses these; edit the SVGs and rerun this (needs rsvg-convert, Debian's librsvg2-bin).
# Each is rendered about 1.4 times the largest it is shown (at 1920×1080, scale 1.35): the
# renderer scales down cleanly from there, while nearer 1:1 its edges turn jagged; and a
# decoded picture costs width × height × 4 bytes of memory for as long as the kiosk runs.
set -euo pipefail
cd "$(dirname "$0")"
size_of() {
  case "$1" in
    face-*) echo 288 ;;                  # 150 px × scale
    check* | out-of-order*) echo 352 ;;  # 180 and 160 px × scale
    participation-symbol*) echo 208 ;;   # 110 px × scale
    contrast) echo 96 ;;                 # 48 px × scale
    arrow-* | tick | erase | box*) echo 96 ;;  # at most the large text size, 48 px × scale
    *) echo "no size for $1" >&2; exit 1 ;;
  esac
}
for svg in *.svg; do
  name=${svg%.svg}
  size=$(size_of "$name")
  rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio "$svg" -o "../$name.png"
done
# Faces also come smaller, for smaller screens (the answer button draws the size nearest
# above its own): a 7" panel's 90 px faces taken from 288 px ones, a pixel in three, had
# jagged outlines.
for svg in face-*.svg; do
  for size in 160 96; do
    rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio "$svg" -o "../${svg%.svg}-$size.png"
  done
done
