#!/usr/bin/env python3
"""Benchmarks `devpulse analyze` against the same report in DuckDB SQL, in one run.

Generates the synthetic export (generate.py) when the folder is missing, then runs
each side --repeat times, alternating, as whole processes reading the folder from
scratch, and reports median wall time, peak memory (GNU time), their ratio, and
whether the two reports agree to 1e-9.

    run.py [--folder /tmp/devpulse-bench] [--devpulse target/release/devpulse] [--repeat 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd):
    """Runs cmd under GNU time; returns (stdout, wall seconds, peak KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        out = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name, *cmd], check=True, capture_output=True, text=True)
        wall, peak = t.read().split()[-2:]
    return out.stdout, float(wall), int(peak)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", default="/tmp/devpulse-bench")
    ap.add_argument("--devpulse", default=os.path.join(HERE, "..", "..", "target", "release", "devpulse"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.folder, "answers.parquet")):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), args.folder], check=True)
    ours, theirs = [], []
    for _ in range(args.repeat):
        out, wall, peak = timed([args.devpulse, "analyze", "--input", args.folder, "--format", "json"])
        ours.append((wall, peak, out))
        out, wall, peak = timed([sys.executable, os.path.join(HERE, "duckdb_report.py"), args.folder])
        theirs.append((wall, peak, out))
    a, b = json.loads(ours[-1][2]), json.loads(theirs[-1][2])
    worst = 0.0
    for x, y in zip(a["priorities"], b["priorities"]):
        assert x["area_id"] == y["area_id"] and x["rank"] == y["rank"], (x, y)
        for k in ["priority", "survey_pain", "vote_share", "friction_hours"]:
            worst = max(worst, abs(x[k] - y[k]))
    d_wall = statistics.median(w for w, _, _ in ours)
    q_wall = statistics.median(w for w, _, _ in theirs)
    result = {
        "answers_file_mb": round(os.path.getsize(os.path.join(args.folder, "answers.parquet")) / 2**20, 1),
        "devpulse_analyze_wall_s": d_wall,
        "devpulse_analyze_peak_mib": round(max(p for _, p, _ in ours) / 1024, 1),
        "duckdb_wall_s": q_wall,
        "duckdb_query_s": round(statistics.median(json.loads(o)["seconds"] for _, _, o in theirs), 3),
        "duckdb_peak_mib": round(max(p for _, p, _ in theirs) / 1024, 1),
        "ratio_wall": round(d_wall / q_wall, 3),
        "max_abs_difference": worst,
        "runs": args.repeat,
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
