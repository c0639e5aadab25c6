#!/usr/bin/env bash
# Installs the Debian packages barnnd builds and runs against (Scripts/debian-packages.txt); with --tests also those
# only the tests start (Scripts/debian-packages-test.txt: a real Prometheus, a headless Chromium, openssl for TLS
# certificates, mkfs for the full-disk test, a Python venv for the scorer), so the demo does not pull a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
lists=(Scripts/debian-packages.txt)
if [ "${1:-}" = "--tests" ]; then lists+=(Scripts/debian-packages-test.txt); fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2046
$SUDO apt-get install -y --no-install-recommends $(cat "${lists[@]}")
