#!/usr/bin/env bash
# Rasterizes the icon sources to the PNGs the UI embeds. The software renderer redraws a
# bitmap far faster than it re-rasterizes an SVG (3.3 ms → see the render benchmark), so
# the UI uses these; edit the SVGs and rerun this (needs rsvg-convert, Debian's librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
for svg in *.svg; do
  rsvg-convert --width 384 --height 384 --keep-aspect-ratio "$svg" -o "../${svg%.svg}.png"
done
