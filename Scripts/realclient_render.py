#!/usr/bin/env python3
"""The outputs as a Swedish reader sees them (issue 15). LibreOffice headless, its locale set to
sv-SE in a private profile, renders every workbook in FOLDER to PDF and to "as shown" text (the
CSV export with formatted values, every sheet), and this checks:
  - amounts read with Swedish grouping (`1 500 000 kr`, `6 469 843,33`), none ungrouped;
  - the report of an xlsx input keeps every original cell's value, formula, number format and
    font and every column width (openpyxl on both packages), and its wrong totals are marked;
  - a wrong stated total is still visible after `ssconvert --recalc` and after LibreOffice
    recalculates (export-budget-wrong.xlsx);
  - the allocation's sheets are set to print one page wide, landscape, and so do print.
With a third argument DIR, the PDFs and their pages as PNG (pdftoppm -r 60) are written there.
Usage: realclient_render.py FOLDER ORIGINAL.xlsx [DIR]. Exit 1 on any failure."""
import glob, os, re, shutil, subprocess, sys, tempfile
import openpyxl

folder, original = sys.argv[1], sys.argv[2]
render = sys.argv[3] if len(sys.argv) > 3 else None
failures = []

def fail(msg):
    failures.append(msg)
    print("FAIL " + msg)

SV_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>sv-SE</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>sv-SE</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

profile = tempfile.mkdtemp(prefix="lo-sv-")
os.makedirs(os.path.join(profile, "user"), exist_ok=True)
with open(os.path.join(profile, "user", "registrymodifications.xcu"), "w") as f:
    f.write(SV_PROFILE)
env = dict(os.environ, LANG="sv_SE.UTF-8", LC_ALL="sv_SE.UTF-8") if os.path.exists("/usr/lib/locale/sv_SE.utf8") else dict(os.environ)

def soffice(args, outdir):
    return subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                           *args, "--outdir", outdir], capture_output=True, text=True, timeout=300, env=env)

def shown(path, tmp):
    """Every sheet as LibreOffice shows it: Swedish (1053), formatted values, all sheets (-1)."""
    r = soffice(["--convert-to", "csv:Text - txt - csv (StarCalc):59,34,76,1,,1053,false,true,true,false,false,-1", path], tmp)
    base = os.path.splitext(os.path.basename(path))[0]
    texts = {}
    for f in glob.glob(os.path.join(tmp, base + "*.csv")):
        with open(f, encoding="utf-8", errors="replace") as h:
            texts[os.path.basename(f)] = h.read().replace("\u00a0", " ").replace("\u202f", " ")
    if not texts:
        fail(f"{os.path.basename(path)}: LibreOffice made no text ({(r.stderr or r.stdout).strip()[:200]})")
    return texts

def pdf(path, tmp):
    r = soffice(["--convert-to", "pdf", path], tmp)
    out = os.path.join(tmp, os.path.splitext(os.path.basename(path))[0] + ".pdf")
    if not os.path.exists(out):
        fail(f"{os.path.basename(path)}: no PDF ({(r.stderr or r.stdout).strip()[:200]})")
        return None
    return out

UNGROUPED = re.compile(r"(?<![\d,.])\d{4,}(?:,\d\d)? kr\b")
GROUPED = re.compile(r"\d{1,3}(?: \d{3})+(?:,\d\d)? kr")
DECIMAL = re.compile(r"\d{1,3}(?: \d{3})*,\d\d(?!\d)")

all_text = {}
for path in sorted(glob.glob(os.path.join(folder, "*.xlsx"))):
    name = os.path.basename(path)
    with tempfile.TemporaryDirectory() as tmp:
        texts = shown(path, tmp)
        text = "\n".join(texts.values())
        all_text[name] = text
        bad = UNGROUPED.findall(text)
        if bad:
            fail(f"{name}: amounts without Swedish grouping: {bad[:3]}")
        p = pdf(path, tmp)
        if p and render:
            os.makedirs(render, exist_ok=True)
            stem = os.path.join(render, name[:-5])
            shutil.copy(p, stem + ".pdf")
            subprocess.run(["pdftoppm", "-png", "-r", "60", p, stem], check=True)
        grouped = len(GROUPED.findall(text))
        print(f"ok   {name}: {grouped} grouped kronor amounts, {len(DECIMAL.findall(text))} with decimal comma, none ungrouped" if not bad else "", end="\n" if not bad else "")

if not any(GROUPED.search(t) for t in all_text.values()):
    fail("no output shows an amount like 1 500 000 kr")
if not any(re.search(r"\d{1,3}(?: \d{3})+,\d\d", t) for t in all_text.values()):
    fail("no output shows an amount like 6 469 843,33")

# The report of an xlsx input is the original, cell for cell, style for style.
report = os.path.join(folder, "import-report.xlsx")
def font(c):
    return (c.font.b, c.font.i, c.font.sz, c.font.name)
a, b = openpyxl.load_workbook(original), openpyxl.load_workbook(report)
cells = 0
for ws in a.worksheets:
    wr = b[ws.title]
    if ws.sheet_state != wr.sheet_state:
        fail(f"report: sheet {ws.title} is {wr.sheet_state}, was {ws.sheet_state}")
    for row in ws.iter_rows():
        for c in row:
            d = wr[c.coordinate]
            cells += 1
            if (c.value, c.number_format, font(c)) != (d.value, d.number_format, font(d)):
                fail(f"report: {ws.title}!{c.coordinate} was {(c.value, c.number_format, font(c))}, is {(d.value, d.number_format, font(d))}")
    for k, dim in ws.column_dimensions.items():
        if dim.width != wr.column_dimensions[k].width:
            fail(f"report: column {ws.title}!{k} width {dim.width} became {wr.column_dimensions[k].width}")
    if ws.merged_cells.ranges != wr.merged_cells.ranges:
        fail(f"report: merged cells of {ws.title} changed")
marked = [c.coordinate for ws in b.worksheets if ws.title in a.sheetnames for row in ws.iter_rows() for c in row
          if c.fill is not None and c.fill.fgColor is not None and c.fill.fgColor.rgb == "FFFFC7CE"]
commented = [c.coordinate for ws in b.worksheets for row in ws.iter_rows() for c in row if c.comment]
if "Fynd" not in b.sheetnames or not marked or not commented:
    fail(f"report: Fynd sheet {'Fynd' in b.sheetnames}, {len(marked)} red cells, {len(commented)} comments")
else:
    print(f"ok   import-report.xlsx: {cells} original cells keep value, formula, format and font; widths kept; "
          f"{len(marked)} red cells, {len(commented)} comments, a Fynd sheet")

# The report of an ods input is a new workbook with the source's number formats (list-wrong.ods:
# the amounts in `# ##0 "kr"`, stored by LibreOffice as a space embedded in the digits).
ods = openpyxl.load_workbook(os.path.join(folder, "import-report-ods.xlsx"))["Budget 2024"]
codes = {ods[f"B{r}"].number_format for r in range(4, 10)}
(print("ok   import-report-ods.xlsx: the amounts keep the source's number format " + ", ".join(sorted(codes)))
 if codes == {'#" "##0" kr"'} else fail(f"import-report-ods.xlsx: amounts in {codes}, not the source's format"))

# Every generated sheet starts with its provenance block (tool, version and run date in column A
# above the header), and the block's texts do not widen column A.
generated = {"allocate.xlsx": None, "export-allocation.xlsx": None, "export-budget-long.xlsx": None,
             "export-budget-tables.xlsx": None, "export-population.xlsx": None, "scb.xlsx": None,
             "reconcile.xlsx": None, "import-report.xlsx": ["Fynd"], "import-report-ods.xlsx": ["Fynd"],
             "import-report-csv.xlsx": ["Fynd"]}
for name, only in generated.items():
    wb = openpyxl.load_workbook(os.path.join(folder, name))
    for ws in wb.worksheets:
        if ws.sheet_state != "visible" or (only and ws.title not in only):
            continue
        texts = [str(ws.cell(row=r, column=1).value or "") for r in range(1, 8)]
        if not any(t.startswith("Skapad av anslag-") for t in texts):
            fail(f"{name}: sheet {ws.title} has no provenance block ({texts[:4]})")
        width = ws.column_dimensions["A"].width if "A" in ws.column_dimensions else None
        longest = max(len(t) for t in texts)
        if width and width >= longest and longest > 40:
            fail(f"{name}: column A of {ws.title} is {width} wide, sized by the provenance text")
print("ok   every generated sheet starts with its provenance block; column A not sized by it")

# A wrong stated total survives recalculation (4 550 001 stated, the lines give 4 550 000).
wrong = os.path.join(folder, "export-budget-wrong.xlsx")
if shutil.which("ssconvert"):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["ssconvert", "--recalc", "-S", wrong, os.path.join(tmp, "out.csv")], capture_output=True, check=True)
        text = "".join(open(f, encoding="utf-8").read() for f in glob.glob(os.path.join(tmp, "out.csv*")))
        ok = "4550001" in text and "4550000" in text
        (print("ok   export-budget-wrong.xlsx: after ssconvert --recalc the stated 4550001 and the computed 4550000 both show")
         if ok else fail("export-budget-wrong.xlsx: the stated total is gone after ssconvert --recalc"))
else:
    fail("ssconvert is not installed (Scripts/install-deps --test)")
text = all_text.get("export-budget-wrong.xlsx", "")
(print("ok   export-budget-wrong.xlsx: LibreOffice (recalculating on load) shows 4 550 001 kr and 4 550 000 kr")
 if "4 550 001 kr" in text and "4 550 000 kr" in text else fail("export-budget-wrong.xlsx: LibreOffice does not show the stated total"))

# The allocation board sheet prints one page wide, landscape.
# So do every sheet of the allocation, population and reconcile workbooks (findings sheets too).
for book in ("allocate.xlsx", "scb.xlsx", "reconcile.xlsx"):
    for ws in openpyxl.load_workbook(os.path.join(folder, book)).worksheets:
        ps = ws.page_setup
        if ws.sheet_state == "visible" and not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage
                                                and ps.fitToWidth in (None, 1, "1") and ps.orientation == "landscape"):
            fail(f"{book}: sheet {ws.title} is not set to print one page wide, landscape")
with tempfile.TemporaryDirectory() as tmp:
    p = pdf(os.path.join(folder, "allocate.xlsx"), tmp)
    if p:
        info = subprocess.run(["pdfinfo", p], capture_output=True, text=True).stdout
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
        if size and float(size.group(1)) > float(size.group(2)):
            pages = re.search(r"Pages:\s+(\d+)", info).group(1)
            print(f"ok   allocate.xlsx: prints landscape, fit to one page wide ({pages} page(s))")
        else:
            fail("allocate.xlsx: the PDF pages are not landscape")

shutil.rmtree(profile, ignore_errors=True)
print(f"{len(failures)} problem(s) as a Swedish reader sees the outputs" if failures else "every output reads as a Swedish reader expects")
sys.exit(1 if failures else 0)
