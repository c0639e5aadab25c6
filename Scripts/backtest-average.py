#!/usr/bin/env python3
"""Quantile average (Vincentization) of several backtest runs, for measuring ensembles.

usage: backtest-average.py OUT_DIR RUN_DIR1 RUN_DIR2 ...

Each RUN_DIR holds <dataset>.jsonl files in the scorer's format. For every dataset present in all runs, each
(stream, origin) row present in all runs is written to OUT_DIR/<dataset>.jsonl with every level's quantiles averaged
over the runs and re-sorted per horizon step, so they never cross. Score OUT_DIR with Scripts/score.sh.
"""
import json
import os
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, runs = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(runs[0])):
        if not name.endswith(".jsonl") or not all(os.path.exists(os.path.join(r, name)) for r in runs):
            continue
        rows = [dict() for _ in runs]
        order = []
        for i, run in enumerate(runs):
            with open(os.path.join(run, name)) as f:
                for line in f:
                    row = json.loads(line)
                    key = (row["stream"], row["origin_timestamp"])
                    rows[i][key] = row
                    if i == 0:
                        order.append(key)
        with open(os.path.join(out, name), "w") as f:
            for key in order:
                if not all(key in run_rows for run_rows in rows):
                    continue
                base = dict(rows[0][key])
                quantiles = {
                    level: [sum(v) / len(v) for v in zip(*(run_rows[key]["quantiles"][level] for run_rows in rows))]
                    for level in base["quantiles"]
                }
                levels = sorted(quantiles, key=float)
                for h in range(len(quantiles[levels[0]])):
                    for level, value in zip(levels, sorted(quantiles[level][h] for level in levels)):
                        quantiles[level][h] = value
                base["quantiles"] = quantiles
                f.write(json.dumps(base) + "\n")
        print(name)


if __name__ == "__main__":
    main()
