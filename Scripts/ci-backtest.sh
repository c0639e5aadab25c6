#!/usr/bin/env bash
# CI check of `barnnd backtest`: one small backtest (waterflow, 1268 values, a copy in Tests/Fixtures/Backtest) with a
# short first fit and two scheduled retrains; fails unless the retrains ran, every protocol origin has a complete
# forecast and the 90% interval coverage is sane. Scored by ../shared/eval/evaluate.py (numpy+pandas in a venv) when
# that folder is there, else by the check below on its own, so a clone with nothing beside it passes or fails alike.
# Uses the debug build that Scripts/test.sh made.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fixture="$root/Tests/Fixtures/Backtest"
# shellcheck source=lib/shared-dir.sh
. "$root/Scripts/lib/shared-dir.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin="$(cd "$root" && swift build --show-bin-path)/barnnd"
[ -x "$bin" ] || (cd "$root" && swift build --product barnnd)
start=$(date +%s)
# Two scheduled retrains (the test part has 508 steps) keep the retraining path in CI at a debug build's cost.
"$bin" backtest --csv "$fixture/waterflow.csv" --out "$work/waterflow.jsonl" --quiet \
    --training-steps 150 --paths 64 --retrain-every 254 2>"$work/backtest.log"
cat "$work/backtest.log"
grep -Eq "retrains: .*2 schedule" "$work/backtest.log" || { echo "ci-backtest: the scheduled retrains did not run" >&2; exit 1; }
echo "ci-backtest: backtest took $(($(date +%s) - start)) s"
# The protocol's origins (evaluate.py's split), the 13 levels, H finite non-decreasing quantiles, and cov90.
python3 - "$fixture" "$work/waterflow.jsonl" <<'PY'
import csv, json, math, sys
fixture, forecasts = sys.argv[1], sys.argv[2]
H = json.load(open(f"{fixture}/datasets.json"))["waterflow"]["H"]
levels = ["0.025", "0.05", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "0.95", "0.975"]
series = {}
for row in csv.DictReader(open(f"{fixture}/waterflow.csv")):
    series.setdefault(row["stream"], []).append((row["timestamp"], float(row["value"])))
rows = [json.loads(line) for line in open(forecasts)]
hits = total = 0
for stream, values in series.items():
    n = len(values)
    first, last = math.floor(0.6 * n) - 1, n - 1 - H
    origins = set(range(first, last + 1, max(1, (last - first + 1) // 150)))
    index = {t: i for i, (t, _) in enumerate(values)}
    mine = [r for r in rows if r["stream"] == stream]
    got = {index[r["origin_timestamp"]] for r in mine}
    assert got == origins, f"{stream}: {len(origins - got)} origins missing, {len(got - origins)} extra"
    for r in mine:
        q = [r["quantiles"][level] for level in levels]
        assert all(len(x) == H and all(math.isfinite(v) for v in x) for x in q), f"{stream}: incomplete row"
        assert all(a <= b for lo, hi in zip(q, q[1:]) for a, b in zip(lo, hi)), f"{stream}: crossing quantiles"
        i = index[r["origin_timestamp"]]
        for h in range(H):
            y = values[i + 1 + h][1]
            hits += q[1][h] <= y <= q[11][h]
            total += 1
cov90 = hits / total
assert 0.75 <= cov90 <= 0.99, f"cov90 {cov90:.3f} out of range"
print(f"ci-backtest: waterflow complete ({len(rows)} origins), cov90 {cov90:.3f}")
PY
if [ -z "$shared" ]; then
    echo "ci-backtest: no ../shared/eval (set SHARED_DIR): the shared evaluator's score is skipped"
    exit 0
fi
cd "$work"
EVAL_DATA="$fixture" "$root/Scripts/score.sh" --model ci-backtest waterflow.jsonl
python3 - "$work/eval-results/ci-backtest_per_dataset.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1 and rows[0]["dataset"] == "waterflow", rows
row = rows[0]
assert float(row["completeness"]) == 1.0, f"incomplete forecasts: {row['completeness']}"
assert 0.75 <= float(row["cov90"]) <= 0.99, f"cov90 {row['cov90']} out of range"
print(f"ci-backtest: evaluate.py: waterflow complete, cov90 {float(row['cov90']):.3f}, sCRPS {float(row['scrps']):.3f}")
PY
