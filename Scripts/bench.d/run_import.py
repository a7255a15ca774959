#!/usr/bin/env python3
"""Times anslag-import (recognition and every check; --report json) on a 100-sheet budget
workbook with 200 000 line items and 5 100 totals (make_budget.c), against python-calamine
only reading the same file (every sheet to Python values); best of N; peak RSS."""
import os, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from benchlib import run

BENCH, TOOL = sys.argv[1], sys.argv[2]
PY = os.path.join(BENCH, "venv", "bin", "python")
CALAMINE = """
import sys, python_calamine
wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
rows = sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)
"""


src = os.path.join(BENCH, "data", "budget-100.xlsx")
maker = os.path.join(BENCH, "make_budget")
subprocess.run([maker, src], check=True, stderr=subprocess.DEVNULL)
print(f"\nbudget-100.xlsx: 100 sheets, 200 000 line items, 5 000 section totals + 100 grand totals (SUM formulas), {os.path.getsize(src) / 1e6:.1f} MB")
a = run([TOOL, src, "--report", "json"])
c = run([PY, "-c", CALAMINE, src])
print(f"  anslag-import --report json        {a[0]:6.3f} s  peak RSS {a[1] / 1024:6.1f} MiB  (target < 2 s: {'met' if a[0] < 2 else 'NOT met'})")
print(f"  python-calamine, reading only      {c[0]:6.3f} s  peak RSS {c[1] / 1024:6.1f} MiB")
print(f"  anslag-import / calamine = {a[0] / c[0]:.2f}x (target <= 0.5x: {'met' if a[0] <= 0.5 * c[0] else 'NOT met'})")
