#!/usr/bin/env bash
# barnnd demo: installs the dependencies, builds release, starts a private mosquitto and barnnd on the bundled default
# configuration (config/barnnd.toml; only the broker and HTTP ports and the database path are changed for a local run),
# replays a bundled sample (3 streams: 800 readings of history each, which trains a first BARNN model, then 200 more)
# and shows the forecasts.
# Everything lives in ./demo/ and is stopped on exit (Ctrl-C).
#
#   Scripts/demo.sh                 # full run
#   SKIP_DEPS=1 Scripts/demo.sh     # skip apt-get (dependencies already installed)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DEMO="$ROOT/demo"

if [ "${SKIP_DEPS:-0}" != "1" ]; then
    Scripts/install-deps.sh
fi
swift build -c release --product barnnd
BARNND="$(swift build -c release --show-bin-path)/barnnd"

mkdir -p "$DEMO"
rm -f "$DEMO"/barnnd.sqlite* "$DEMO"/barnnd.inbox.sqlite* "$DEMO"/mosquitto.db

# A free port: 1883 when nothing listens there, else one the kernel picks.
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=1883
if ! port_is_free "$PORT"; then
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
# The HTTP server (web view, /metrics): the bundled 9464 unless something holds it.
HTTP_PORT=9464
if ! port_is_free "$HTTP_PORT"; then
    HTTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi

cat > "$DEMO/mosquitto.conf" <<CONF
listener $PORT 127.0.0.1
allow_anonymous true
# barnnd's delivery guarantee needs the broker to queue for its persistent session without a cap.
max_queued_messages 0
persistence true
persistence_location $DEMO/
log_dest file $DEMO/mosquitto.log
# Keep our own user so the broker can write its log and persistence file here.
user $(id -un)
CONF
sed -e "s/^port = 1883/port = $PORT/" -e "s/^listen = \"127.0.0.1:9464\"/listen = \"127.0.0.1:$HTTP_PORT\"/" \
    config/barnnd.toml > "$DEMO/barnnd.toml"

BARNND_PID=""
MOSQUITTO_PID=""
cleanup() {
    # barnnd first, so it can publish its retained offline status and save its states while the broker is up.
    if [ -n "$BARNND_PID" ]; then kill -TERM "$BARNND_PID" 2>/dev/null || true; wait "$BARNND_PID" 2>/dev/null || true; fi
    if [ -n "$MOSQUITTO_PID" ]; then kill -TERM "$MOSQUITTO_PID" 2>/dev/null || true; wait "$MOSQUITTO_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
"$MOSQUITTO" -c "$DEMO/mosquitto.conf" &
MOSQUITTO_PID=$!
for _ in $(seq 100); do port_is_free "$PORT" || break; sleep 0.05; done

"$BARNND" check-config "$DEMO/barnnd.toml"
"$BARNND" run --config "$DEMO/barnnd.toml" --database "$DEMO/barnnd.sqlite" 2> "$DEMO/barnnd.log" &
BARNND_PID=$!
until mosquitto_sub -p "$PORT" -t barnnd/status -C 1 -W 2 2>/dev/null | grep -q online; do
    kill -0 "$BARNND_PID" 2>/dev/null || { cat "$DEMO/barnnd.log"; exit 1; }
done
echo "barnnd is online (broker 127.0.0.1:$PORT, database $DEMO/barnnd.sqlite, log $DEMO/barnnd.log)"
echo "web view: http://127.0.0.1:$HTTP_PORT/   metrics: http://127.0.0.1:$HTTP_PORT/metrics"

replay() {
    # SenML packs carry each reading's own time, so the forecasts step by the data's spacing (half-hours, hours)
    # rather than by how fast the replay runs; the bundled senml rule makes the streams demo/<name>.
    "$BARNND" replay --csv "$1" --port "$PORT" --host 127.0.0.1 --topic 'senml/demo' --format senml \
        --as-fast-as-possible
}
echo "replaying config/samples/demo-history.csv (history; barnnd serves fallback forecasts and trains a model) ..."
replay config/samples/demo-history.csv
echo "waiting for the first BARNN model (a minute or two on 2 cores) ..."
for _ in $(seq 300); do
    active=$(sqlite3 "$DEMO/barnnd.sqlite" "SELECT count(*) FROM checkpoints WHERE active = 1" 2>/dev/null || echo 0)
    [ "${active:-0}" -gt 0 ] && break
    kill -0 "$BARNND_PID" 2>/dev/null || { cat "$DEMO/barnnd.log"; exit 1; }
    sleep 1
done
echo "replaying config/samples/demo-live.csv ..."
replay config/samples/demo-live.csv

echo "three forecast messages:"
mosquitto_sub -p "$PORT" -t 'forecast/#' -v -C 3 -W 30 | cut -c1-400 || true
echo
echo "health summary:"
mosquitto_sub -p "$PORT" -t 'barnnd/status/health' -C 1 -W 5 2>/dev/null | cut -c1-400 ||
    echo "(not yet: barnnd publishes it every publish.health_interval, retained)"
echo
cat <<TEXT

Watch forecasts live:   mosquitto_sub -p $PORT -t 'forecast/#' -v
Next-step medians:      mosquitto_sub -p $PORT -t 'forecast/+/+/+/next' -v
Stored data:            sqlite3 $DEMO/barnnd.sqlite 'SELECT * FROM forecasts_view LIMIT 5'
Web view:               http://127.0.0.1:$HTTP_PORT/
Prometheus metrics:     http://127.0.0.1:$HTTP_PORT/metrics   (curl -s http://127.0.0.1:$HTTP_PORT/metrics | grep ^barnnd_ingest)
Press Ctrl-C to stop barnnd (it saves every stream's state) and the broker.
TEXT
wait "$BARNND_PID"
