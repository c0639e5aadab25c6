#!/usr/bin/env bash
# CI check of `barnnd backtest`: one small backtest (waterflow, 1268 values) on the shared data with a short first
# fit and two scheduled retrains, scored by ../shared/eval/evaluate.py in a virtual environment; fails unless the
# retrains ran, every stream is complete and the 90% interval coverage is sane. Uses the debug build that
# Scripts/test.sh made.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/shared-dir.sh
. "$root/Scripts/lib/shared-dir.sh"
[ -n "$shared" ] || { echo "ci-backtest: no ../shared with data/ and eval/ (set SHARED_DIR)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin="$(cd "$root" && swift build --show-bin-path)/barnnd"
[ -x "$bin" ] || (cd "$root" && swift build --product barnnd)
start=$(date +%s)
# Two scheduled retrains (the test part has 508 steps) keep the retraining path in CI at a debug build's cost.
"$bin" backtest --csv "$shared/data/waterflow.csv" --out "$work/waterflow.jsonl" --quiet \
    --training-steps 150 --paths 64 --retrain-every 254 2>"$work/backtest.log"
cat "$work/backtest.log"
grep -Eq "retrains: .*2 schedule" "$work/backtest.log" || { echo "ci-backtest: the scheduled retrains did not run" >&2; exit 1; }
echo "ci-backtest: backtest took $(($(date +%s) - start)) s"
cd "$work"
"$root/Scripts/score.sh" --model ci-backtest waterflow.jsonl
python3 - "$work/eval-results/ci-backtest_per_dataset.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1 and rows[0]["dataset"] == "waterflow", rows
row = rows[0]
assert float(row["completeness"]) == 1.0, f"incomplete forecasts: {row['completeness']}"
assert 0.75 <= float(row["cov90"]) <= 0.99, f"cov90 {row['cov90']} out of range"
print(f"ci-backtest: waterflow complete, cov90 {float(row['cov90']):.3f}, sCRPS {float(row['scrps']):.3f}")
PY
