# Shared by race.sh and kernels_race.sh (sourced): the paths, the Python environment, the release build,
# the data. Needs ROOT; sets BENCH, VENV and DATA_ROOT (XO_BENCH, XO_VENV, XO_DATA_ROOT override them),
# PY and XO, and defines ensure_data SF.

BENCH=${XO_BENCH:-$ROOT/../shared/bench}
VENV=${XO_VENV:-/tmp/xo-venv}
DATA_ROOT=${XO_DATA_ROOT:-/tmp/xo-data}

[ -d "$BENCH" ] || { echo "no bench folder at $BENCH (set XO_BENCH)" >&2; exit 2; }

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import duckdb, polars, pyarrow, numpy" 2>/dev/null; then
    echo "== creating the Python environment $VENV from $BENCH/requirements.txt"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet -r "$BENCH/requirements.txt"
fi
PY=$VENV/bin/python

echo "== building xofusion (release)"
(cd "$ROOT" && swift build -c release --product xofusion 2>&1 | tail -1)
XO=$(cd "$ROOT" && swift build -c release --show-bin-path)/xofusion

# Generates scale factor $1 into $DATA_ROOT/sf$1 (seed 42) unless it is there.
ensure_data() {
    if [ ! -f "$DATA_ROOT/sf$1/manifest.json" ]; then
        echo "== generating SF $1 into $DATA_ROOT/sf$1"
        "$PY" "$BENCH/gen.py" --sf "$1" --out "$DATA_ROOT/sf$1" --seed 42
    fi
}
