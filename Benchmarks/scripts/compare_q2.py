#!/usr/bin/env python3
"""Compare every row and column of xofusion's Q2 table (written by `xofusion bench --q2-csv`) with DuckDB's.

    python compare_q2.py --bench ../shared/bench --data /tmp/xo-data/sf0.1 --ours q2.csv [--rel 1e-9]
"""
import argparse
import os
import sys

import pyarrow as pa
import pyarrow.csv as pv


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rel", type=float, default=1e-9)
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.bench))
    from common import RESULTS, canon, compare_tables
    import eng_duckdb

    types = {"str": pa.string(), "int": pa.int64(), "f64": pa.float64(), "ts": pa.timestamp("s")}
    columns = {c: types[k] for c, k in RESULTS["q2"]["cols"]}
    ours = pv.read_csv(args.ours, convert_options=pv.ConvertOptions(
        column_types=columns, timestamp_parsers=["%Y-%m-%dT%H:%M:%SZ", pv.ISO8601], strings_can_be_null=False))
    ours = canon("q2", ours)

    engine = eng_duckdb.Engine(args.threads)
    engine.load(args.data)
    theirs = canon("q2", engine.q2_arrow(engine.q2()))
    engine.free()

    diffs = compare_tables("q2", theirs, ours, rel=args.rel, max_report=5)
    if diffs:
        print(f"Q2: {len(diffs)} difference(s) between DuckDB ({theirs.num_rows} rows) and xofusion ({ours.num_rows} rows):")
        for line in diffs[:40]:
            print("   ", line)
        sys.exit(1)
    print(f"Q2: all {ours.num_rows} rows × {ours.num_columns} columns identical to DuckDB's (floats within {args.rel} relative)")


if __name__ == "__main__":
    main()
