#!/usr/bin/env bash
# Installs the Debian packages barnnd builds, runs and tests against (listed in Scripts/debian-packages.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2046
$SUDO apt-get install -y --no-install-recommends $(cat Scripts/debian-packages.txt)
