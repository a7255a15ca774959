#!/usr/bin/env python3
"""Times anslag-scb --to csv (checks on) against pandas (read_csv + melt + to_csv of the long
table) on the SCB-shaped CSV make_scb.py makes, at 1x and 4x the rows; best of N; peak RSS."""
import os, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
import benchlib

BENCH, TOOL = sys.argv[1], sys.argv[2]
PY = os.path.join(BENCH, "venv", "bin", "python")
RUNS = int(os.environ.get("BENCH_RUNS", "2"))
PANDAS = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1], encoding="cp1252", skiprows=2, dtype={"region": str})
long = df.melt(id_vars=list(df.columns[:4]), var_name="år", value_name="value")
long.to_csv(sys.argv[2], index=False)
"""

def run(cmd):
    return benchlib.run(cmd, runs=RUNS)

for scale in (1, 4):
    src = os.path.join(BENCH, "data", f"scb-{scale}x.csv")
    subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "make_scb.py"), src, str(scale)], check=True)
    obs = 312 * 101 * 2 * 50 * scale
    print(f"\nscb-{scale}x.csv: {obs / 1e6:.2f} M observations, {os.path.getsize(src) / 1e6:.1f} MB, Windows-1252, title line")
    out = os.path.join(BENCH, "data", "out.csv")
    a = run([TOOL, "--to", "csv", src, "-o", out, "--force"])
    p = run([PY, "-c", PANDAS, src, out])
    print(f"  anslag-scb --to csv (checks on)   {a[0]:7.2f} s  peak RSS {a[1] / 1024:7.1f} MiB")
    print(f"  pandas read_csv + melt + to_csv   {p[0]:7.2f} s  peak RSS {p[1] / 1024:7.1f} MiB")
    print(f"  anslag / pandas = {a[0] / p[0]:.2f}x (target <= 0.5x: {'met' if a[0] <= 0.5 * p[0] else 'NOT met'})")
