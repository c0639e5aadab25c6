#!/usr/bin/env bash
# Installs the Debian packages barnnd builds, runs and tests against. Idempotent.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
    pkg-config libopenblas-dev libmosquitto-dev libsqlite3-dev sqlite3 \
    mosquitto mosquitto-clients openssl ca-certificates python3 python3-venv librsvg2-bin e2fsprogs
