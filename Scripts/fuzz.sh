#!/usr/bin/env bash
# Fuzzes one target with libFuzzer and AddressSanitizer: Scripts/fuzz.sh TARGET SECONDS (targets: payload, topic,
# config, state; see Fuzz/FuzzTargets.swift). Seeds come from Fuzz/Seeds/TARGET (plus the config files and the TOML
# corpus for `config`, the damaged states for `state`); the growing corpus is kept in .build-fuzz/corpus/TARGET.
# A crash leaves its input as .build-fuzz/crash-* and fails the script. Prints one JSON line with the run's figures.
set -euo pipefail
target="${1:?usage: Scripts/fuzz.sh TARGET SECONDS}"
seconds="${2:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scratch="$root/.build-fuzz"
# FUZZ_BUILD=debug builds faster and runs slower (CI's short runs); release is the default for real fuzzing.
configuration="${FUZZ_BUILD:-release}"
# SwiftPM passes one -sanitize flag to swiftc and the last wins, so the pair is given to swiftc directly as well.
flags=(-c "$configuration" --scratch-path "$scratch" --product fuzz-barnnd --sanitize=fuzzer --sanitize=address
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)
swift build "${flags[@]}" 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true
bin="$(swift build "${flags[@]}" --show-bin-path)/fuzz-barnnd"
corpus="$scratch/corpus/$target"
mkdir -p "$corpus"
seeds=("$root/Fuzz/Seeds/$target")
case "$target" in
    config) seeds+=("$root/config" "$root/Tests/TOMLTests/Corpus/valid") ;;
    state) seeds+=("$root/Tests/EngineTests/Fixtures/DamagedStates") ;;
esac
existing=()
for seed in "${seeds[@]}"; do [ -d "$seed" ] && existing+=("$seed"); done
log="$scratch/fuzz-$target.log"
set +e
FUZZ_TARGET="$target" ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$bin" -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$scratch/crash-$target-" \
    "$corpus" "${existing[@]}" >"$log" 2>&1
status=$?
set -e
executions=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" || echo 0)
rate=$(grep -oE "stat::average_exec_per_sec: *[0-9]+" "$log" | grep -oE "[0-9]+$" || echo 0)
echo "fuzz-result {\"target\":\"$target\",\"build\":\"$configuration\",\"seconds\":$seconds,\"executions\":$executions,\"exec_per_s\":$rate,\"status\":$status}"
if [ "$status" -ne 0 ]; then
    tail -40 "$log"
    exit 1
fi
