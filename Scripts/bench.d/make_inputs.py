#!/usr/bin/env python3
"""Makes the benchmark workbooks deterministically (fixed content, zip timestamps and order):

  strings.xlsx  1 000 000 rows x 2 columns: a unique shared string and an integer (1 M shared strings)
  numbers.xlsx    200 000 rows x 10 columns of numbers (integers and decimals)

The XML is what Excel writes for such sheets (shared strings, r attributes, one style)."""
import os, sys, zipfile

OUT = sys.argv[1] if len(sys.argv) > 1 else ".build-bench/data"
STAMP = (2024, 1, 1, 0, 0, 0)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'

def parts(sheet_chunks, shared=None):
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared else '')
          + '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {NS}><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbr = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
           + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared else '')
           + '</Relationships>')
    return [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", wbr)]

def write(path, small, streams):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, data in small:
            info = zipfile.ZipInfo(name, STAMP); info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        for name, gen in streams:
            info = zipfile.ZipInfo(name, STAMP); info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as f:
                buf = []
                for piece in gen():
                    buf.append(piece)
                    if len(buf) >= 4096:
                        f.write("".join(buf).encode()); buf = []
                f.write("".join(buf).encode())

def col(j):
    return "ABCDEFGHIJ"[j]

def strings():
    n = 1_000_000
    words = ["Lokaler", "Personal", "Resor", "Konsulter", "Utbildning", "Material", "Hyra", "Drift"]
    def sst():
        yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {NS} count="{n}" uniqueCount="{n}">'
        for i in range(n):
            yield f"<si><t>{words[i % 8]} {i:07d} Västra Götaland</t></si>"
        yield "</sst>"
    def sheet():
        yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}><dimension ref="A1:B{n}"/><sheetData>'
        for i in range(n):
            r = i + 1
            yield f'<row r="{r}" spans="1:2"><c r="A{r}" t="s"><v>{i}</v></c><c r="B{r}"><v>{(i * 7919) % 1000003}</v></c></row>'
        yield "</sheetData></worksheet>"
    write(f"{OUT}/strings.xlsx", parts(None, shared=True), [("xl/sharedStrings.xml", sst), ("xl/worksheets/sheet1.xml", sheet)])

def numbers():
    n = 200_000
    def sheet():
        yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}><dimension ref="A1:J{n}"/><sheetData>'
        for i in range(n):
            r = i + 1
            cells = []
            for j in range(10):
                v = (i * 31 + j * 977) % 100000
                text = str(v) if j % 2 == 0 else f"{v}.{(i + j) % 100:02d}"
                cells.append(f'<c r="{col(j)}{r}"><v>{text}</v></c>')
            yield f'<row r="{r}" spans="1:10">' + "".join(cells) + "</row>"
        yield "</sheetData></worksheet>"
    write(f"{OUT}/numbers.xlsx", parts(None), [("xl/worksheets/sheet1.xml", sheet)])

os.makedirs(OUT, exist_ok=True)
for name, fn in (("strings.xlsx", strings), ("numbers.xlsx", numbers)):
    if not os.path.exists(f"{OUT}/{name}"):
        fn()
        print(f"made {OUT}/{name}", file=sys.stderr)
