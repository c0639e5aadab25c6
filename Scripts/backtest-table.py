#!/usr/bin/env python3
"""Markdown tables of backtest scores: dataset x metrics per variant, and a summary per variant with the
geometric-mean sCRPS relative to seasonal naive (the snaive sCRPS of ../shared/eval/baselines.md).

Usage: backtest-table.py RESULTS_DIR VARIANT [VARIANT ...]
Reads RESULTS_DIR/eval-results/barnnd-<variant>_per_dataset.csv (written by Scripts/backtest-all.sh)."""
import csv
import math
import os
import sys

SNAIVE_SCRPS = {"taylor": 0.702, "elecdemand": 0.749, "waterflow": 0.768, "cycling": 6.435, "sunspots": 1.282,
                "seattle_weather": 0.999}
ORDER = ["taylor", "elecdemand", "waterflow", "cycling", "sunspots", "seattle_weather"]


def rows(results, variant):
    path = os.path.join(results, "eval-results", f"barnnd-{variant}_per_dataset.csv")
    with open(path) as f:
        by = {r["dataset"]: r for r in csv.DictReader(f)}
    return [by[d] for d in ORDER if d in by]


def main():
    results, variants = sys.argv[1], sys.argv[2:]
    print("| variant | datasets | geo-mean sCRPS / snaive | mean abs(cov90-0.90) | mean cov90 | min cov90 | max cov90 "
          "| mean abs(cov80-0.80) | mean abs(cov95-0.95) | mean MASE |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for v in variants:
        rs = rows(results, v)
        f = lambda r, k: float(r[k])
        ratio = math.exp(sum(math.log(f(r, "scrps") / SNAIVE_SCRPS[r["dataset"]]) for r in rs) / len(rs))
        c90 = [f(r, "cov90") for r in rs]
        print(f"| {v} | {len(rs)} | {ratio:.3f} | {sum(abs(c - 0.9) for c in c90) / len(rs):.3f} "
              f"| {sum(c90) / len(rs):.3f} | {min(c90):.3f} | {max(c90):.3f} "
              f"| {sum(abs(f(r, 'cov80') - 0.8) for r in rs) / len(rs):.3f} "
              f"| {sum(abs(f(r, 'cov95') - 0.95) for r in rs) / len(rs):.3f} "
              f"| {sum(f(r, 'mase') for r in rs) / len(rs):.3f} |")
    print()
    print("| variant | dataset | MASE | sCRPS | sCRPS / snaive | cov80 | cov90 | cov95 | w90/IQR | completeness |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for v in variants:
        for r in rows(results, v):
            print(f"| {v} | {r['dataset']} | {float(r['mase']):.3f} | {float(r['scrps']):.3f} "
                  f"| {float(r['scrps']) / SNAIVE_SCRPS[r['dataset']]:.3f} | {float(r['cov80']):.3f} "
                  f"| {float(r['cov90']):.3f} | {float(r['cov95']):.3f} | {float(r['w90_iqr']):.3f} "
                  f"| {float(r['completeness']):.3f} |")


if __name__ == "__main__":
    main()
