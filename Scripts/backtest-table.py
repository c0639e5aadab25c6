#!/usr/bin/env python3
"""Markdown tables of backtest scores against the baselines of ../shared/eval/baselines.md: a summary per variant
(geometric-mean sCRPS relative to seasonal naive, calibration, datasets won against the best of the four baselines,
datasets worse than seasonal naive) and dataset x metrics per variant.

Usage: backtest-table.py RESULTS_DIR VARIANT [VARIANT ...]
Reads RESULTS_DIR/eval-results/barnnd-<variant>_per_dataset.csv (written by Scripts/backtest-all.sh) and
$SHARED_DIR/eval/baselines.md (SHARED_DIR defaults to ../shared next to the repository)."""
import csv
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("SHARED_DIR") or os.path.join(os.path.dirname(ROOT), "shared")


def baselines():
    """{dataset: {model: scrps}} from the dataset x model tables of baselines.md, in the order they appear."""
    table = {}
    with open(os.path.join(SHARED, "eval", "baselines.md")) as f:
        header = None
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[:3] == ["dataset", "group", "model"]:
                header = cells
                continue
            if header and len(cells) == len(header) and not cells[0].startswith("---"):
                row = dict(zip(header, cells))
                try:
                    table.setdefault(row["dataset"], {})[row["model"]] = float(row["scrps"])
                except ValueError:
                    pass
            elif not line.startswith("|"):
                header = None
    return table


BASE = baselines()
ORDER = list(BASE)


def rows(results, variant):
    path = os.path.join(results, "eval-results", f"barnnd-{variant}_per_dataset.csv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        by = {r["dataset"]: r for r in csv.DictReader(f)}
    return [by[d] for d in ORDER if d in by]


def best(dataset):
    return min(BASE[dataset].items(), key=lambda kv: kv[1])


def main():
    results, variants = sys.argv[1], sys.argv[2:]
    print("| variant | datasets | geo-mean sCRPS / snaive | worse than snaive | beats best baseline "
          "| mean abs(cov90-0.90) | mean cov90 | min cov90 | max cov90 | mean abs(cov80-0.80) "
          "| mean abs(cov95-0.95) | mean MASE |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for v in variants:
        rs = rows(results, v)
        if not rs:
            continue
        f = lambda r, k: float(r[k])
        rel = [f(r, "scrps") / BASE[r["dataset"]]["snaive"] for r in rs]
        ratio = math.exp(sum(math.log(x) for x in rel) / len(rs))
        worse = sum(1 for x in rel if x > 1)
        wins = sum(1 for r in rs if f(r, "scrps") < best(r["dataset"])[1])
        c90 = [f(r, "cov90") for r in rs]
        print(f"| {v} | {len(rs)} | {ratio:.3f} | {worse} | {wins} | {sum(abs(c - 0.9) for c in c90) / len(rs):.3f} "
              f"| {sum(c90) / len(rs):.3f} | {min(c90):.3f} | {max(c90):.3f} "
              f"| {sum(abs(f(r, 'cov80') - 0.8) for r in rs) / len(rs):.3f} "
              f"| {sum(abs(f(r, 'cov95') - 0.95) for r in rs) / len(rs):.3f} "
              f"| {sum(f(r, 'mase') for r in rs) / len(rs):.3f} |")
    print()
    print("| variant | dataset | MASE | sCRPS | sCRPS / snaive | best baseline (sCRPS) | cov80 | cov90 | cov95 "
          "| w90/IQR | completeness |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for v in variants:
        for r in rows(results, v):
            name, value = best(r["dataset"])
            print(f"| {v} | {r['dataset']} | {float(r['mase']):.3f} | {float(r['scrps']):.3f} "
                  f"| {float(r['scrps']) / BASE[r['dataset']]['snaive']:.3f} | {name} {value:.3f} "
                  f"| {float(r['cov80']):.3f} | {float(r['cov90']):.3f} | {float(r['cov95']):.3f} "
                  f"| {float(r['w90_iqr']):.3f} | {float(r['completeness']):.3f} |")


if __name__ == "__main__":
    main()
