#!/usr/bin/env python3
"""compare_summary: one JSON line per quantity from barnn-bench's and barnn_torch.py's JSON lines.

    compare_summary.py BARNND.jsonl TORCH.jsonl [LOAD_BEFORE LOAD_AFTER]

Each implementation's figure is its best over every round (and, for torch, over its chunkings; for barnnd at two
threads, over BLAS threads and sampler threads); the ratio is barnnd / torch, so above 1 means barnnd is faster.
"""

import datetime
import json
import re
import sys


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def streams_of(bench):
    return int(re.search(r"N=(\d+)", bench).group(1))


def main():
    barnnd, torch = lines(sys.argv[1]), lines(sys.argv[2])
    load = sys.argv[3:5]
    flops = next((t for t in torch if t["bench"].startswith("FLOPs")), {})
    torch_meta = next((t for t in torch if "torch_version" in t), {})
    common = {
        "blas_core": next((b["blas_core"] for b in barnnd if "blas_core" in b), "?"),
        "torch_version": torch_meta.get("torch_version", "?"),
        "torch_blas": torch_meta.get("torch_blas", "?"),
        "omp_wait_policy": torch_meta.get("omp_wait_policy", "?"),
        "cpu_model": cpu_model(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
    }
    if load:
        common["load_average_1min_before_after"] = [float(x.split()[0]) for x in load]

    # (what, threads) → candidate (value, config) lists for each implementation.
    quantities = []
    for n in sorted({streams_of(t["bench"]) for t in torch if t["bench"].startswith("torch.sample")}):
        for threads in (1, 2):
            quantities.append((f"sample N={n} S=32 H=24 hidden=64", "path_steps_per_s", threads, n))
    for threads in (1, 2):
        quantities.append(("train B=64 T=96 hidden=64", "steps_per_s", threads, None))
    # Each side's best on the machine, whichever thread count gave it (threads "any"): the fair figure when one
    # side is slower on two threads than on one.
    quantities += [(what, field, "any", n) for what, field, threads, n in quantities if threads == 1]

    for what, field, threads, n in quantities:
        kind = what.split()[0]

        def barnnd_config(b):
            return f"blas={b['blas_threads']} threads={b['threads']}"

        def barnnd_match(b):
            if not b["bench"].startswith(f"BARNN.{kind} ") or field not in b:
                return False
            if n is not None and b.get("streams") != n:
                return False
            used = {(b["blas_threads"], b["threads"])}
            return threads == "any" or used <= ({(1, 1)} if threads == 1 else {(2, 1), (1, 2)})

        def torch_config(t):
            chunk = f" chunk_rows={t['chunk_rows']}" if "chunk_rows" in t else ""
            return f"threads={t['threads']}{chunk}"

        def torch_match(t):
            return (
                t["bench"].startswith(f"torch.{kind} ") and field in t and threads in ("any", t["threads"])
                and (n is None or t.get("streams") == n))

        ours = [(b[field], barnnd_config(b), b) for b in barnnd if barnnd_match(b)]
        theirs = [(t[field], torch_config(t)) for t in torch if torch_match(t)]
        if not ours or not theirs:
            continue
        best, best_config, best_record = max(ours, key=lambda o: o[0])
        their_best, their_config = max(theirs)
        line = {
            "compare": what, "quantity": field, "threads": threads,
            "barnnd": best, "barnnd_config": best_config, "torch": their_best, "torch_config": their_config,
            "barnnd_over_torch": round(best / their_best, 2) if their_best else None,
            "barnnd_all": sorted(o[0] for o in ours), "torch_all": sorted(v for v, _ in theirs),
        }
        if "sampler_vs_sgemm" in best_record:
            line["barnnd_sampler_vs_sgemm"] = best_record["sampler_vs_sgemm"]
        if kind == "sample" and flops:
            line["flops_per_path_step"] = {
                "barnnd": flops["barnnd_flops_per_path_step"], "torch": flops["torch_flops_per_path_step"]}
        if kind == "train" and flops:
            line["flops_per_window_step"] = {
                "barnnd": flops["barnnd_train_flops_per_row"], "torch": round(flops["torch_train_flops_per_row"], 1)}
        print(json.dumps(dict(line, **common), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
