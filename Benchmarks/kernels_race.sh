#!/usr/bin/env bash
# The kernels against the peers (issue 4's measurement): `xofusion kernels` (key encoding, a group-by of the
# orders by customer, and the as-of attribution with the Q3 grouping) and run_peers.py's Q3 on DuckDB and
# Polars, in the same run, alternating.
#
#   bash Benchmarks/kernels_race.sh                 # SF 1, 2 threads, 3 rounds × 3 repetitions
#   KR_SF=0.1 KR_ROUNDS=2 bash Benchmarks/kernels_race.sh
#
# Environment: KR_SF (1), KR_ROUNDS (3), KR_REPEAT (3), KR_THREADS (2), and XO_VENV, XO_DATA_ROOT, XO_BENCH
# as in race.sh. Outputs go to Benchmarks/results/kernels-<time>/ (git ignores it). Exit status 1 if our
# Q3 answer differs from the reference answers.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SF=${KR_SF:-1}
ROUNDS=${KR_ROUNDS:-3}
REPEAT=${KR_REPEAT:-3}
THREADS=${KR_THREADS:-2}
OUT=$ROOT/Benchmarks/results/kernels-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
source "$ROOT/Benchmarks/scripts/environment.sh"
ensure_data "$SF"
DATA=$DATA_ROOT/sf$SF

for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round/$ROUNDS: xofusion kernels"
    "$PY" "$BENCH/pin.py" "$DATA" -- "$XO" kernels --data "$DATA" --repeat "$REPEAT" --threads "$THREADS" --json \
        > "$OUT/kernels-r$round.json" 2> "$OUT/kernels-r$round.log"
    echo "== round $round/$ROUNDS: duckdb, polars (q3)"
    "$PY" "$BENCH/run_peers.py" --data "$DATA" --engines duckdb,polars --threads "$THREADS" --repeat "$REPEAT" --queries q3 \
        --json "$OUT/peers-r$round.json" > "$OUT/peers-r$round.log" 2>&1
done

"$PY" "$ROOT/Benchmarks/scripts/kernels_table.py" --bench "$BENCH" --sf "$SF" "$OUT" | tee "$OUT/table.md"
echo "outputs: $OUT"
