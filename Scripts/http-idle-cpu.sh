#!/usr/bin/env bash
# Idle CPU of `barnnd run` with the HTTP server on and off: two daemons on the bundled config side by side, one
# private mosquitto, no traffic; CPU seconds (utime + stime from /proc/PID/stat) over 60 s after 10 s of start-up.
#
#   Scripts/http-idle-cpu.sh [BINARY] [scrape]   # "scrape": GET /metrics every 15 s meanwhile
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-$(swift build -c release --show-bin-path)/barnnd}
D=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
BROKER=$(free_port)
HTTP=$(free_port)
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
"$MOSQUITTO" -p "$BROKER" >/dev/null 2>&1 &
MPID=$!
trap 'kill "$MPID" 2>/dev/null || true; rm -rf "$D"' EXIT
sleep 0.5
for mode in on off; do
    listen='""'
    [ "$mode" = on ] && listen="\"127.0.0.1:$HTTP\""
    sed -e "s/^port = 1883/port = $BROKER/" -e "s/^listen = \"127.0.0.1:9464\"/listen = $listen/" \
        -e "s/^client_id = .*/client_id = \"idle-$mode\"/" config/barnnd.toml > "$D/$mode.toml"
    "$BIN" run --config "$D/$mode.toml" --database "$D/$mode.sqlite" 2> "$D/$mode.log" &
    echo $! > "$D/$mode.pid"
done
sleep 10
ON=$(cat "$D/on.pid")
OFF=$(cat "$D/off.pid")
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
a1=$(cpu "$ON")
b1=$(cpu "$OFF")
if [ "${2:-}" = scrape ]; then
    (for _ in 1 2 3 4; do curl -s "http://127.0.0.1:$HTTP/metrics" >/dev/null; sleep 15; done) &
fi
sleep 60
a2=$(cpu "$ON")
b2=$(cpu "$OFF")
TICK=$(getconf CLK_TCK)
python3 -c "print('http on : %.2f CPU s in 60 s' % (($a2 - $a1) / $TICK)); print('http off: %.2f CPU s in 60 s' % (($b2 - $b1) / $TICK))"
kill -TERM "$ON" "$OFF"
wait "$ON" "$OFF" 2>/dev/null || true
