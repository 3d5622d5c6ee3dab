#!/usr/bin/env bash
# The system packages a fresh Debian/Ubuntu machine needs to build Hetki: Slint's font code
# links fontconfig through pkg-config. Installs only what is missing.
set -euo pipefail
if pkg-config --exists fontconfig 2>/dev/null; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends pkg-config libfontconfig1-dev
