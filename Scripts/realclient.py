#!/usr/bin/env python3
"""For each workbook in a folder: LibreOffice headless converts it (to ODS) without error, and
openpyxl reads every cell as Anslag's own reader does (anslag-convert --all-sheets --to json),
numbers to 1e-9, text exactly, dates as ISO text; the workbooks with SUM rows must hold live
formulas. Exit 1 on any difference."""
import datetime, glob, json, os, subprocess, sys, tempfile
import openpyxl

folder = sys.argv[1]
convert = os.environ["ANSLAG_CONVERT"]
WITH_FORMULAS = {"convert.xlsx", "allocate.xlsx", "export-allocation.xlsx", "export-budget-long.xlsx",
                 "export-budget-tables.xlsx", "import-report.xlsx", "reconcile.xlsx"}
problems = 0

def same(mine, theirs):
    if mine is None or mine == "":
        return theirs is None or theirs == ""
    if isinstance(theirs, bool) or isinstance(mine, bool):
        return mine == theirs
    if isinstance(theirs, (int, float)) and isinstance(mine, (int, float)):
        return abs(theirs - mine) <= 1e-9 * max(1, abs(mine))
    if isinstance(theirs, datetime.datetime):
        text = theirs.isoformat()
        return mine in (text, text.replace("T00:00:00", ""), text[:10]) or mine == text.split("T")[1] if "T" in text else mine == text
    if isinstance(theirs, datetime.timedelta) and isinstance(mine, str) and mine.startswith("PT") and mine.endswith("S"):
        return abs(theirs.total_seconds() - float(mine[2:-1])) < 1e-6
    if isinstance(theirs, datetime.time):
        return mine == theirs.isoformat()
    return str(theirs) == str(mine)

for path in sorted(glob.glob(os.path.join(folder, "*.xlsx"))):
    name = os.path.basename(path)
    with tempfile.TemporaryDirectory() as tmp:
        lo = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                             "--convert-to", "ods", "--outdir", tmp, path], capture_output=True, text=True, timeout=180)
        converted = os.path.join(tmp, name[:-5] + ".ods")
        lo_ok = lo.returncode == 0 and os.path.exists(converted) and os.path.getsize(converted) > 0
    mine = json.loads(subprocess.run([convert, "--all-sheets", "--to", "json", path], capture_output=True, check=True).stdout)
    values = openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(path, data_only=False)
    cells = differences = 0
    for sheet in mine["sheets"]:
        ws = values[sheet["name"]]
        for r, row in enumerate(sheet["rows"]):
            for c, v in enumerate(row):
                theirs = ws.cell(row=r + 1, column=c + 1).value
                cells += 1
                if not same(v, theirs):
                    differences += 1
                    if differences <= 5:
                        print(f"  {name} {sheet['name']}!{openpyxl.utils.get_column_letter(c + 1)}{r + 1}: Anslag {v!r}, openpyxl {theirs!r}")
    live = sum(1 for ws in formulas.worksheets for row in ws.iter_rows() for cell in row
               if isinstance(cell.value, str) and cell.value.startswith("=SUM("))
    ok = lo_ok and differences == 0 and (live > 0 or name not in WITH_FORMULAS)
    problems += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name}: LibreOffice {'converted it' if lo_ok else 'FAILED: ' + (lo.stderr or lo.stdout).strip()[:200]}; "
          f"openpyxl agrees on {cells - differences}/{cells} cells; {live} live SUM formulas")
print(f"{problems} workbook(s) with problems" if problems else "every workbook opens in LibreOffice and reads the same in openpyxl")
sys.exit(1 if problems else 0)
