#!/usr/bin/env bash
# The system packages a fresh Debian/Ubuntu machine needs to build and test Hetki: Slint's
# font code links fontconfig through pkg-config, the test of `hetki run` opens its window
# on a virtual X display (Xvfb), and the collector's proxy test runs the shipped nginx
# configuration. Installs only what is missing.
set -euo pipefail
missing=()
# A C compiler: the bundled SQLite is compiled, and it links the binaries.
command -v cc >/dev/null || missing+=(gcc libc6-dev)
pkg-config --exists fontconfig 2>/dev/null || missing+=(pkg-config libfontconfig1-dev)
command -v Xvfb >/dev/null || missing+=(xvfb)
# The window's X11 code loads these by name when it runs, so nothing at build time asks for
# them: without them a window (the kiosk on a desktop, the test of `hetki run`) cannot open.
has_lib() { /sbin/ldconfig -p 2>/dev/null | grep -q "$1"; }
has_lib libxkbcommon-x11.so.0 || missing+=(libxkbcommon-x11-0)
has_lib libXcursor.so.1 || missing+=(libxcursor1)
has_lib libXi.so.6 || missing+=(libxi6)
# The proxy test runs an nginx of its own on a free port.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# Nothing installed here is to run as a service: nginx's would take port 80, and would fail
# to install where something has that already. A policy-rc.d is Debian's way to say so.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
