#!/usr/bin/env python3
"""Times anslag-export writing a budget of N line items plus a SUM row to xlsx (make_export.py)
against (a) a plain C loop over libxlsxwriter writing the same cells (export_loop.c), (b) Python
XlsxWriter in constant_memory mode and (c) openpyxl in write-only mode; best of N, peak RSS, at
250 000 and 1 000 000 rows (openpyxl only at 250 000: it takes minutes at 1 M)."""
import os, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from benchlib import run

BENCH, TOOL = sys.argv[1], sys.argv[2]
PY = os.path.join(BENCH, "venv", "bin", "python")
PEER = """
import sys
rows = [l.rstrip("\\n").split("\\t") for l in open(sys.argv[2], encoding="utf-8")]
titles = ["Blad", "Cell", "Roll", "Post", "År", "Område", "Nyckel", "Belopp"]
if sys.argv[1] == "xlsxwriter":
    import xlsxwriter
    wb = xlsxwriter.Workbook(sys.argv[3], {"constant_memory": True})
    kr = wb.add_format({"num_format": '#,##0 "kr"'}); text = wb.add_format({"num_format": "@"})
    head = wb.add_format({"bold": True, "bottom": 1})
    ws = wb.add_worksheet("Budget")
    for c, w in enumerate([16, 8, 9, 40, 6, 20, 24, 16]): ws.set_column(c, c, w)
    for c, t in enumerate(titles): ws.write_string(0, c, t, head)
    ws.freeze_panes(1, 0)
    r = 0
    for r, f in enumerate(rows, 1):
        ws.write_string(r, 0, f[0]); ws.write_string(r, 1, f[1], text); ws.write_string(r, 2, f[2])
        if f[2] == "total":
            ws.write_string(r, 3, f[3], head); ws.write_formula(r, 7, f"=SUM(H2:H{r})", kr, float(f[6]))
        else:
            ws.write_string(r, 3, f[3]); ws.write_number(r, 4, float(f[4])); ws.write_string(r, 5, f[5]); ws.write_number(r, 7, float(f[6]), kr)
    ws.autofilter(0, 0, r, 7)
    wb.close()
else:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Budget")
    ws.freeze_panes = "A2"
    ws.append([WriteOnlyCell(ws, t) for t in titles])
    for r, f in enumerate(rows, 1):
        amount = WriteOnlyCell(ws, f"=SUM(H2:H{r})" if f[2] == "total" else float(f[6])); amount.number_format = '#,##0 "kr"'
        ws.append([f[0], f[1], f[2], f[3], float(f[4]) if f[4] else None, f[5] or None, None, amount])
    wb.save(sys.argv[3])
"""


data = os.path.join(BENCH, "data", "export")
os.makedirs(data, exist_ok=True)
loop = os.path.join(BENCH, "export_loop")
out = os.path.join(data, "out.xlsx")
for n in (250_000, 1_000_000):
    base = os.path.join(data, f"budget-{n}")
    subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "make_export.py"), base, str(n)], check=True)
    print(f"\n{n:,} line items + a SUM row (budget JSON {os.path.getsize(base + '.json') / 1e6:.0f} MB), 8 columns as anslag-export writes budgets")
    a = run([TOOL, base + ".json", "-o", out, "--force"])
    c = run([loop, base + ".tsv", out])
    x = run([PY, "-c", PEER, "xlsxwriter", base + ".tsv", out])
    print(f"  anslag-export (JSON → xlsx)          {a[0]:6.2f} s  peak RSS {a[1] / 1024:6.1f} MiB")
    print(f"  C loop over libxlsxwriter (TSV)      {c[0]:6.2f} s  peak RSS {c[1] / 1024:6.1f} MiB")
    print(f"  Python XlsxWriter, constant_memory   {x[0]:6.2f} s  peak RSS {x[1] / 1024:6.1f} MiB")
    if n <= 250_000:
        o = run([PY, "-c", PEER, "openpyxl", base + ".tsv", out])
        print(f"  openpyxl, write-only                 {o[0]:6.2f} s  peak RSS {o[1] / 1024:6.1f} MiB")
    print(f"  anslag / C loop = {a[0] / c[0]:.2f}x (target <= 1.2x: {'met' if a[0] <= 1.2 * c[0] else 'NOT met'}); anslag / XlsxWriter = {a[0] / x[0]:.2f}x")
