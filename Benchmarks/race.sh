#!/usr/bin/env bash
# The race: xofusion bench against DuckDB and Polars on the same machine, in the same run, alternating.
#
#   bash Benchmarks/race.sh                      # SF 0.01, 0.1 and 1; 2 threads; 2 rounds × 3 repetitions
#   RACE_SF="1" RACE_ROUNDS=3 bash Benchmarks/race.sh
#
# Environment: RACE_SF (scale factors, default "0.01 0.1 1"), RACE_ROUNDS (2), RACE_REPEAT (3),
# RACE_THREADS (2), XO_VENV (Python environment, default /tmp/xo-venv; created from
# ../shared/bench/requirements.txt if missing), XO_DATA_ROOT (data folders, default /tmp/xo-data),
# XO_BENCH (the shared bench folder, default ../shared/bench beside the repository).
# Every output goes to Benchmarks/results/race-<time>/, which git ignores. Exit status 1 if any answer
# differs from the reference answers or from DuckDB's full Q2 table.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SFS=${RACE_SF:-"0.01 0.1 1"}
ROUNDS=${RACE_ROUNDS:-2}
REPEAT=${RACE_REPEAT:-3}
THREADS=${RACE_THREADS:-2}
OUT=$ROOT/Benchmarks/results/race-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
source "$ROOT/Benchmarks/scripts/environment.sh"

status=0
for SF in $SFS; do
    DATA=$DATA_ROOT/sf$SF
    EXPECTED=$BENCH/expected/expected-sf$SF.json
    ensure_data "$SF"
    for round in $(seq 1 "$ROUNDS"); do
        echo "== SF $SF round $round/$ROUNDS: xofusion"
        extra=()
        if [ "$round" = 1 ] && { [ "$SF" = 0.01 ] || [ "$SF" = 0.1 ]; }; then extra=(--q2-csv "$OUT/xofusion-q2-sf$SF.csv"); fi
        "$PY" "$BENCH/pin.py" "$DATA" -- "$XO" bench --data "$DATA" --repeat "$REPEAT" --threads "$THREADS" --json "${extra[@]}" \
            > "$OUT/xofusion-sf$SF-r$round.json" 2> "$OUT/xofusion-sf$SF-r$round.log"
        echo "== SF $SF round $round/$ROUNDS: duckdb, polars"
        "$PY" "$BENCH/run_peers.py" --data "$DATA" --engines duckdb,polars --threads "$THREADS" --repeat "$REPEAT" \
            --json "$OUT/peers-sf$SF-r$round.json" > "$OUT/peers-sf$SF-r$round.log" 2>&1
    done
    if [ -f "$EXPECTED" ]; then
        echo "== SF $SF: our answers against $EXPECTED"
        "$PY" "$BENCH/expected.py" compare "$EXPECTED" "$OUT/xofusion-sf$SF-r1.json" || status=1
    else
        echo "== SF $SF: no reference answers in $BENCH/expected (not compared)"
    fi
    if [ -f "$OUT/xofusion-q2-sf$SF.csv" ]; then
        echo "== SF $SF: every row of Q2 against DuckDB's"
        "$PY" "$ROOT/Benchmarks/scripts/compare_q2.py" --bench "$BENCH" --data "$DATA" --ours "$OUT/xofusion-q2-sf$SF.csv" --threads "$THREADS" || status=1
    fi
done

echo
"$PY" "$ROOT/Benchmarks/scripts/race_table.py" --bench "$BENCH" "$OUT" | tee "$OUT/table.md"
echo "outputs: $OUT"
exit $status
