#!/usr/bin/env bash
# Installs barnnd system-wide: the release binary to /usr/local/bin, the configuration to /etc/barnnd (an existing
# barnnd.toml is kept), the systemd unit to /etc/systemd/system, then reloads systemd when it runs.
#
#   Scripts/install.sh            # as root or with sudo
#   PREFIX=/opt/barnnd Scripts/install.sh
#
# Enable and start afterwards:  systemctl enable --now barnnd
# The broker must keep barnnd's session: in mosquitto.conf set `persistence true` and `max_queued_messages 0`.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

swift build -c release --product barnnd
BIN="$(swift build -c release --show-bin-path)/barnnd"

$SUDO install -d -m 0755 "$PREFIX/bin" /etc/barnnd /etc/systemd/system "$PREFIX/share/doc/barnnd"
$SUDO install -m 0755 "$BIN" "$PREFIX/bin/barnnd"
if [ -e /etc/barnnd/barnnd.toml ]; then
    echo "keeping /etc/barnnd/barnnd.toml; the shipped default is /etc/barnnd/barnnd.toml.dist"
    $SUDO install -m 0644 config/barnnd.toml /etc/barnnd/barnnd.toml.dist
else
    $SUDO install -m 0644 config/barnnd.toml /etc/barnnd/barnnd.toml
fi
"$PREFIX/bin/barnnd" check-config /etc/barnnd/barnnd.toml
sed "s#/usr/local/bin/barnnd#$PREFIX/bin/barnnd#g" systemd/barnnd.service | $SUDO tee /etc/systemd/system/barnnd.service >/dev/null
$SUDO chmod 0644 /etc/systemd/system/barnnd.service
$SUDO install -m 0644 README.md "$PREFIX/share/doc/barnnd/README.md"
if [ -d /run/systemd/system ]; then
    $SUDO systemctl daemon-reload
    echo "installed; start with: systemctl enable --now barnnd"
else
    echo "installed; systemd is not running here, so the unit was not loaded"
fi
