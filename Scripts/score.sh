#!/usr/bin/env bash
# Scores forecast files with the shared evaluator (../shared/eval/evaluate.py, found next to the repository or
# set by $SHARED_DIR / $EVAL_DIR) in a
# virtual environment with numpy and pandas (created once in $SCORE_VENV, default .venv-score).
# Usage: Scripts/score.sh --model NAME FILE [FILE ...]   (results land in ./eval-results/)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/shared-dir.sh
. "$root/Scripts/lib/shared-dir.sh"
eval_dir="${EVAL_DIR:-$shared/eval}"
[ -f "$eval_dir/evaluate.py" ] || { echo "score.sh: no evaluate.py (set SHARED_DIR or EVAL_DIR)" >&2; exit 1; }
venv="${SCORE_VENV:-$root/.venv-score}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import numpy, pandas" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet numpy pandas
fi
# The evaluator writes next to itself unless told otherwise (shared/ may be read-only): keep results in
# ./eval-results/<model>_*.csv, where this script's callers read them, unless --out is given.
model=""
out_given=0
arguments=("$@")
for ((i = 0; i < ${#arguments[@]}; i++)); do
    case "${arguments[i]}" in
        --model) model="${arguments[i + 1]:-}" ;;
        --model=*) model="${arguments[i]#--model=}" ;;
        --out | --out=*) out_given=1 ;;
    esac
done
extra=()
if [ "$out_given" = 0 ] && [ -n "$model" ]; then extra=(--out "eval-results/$model"); fi
exec "$venv/bin/python" "$eval_dir/evaluate.py" score "$@" "${extra[@]}"
