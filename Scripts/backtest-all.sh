#!/usr/bin/env bash
# Backtests barnnd on the development datasets of ../shared/data under ../shared/eval/PROTOCOL.md and scores them.
#
# Per dataset: the full run (first fit on the history, then scheduled and drift-triggered retrains through the
# promotion gate on data time, BARNN Monte Carlo paths, conformal calibration) keeps its database. Every other variant
# serves that run's first fit (checkpoint version 1) without retraining, so they differ from "fixed" in one thing:
# "fixed" (first fit only), "nocal" (no conformal correction), "aleatoric" (weight noise off), "map" (single MAP
# pass), the same two without calibration ("aleatoric-nocal", "map-nocal"), and the calibration methods "aci",
# "rolling", "tracking", and "calmedian" (the median corrected too, `keep_median = false`). The input ablations
# fit their own first model, served without retraining like "fixed":
# "firstfit" (this binary's own first fit with its defaults, to measure a training change without the retrains),
# "nolevel" (no level context, `level_window = 0`), "noseasonal" (no seasonal-naive input, `seasonal_input =
# false`) and "nocalendar" (hour of day and day of week whatever the cadence, `calendar = "hour_and_week"`). Tables: $OUT_DIR/table.md. Forecasts land in $OUT_DIR/<variant>/<dataset>.jsonl, scores in
# $OUT_DIR/eval-results/barnnd-<variant>_per_dataset.csv, timings in $OUT_DIR/times.tsv.
#
# Environment: DATASETS (default: all 14 of groups.json, groups dev and dev2), VARIANTS (default: full fixed nocal aleatoric map; "full" comes first), JOBS (datasets run in
# parallel, default 2), OUT_DIR (default backtest-results), BACKTEST_ARGS (extra `barnnd backtest` flags for every
# run), SHARED_DIR (folder holding data/ and eval/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/shared-dir.sh
. "$root/Scripts/lib/shared-dir.sh"
[ -n "$shared" ] || { echo "backtest-all.sh: no shared/ folder with data/ and eval/ (set SHARED_DIR)" >&2; exit 1; }
out="$(mkdir -p "${OUT_DIR:-$root/backtest-results}" && cd "${OUT_DIR:-$root/backtest-results}" && pwd)"
# The longest datasets first, so the parallel jobs end together.
datasets="${DATASETS:-household_power online_orders elecdemand nyc_weather cycling bikeshare i94_traffic wind_farm \
keywest_water seattle_weather parking taylor sunspots waterflow}"
variants="${VARIANTS:-full fixed nocal aleatoric map}"
jobs="${JOBS:-2}"

(cd "$root" && swift build -c release --product barnnd >/dev/null)
bin="$root/.build/release/barnnd"

run_dataset() {
    local d="$1" v start
    local csv="$SHARED_DIR/data/$d.csv" db="$out/db/$d.sqlite"
    mkdir -p "$out/db"
    for v in $variants; do
        mkdir -p "$out/$v"
        local args=() first=(--checkpoint-from "$db" --checkpoint-version 1 --retrain-every 0)
        case "$v" in
            full) rm -f "$db" "$db-wal" "$db-shm"; args=(--database "$db") ;;
            fixed) args=("${first[@]}") ;;
            nocal) args=("${first[@]}" --calibration none) ;;
            aci | rolling | tracking) args=("${first[@]}" --calibration "$v") ;;
            aleatoric) args=("${first[@]}" --sampling aleatoric) ;;
            map) args=("${first[@]}" --sampling map) ;;
            aleatoric-nocal) args=("${first[@]}" --sampling aleatoric --calibration none) ;;
            map-nocal) args=("${first[@]}" --sampling map --calibration none) ;;
            calmedian)
                # The first fit, calibrated with the median corrected too (keep_median = false, the old default).
                printf '[models.default.calibration]\nkeep_median = false\n' >"$out/calmedian.toml"
                args=("${first[@]}" --config "$out/calmedian.toml")
                ;;
            firstfit) args=(--retrain-every 0) ;;
            nolevel | nocalendar | noseasonal)
                local config="$out/$v.toml"
                if [ "$v" = nolevel ]; then
                    printf '[models.default]\nlevel_window = 0\n' >"$config"
                elif [ "$v" = noseasonal ]; then
                    printf '[models.default]\nseasonal_input = false\n' >"$config"
                else
                    printf '[models.default]\ncalendar = "hour_and_week"\n' >"$config"
                fi
                args=(--config "$config" --retrain-every 0)
                ;;
            *) echo "unknown variant $v" >&2; return 1 ;;
        esac
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        "$bin" backtest --csv "$csv" --out "$out/$v/$d.jsonl" --quiet "${args[@]}" ${BACKTEST_ARGS:-} \
            2>>"$out/$d.log"
        printf '%s\t%s\t%.1f\n' "$d" "$v" "$(echo "$(date +%s.%N) - $start" | bc)" >>"$out/times.tsv"
    done
}
export -f run_dataset
export out variants bin SHARED_DIR

: >"$out/times.tsv"
rm -f "$out"/*.log
printf '%s\n' $datasets | xargs -P "$jobs" -I{} bash -c 'run_dataset {}'

cd "$out"
for v in $variants; do
    echo "== barnnd-$v"
    # shellcheck disable=SC2046
    "$root/Scripts/score.sh" --model "barnnd-$v" $(for d in $datasets; do echo "$v/$d.jsonl"; done)
done
SHARED_DIR="$SHARED_DIR" "${SCORE_VENV:-$root/.venv-score}/bin/python" "$root/Scripts/backtest-table.py" "$out" \
    $variants >"$out/table.md"
# The closing line of every "full" run: model version served at the end, retrains by trigger, the gate's verdicts.
{ echo; echo "Runs (full):"; for d in $datasets; do grep -h "model version" "$out/$d.log" | head -n 1 | sed 's/^/- /'; done; } >>"$out/table.md"
cat "$out/table.md" "$out/times.tsv"
