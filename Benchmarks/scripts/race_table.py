#!/usr/bin/env python3
"""The race's table: per scale factor and query, our median, each peer's median, the ratio to the fastest
peer, and each engine's peak RSS, from the JSON files race.sh wrote into one folder.

    python race_table.py --bench ../shared/bench Benchmarks/results/race-<time>

Medians are over every repetition of every round; a peak is the median over rounds of the phase's peak
(Q0: the first load's); `process` is the largest phase peak. A second table gives each engine's median CPU
seconds per repetition (user and kernel), ours with the kernel's part. Our Q0 is the load and the fusion; the row
`q0 read` is our reading alone (the bench README's definition of Q0), against the peers' Q0, for reference:
the target is judged on `q0`.
"""
import argparse
import glob
import json
import os
import re
import statistics

QUERIES = ["q0", "q1", "q2", "q3", "q4"]
TARGETS = {"q0": 0.5, "q1": 0.1, "q2": 0.1, "q3": 0.1, "q4": 0.1}


def collect(folder):
    """{sf: {engine: {query: {"times": [...], "peaks": [...]}, "process": [...]}}}"""
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, "*-sf*-r*.json"))):
        sf = re.search(r"-sf([0-9.]+)-r\d+\.json$", path).group(1)
        with open(path) as f:
            doc = json.load(f)
        for e in doc.get("engines", []):
            engine = out.setdefault(sf, {}).setdefault(e["engine"], {"process": []})
            for q, phase in e.get("phases", {}).items():
                slot = engine.setdefault(q, {"times": [], "peaks": [], "cpu": [], "kernel": []})
                slot["times"] += phase.get("times", [])
                slot["cpu"] += phase.get("cpu_s", [])
                slot["kernel"] += phase.get("kernel_cpu_s", [])
                slot.setdefault("read_times", []).extend(phase.get("read_times", []))
                slot["peaks"].append(phase.get("peak_rss_mib", 0))
            if "process_peak_rss_mib" in e:
                engine["process"].append(e["process_peak_rss_mib"])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=None)
    ap.add_argument("folder")
    args = ap.parse_args()
    data = collect(args.folder)
    for sf in sorted(data, key=float):
        engines = data[sf]
        peers = [e for e in engines if e != "xofusion"]
        print(f"\n### SF {sf}\n")
        header = "| query | xofusion | " + " | ".join(peers) + " | ratio to fastest peer | target | xofusion peak | " + " | ".join(f"{p} peak" for p in peers) + " |"
        print(header)
        print("|" + "---|" * (header.count("|") - 1))
        for q in QUERIES:
            ours = engines.get("xofusion", {}).get(q)
            if not ours or not ours["times"]:
                continue
            om = statistics.median(ours["times"])
            cells, fastest = [], None
            for p in peers:
                pq = engines[p].get(q)
                if pq and pq["times"]:
                    m = statistics.median(pq["times"])
                    fastest = m if fastest is None else min(fastest, m)
                    cells.append(f"{m:.3f} s")
                else:
                    cells.append("–")
            ratio = om / fastest if fastest else float("nan")
            mark = "✓" if ratio <= TARGETS[q] else "✗"
            peaks = [f"{statistics.median(engines[p][q]['peaks']):.0f} MiB" if engines[p].get(q) else "–" for p in peers]
            print(f"| {q} | {om:.3f} s | " + " | ".join(cells) + f" | {ratio:.2f}× | {TARGETS[q]}× {mark} | {statistics.median(ours['peaks']):.0f} MiB | "
                  + " | ".join(peaks) + " |")
            if q == "q0" and ours.get("read_times") and fastest:
                rm = statistics.median(ours["read_times"])
                print(f"| q0 read | {rm:.3f} s | " + " | ".join(cells) + f" | {rm / fastest:.2f}× | (reference) | | " + " | ".join("" for _ in peers) + " |")
        # CPU seconds per repetition (user and kernel, as run_peers.py's cpu_s); ours with the kernel's
        # part, which is mostly mapping in fresh memory and varies with what the host still backs.
        print("\n| query | xofusion CPU | " + " | ".join(f"{p} CPU" for p in peers) + " |")
        print("|" + "---|" * (len(peers) + 2))
        for q in QUERIES:
            ours = engines.get("xofusion", {}).get(q)
            if not ours or not ours["cpu"]:
                continue
            kernel = f" ({statistics.median(ours['kernel']):.2f} s kernel)" if ours["kernel"] else ""
            theirs = [f"{statistics.median(engines[p][q]['cpu']):.2f} s" if engines[p].get(q) and engines[p][q]["cpu"] else "–" for p in peers]
            print(f"| {q} | {statistics.median(ours['cpu']):.2f} s{kernel} | " + " | ".join(theirs) + " |")
        procs = {e: max(v["process"]) for e, v in engines.items() if v["process"]}
        print("\nprocess peak RSS: " + ", ".join(f"{e} {m:.0f} MiB" for e, m in procs.items()))


if __name__ == "__main__":
    main()
