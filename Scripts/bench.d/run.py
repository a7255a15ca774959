#!/usr/bin/env python3
"""Times anslag-convert --to csv against python-calamine, openpyxl (read_only) and `unzip -p`
of the same parts, plus a libxml2 floor (inflate + SAX2 parse with empty callbacks), on the
inputs make_inputs.py makes. Best of N wall-clock runs; peak RSS from wait4."""
import os, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from benchlib import run

BENCH = sys.argv[1]           # .build-bench
ANSLAG = sys.argv[2]          # release anslag-convert
PY = os.path.join(BENCH, "venv", "bin", "python")

CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
rows = wb.get_sheet_by_index(0).to_python()
assert len(rows) > 0
"""
OPENPYXL = """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
n = 0
for row in wb.worksheets[0].iter_rows(values_only=True):
    n += 1
assert n > 0
"""

def main():
    data = os.path.join(BENCH, "data")
    floor = os.path.join(BENCH, "libxml2_floor")
    cases = [("strings.xlsx", "1 000 000 rows x 2 columns, 1 M unique shared strings", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"]),
             ("numbers.xlsx", "200 000 rows x 10 numeric columns", ["xl/worksheets/sheet1.xml"])]
    ok = True
    for name, what, parts in cases:
        path = os.path.join(data, name)
        print(f"\n{name}: {what} ({os.path.getsize(path) / 1e6:.1f} MB)")
        results = {}
        results["anslag-convert --to csv"] = run([ANSLAG, "--to", "csv", path])
        results["unzip -p (same parts)"] = run(["unzip", "-p", path] + parts)
        results["libxml2 floor (inflate + SAX2, empty callbacks)"] = run([floor, path] + parts)
        results["python-calamine (to_python)"] = run([PY, "-c", CALAMINE, path])
        results["openpyxl read_only"] = run([PY, "-c", OPENPYXL, path], runs=1)
        a = results["anslag-convert --to csv"][0]
        for label, (t, rss) in results.items():
            ratio = "" if label.startswith("anslag") else f"   anslag = {a / t:.2f}x this"
            print(f"  {label:<50} {t:7.3f} s  peak RSS {rss / 1024:7.1f} MiB{ratio}")
        cal = results["python-calamine (to_python)"][0]
        unz = results["unzip -p (same parts)"][0]
        verdict_c = "met" if a <= 0.33 * cal else "NOT met"
        verdict_u = "met" if a <= 2.0 * unz else "NOT met"
        print(f"  target anslag <= 0.33x python-calamine: {a / cal:.2f}x ({verdict_c}); <= 2x unzip -p: {a / unz:.2f}x ({verdict_u})")
    return 0

if __name__ == "__main__":
    sys.exit(main())
