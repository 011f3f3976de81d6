#!/usr/bin/env python3
"""kernels_race.sh's table: each kernel's median over every repetition of every round, the peers' Q3
medians, and the ratio of our as-of attribution + Q3 grouping to the fastest peer's Q3, overall and per
round (each round's engines ran back to back). Checks our Q3 rows against the reference answers.

    python kernels_table.py --bench ../shared/bench --sf 1 Benchmarks/results/kernels-<time>
"""
import argparse
import glob
import json
import os
import statistics
import sys

ASOF = "as-of attribution + Q3 grouping"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--bench", required=True)
    ap.add_argument("--sf", required=True)
    args = ap.parse_args()
    sys.path.insert(0, args.bench)
    from common import compare_summaries

    rounds = sorted(glob.glob(os.path.join(args.folder, "kernels-r*.json")))
    ours, peers, per_round, answer = {}, {}, [], None
    for path in rounds:
        with open(path) as f:
            doc = json.load(f)
        answer = answer or doc["results"]["q3"]
        for name, step in doc["timings"].items():
            ours.setdefault(name, []).extend(step["times"])
        with open(path.replace("kernels-r", "peers-r")) as f:
            peer_doc = json.load(f)
        medians = {}
        for e in peer_doc["engines"]:
            q3 = e.get("phases", {}).get("q3")
            if q3:
                peers.setdefault(e["engine"], []).extend(q3["times"])
                medians[e["engine"]] = q3["median_s"]
        fastest = min(medians.values())
        per_round.append(statistics.median(doc["timings"][ASOF]["times"]) / fastest)

    print(f"| kernel (SF {args.sf}) | median s |\n|---|---:|")
    for name, times in sorted(ours.items()):
        print(f"| {name.strip()} | {statistics.median(times):.3f} |")
    print()
    fastest_engine = min(peers, key=lambda e: statistics.median(peers[e]))
    ours_asof = statistics.median(ours[ASOF])
    print("| Q3 | median s | ratio to the fastest peer |\n|---|---:|---:|")
    print(f"| xofusion kernels (as-of + Q3 grouping) | {ours_asof:.3f} | {ours_asof / statistics.median(peers[fastest_engine]):.3f}× |")
    for engine, times in sorted(peers.items()):
        print(f"| {engine} Q3 | {statistics.median(times):.3f} | |")
    print(f"\nper round (ours / fastest peer): {', '.join(f'{r:.3f}×' for r in per_round)}; goal ≤ 0.1×")

    expected_path = os.path.join(args.bench, "expected", f"expected-sf{args.sf}.json")
    if not os.path.exists(expected_path):
        print(f"no reference answers at {expected_path}: Q3 not checked")
        return 0
    with open(expected_path) as f:
        expected = json.load(f)["results"]["q3"]
    differences = compare_summaries("q3", expected, answer, 1e-9)
    print(f"Q3 answer against {os.path.basename(expected_path)}: {'identical' if not differences else 'DIFFERENT'}")
    for line in differences[:20]:
        print("   ", line)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
