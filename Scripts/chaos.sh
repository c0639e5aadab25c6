#!/usr/bin/env bash
# Chaos suite (Scripts/chaos.py): barnnd under a QoS 1 SenML flood with broker SIGKILLs, barnnd SIGKILLs, SIGTERMs,
# a full disk and a burst past the writer's bound; fails unless every acknowledged reading is stored exactly once.
#   Scripts/chaos.sh --short        CI's version (about 2 minutes, the debug build)
#   Scripts/chaos.sh [ARGS…]        the long version on the release build (see Scripts/chaos.py --help)
# BARNND_BIN overrides the binary. Mounting the tmpfs for the full disk needs root; without it that part is skipped.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv="$root/.venv-chaos"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import paho.mqtt' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'paho-mqtt==2.2.0'
fi
if [ "${1:-}" = "--short" ]; then
    shift
    bin="${BARNND_BIN:-$(swift build --show-bin-path)/barnnd}"
    [ -x "$bin" ] || swift build --product barnnd
    set -- --seconds 60 --rate 400 --streams 100 --faults 2 --disk-full-seconds 15 --burst-streams 300 \
        --burst-readings 60 --max-pending-rows 1000 "$@"
else
    bin="${BARNND_BIN:-$(swift build -c release --show-bin-path)/barnnd}"
    [ -x "$bin" ] || swift build -c release --product barnnd
    set -- --seconds 300 --rate 1000 --streams 200 --faults 6 --disk-full-seconds 120 --burst-streams 2000 \
        --burst-readings 300 --max-pending-rows 200000 --burst-after-model 900 "$@"
fi
exec "$venv/bin/python" "$root/Scripts/chaos.py" --binary "$bin" "$@"
