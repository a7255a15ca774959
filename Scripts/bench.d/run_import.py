#!/usr/bin/env python3
"""Times anslag-import (recognition and every check; --report json) on a 100-sheet budget
workbook with 200 000 line items and 5 100 totals (make_budget.c), against python-calamine
only reading the same file (every sheet to Python values); best of 7 (the runs are short and
this VM's timings vary); peak RSS. Two builds of anslag-import: the default release build
(Swift runtime and Foundation as shared libraries) and the static one (--static-swift-stdlib),
how the tools are best deployed."""
import os, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from benchlib import run

BENCH, TOOL, STATIC = sys.argv[1], sys.argv[2], sys.argv[3]
RUNS = 7
PY = os.path.join(BENCH, "venv", "bin", "python")
CALAMINE = """
import sys, python_calamine
wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
rows = sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)
"""


src = os.path.join(BENCH, "data", "budget-100.xlsx")
maker = os.path.join(BENCH, "make_budget")
subprocess.run([maker, src], check=True, stderr=subprocess.DEVNULL)
print(f"\nbudget-100.xlsx: 100 sheets, 200 000 line items, 5 000 section totals + 100 grand totals (SUM formulas), {os.path.getsize(src) / 1e6:.1f} MB; best of {RUNS}")
c = run([PY, "-c", CALAMINE, src], runs=RUNS)
a = run([TOOL, src, "--report", "json"], runs=RUNS)
s = run([STATIC, src, "--report", "json"], runs=RUNS)
print(f"  python-calamine, reading only               {c[0]:6.3f} s  peak RSS {c[1] / 1024:6.1f} MiB")
for name, r in (("anslag-import --report json", a), ("  the same, --static-swift-stdlib build", s)):
    print(f"  {name:42} {r[0]:6.3f} s  peak RSS {r[1] / 1024:6.1f} MiB  = {r[0] / c[0]:.2f}x calamine"
          f"  (targets < 2 s: {'met' if r[0] < 2 else 'NOT met'}; <= 0.5x: {'met' if r[0] <= 0.5 * c[0] else 'NOT met'})")
