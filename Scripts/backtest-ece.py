#!/usr/bin/env python3
"""Expected calibration error of backtest forecasts, per dataset and on average.

usage: backtest-ece.py DATA_DIR RUN_DIR

RUN_DIR holds <dataset>.jsonl files in the scorer's format; DATA_DIR the matching <dataset>.csv
(timestamp,stream,value). ECE is the mean over the forecast's levels of |tau - P(y < q_tau) - P(y = q_tau)/2|,
pooled over origins, streams and horizon steps: an outcome exactly on a quantile (a count at 0 on a quantile raised
to 0) counts half, so point masses are not counted as misses. evaluate.py reports no ECE, and no NLL for quantile
forecasts, so this is the calibration figure of docs/backtest.md's posterior table.
"""
import collections
import csv
import json
import os
import sys


def dataset_ece(data_dir, run_dir, name):
    dataset = name[: -len(".jsonl")]
    series = collections.defaultdict(list)
    with open(os.path.join(data_dir, dataset + ".csv")) as f:
        reader = csv.reader(f)
        next(reader)
        for t, s, v in reader:
            series[s].append((t, float(v) if v not in ("", "nan", "NaN") else float("nan")))
    index = {s: {t: i for i, (t, _) in enumerate(rows)} for s, rows in series.items()}
    below = collections.Counter()
    total = collections.Counter()
    with open(os.path.join(run_dir, name)) as f:
        for line in f:
            row = json.loads(line)
            rows = series[row["stream"]]
            origin = row["origin_timestamp"]
            i = index[row["stream"]].get(origin, index[row["stream"]].get(origin.replace("T", " ").replace("Z", "")))
            if i is None:
                continue
            for level, values in row["quantiles"].items():
                for h, q in enumerate(values):
                    if i + 1 + h >= len(rows):
                        break
                    y = rows[i + 1 + h][1]
                    if y != y:
                        continue
                    total[level] += 1
                    below[level] += 1.0 if y < q else (0.5 if y == q else 0.0)
    if not total:
        return None
    return sum(abs(float(level) - below[level] / total[level]) for level in total) / len(total)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data_dir, run_dir = sys.argv[1], sys.argv[2]
    result = {}
    for name in sorted(os.listdir(run_dir)):
        if name.endswith(".jsonl"):
            ece = dataset_ece(data_dir, run_dir, name)
            if ece is not None:
                result[name[: -len(".jsonl")]] = ece
    print(json.dumps(result))
    print("mean", sum(result.values()) / max(1, len(result)), len(result))


if __name__ == "__main__":
    main()
