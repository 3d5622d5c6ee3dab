#!/usr/bin/env bash
# Rasterizes the poll's option pictures (needs rsvg-convert, Debian's librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
for svg in *.svg; do
  rsvg-convert --width 256 --height 256 --keep-aspect-ratio "$svg" -o "../${svg%.svg}.png"
done
