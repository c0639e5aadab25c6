# Sourced by the backtest and scoring scripts: sets and exports SHARED_DIR, the folder holding data/ and eval/
# (../shared next to the repository, or as given), or leaves it empty when there is none. Needs $root.
shared="${SHARED_DIR:-}"
if [ -z "$shared" ]; then
    for candidate in "$root/../shared" "$root/../../shared"; do
        if [ -f "$candidate/eval/evaluate.py" ]; then shared="$(cd "$candidate" && pwd)"; break; fi
    done
fi
export SHARED_DIR="$shared"
