#!/usr/bin/env bash
# barnnd's model against the same BARNN model in PyTorch, in one session: barnn-bench (Monte Carlo forecast and
# training) and Benchmarks/torch/barnn_torch.py run alternately, ROUNDS times each (default 2), so machine load
# falls on both alike. Prints every raw JSON line, then one summary line per quantity with each side's best figure
# and barnnd / torch (Benchmarks/torch/compare_summary.py). Status goes to stderr, JSON lines to stdout.
#   Scripts/torch-compare.sh [ROUNDS]
# torch lives only in .venv-torch/ (made on first use): barnnd never depends on it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rounds="${1:-2}"
case "$rounds" in '' | *[!0-9]* | 0) echo "usage: $0 [ROUNDS ≥ 1]" >&2 && exit 2 ;; esac
venv="$root/.venv-torch"
py="$venv/bin/python"

if ! "$py" -c 'import torch, numpy' >/dev/null 2>&1; then
    echo "# making $venv with torch (CPU)" >&2
    base="$(command -v python3.11 || command -v python3)"
    "$base" -m venv "$venv"
    pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
    if ! "${pip[@]}" --retries 1 --timeout 30 torch --index-url https://download.pytorch.org/whl/cpu; then
        # No CPU index: a CPU wheel in a folder pip is configured to look in (find-links), else the default index,
        # whose Linux wheel is the CUDA build (it runs on the CPU too, with gigabytes of CUDA libraries beside it).
        tag="$("$py" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
        wheel=""
        for dir in ${PIP_FIND_LINKS:-} $("$venv/bin/pip" config get global.find-links 2>/dev/null || true); do
            for candidate in "$dir"/torch-*+cpu-"$tag"-*.whl; do
                [ -f "$candidate" ] && wheel="$candidate"
            done
        done
        echo "# CPU index unreachable; installing ${wheel:-torch from the default index}" >&2
        "${pip[@]}" "${wheel:-torch}"
    fi
    "${pip[@]}" numpy
fi

echo "# building barnn-bench (release)" >&2
swift build -c release --product barnn-bench >&2
bench="$(swift build -c release --show-bin-path)/barnn-bench"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
load_before="$(cat /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
    echo "# round $round/$rounds: barnnd" >&2
    "$bench" sample train | tee -a "$out/barnnd.jsonl"
    echo "# round $round/$rounds: torch" >&2
    parts=(sample train)
    [ "$round" = 1 ] && parts=(flops sample train)
    "$py" Benchmarks/torch/barnn_torch.py "${parts[@]}" | tee -a "$out/torch.jsonl"
done
load_after="$(cat /proc/loadavg)"
echo "# summary: best of $rounds rounds each; barnnd_over_torch > 1 means barnnd is faster" >&2
"$py" Benchmarks/torch/compare_summary.py "$out/barnnd.jsonl" "$out/torch.jsonl" "$load_before" "$load_after"
