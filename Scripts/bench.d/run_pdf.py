#!/usr/bin/env python3
"""PDF tables: anslag-convert against pdfplumber's extract_tables on the same PDFs.

For every PDF in Fixtures/documents (the scan and the encrypted one left out) prints, per file,
how many of pdfplumber's non-empty cells Anslag gives with the same text (whitespace and line
breaks in a cell folded to one space; rows matched in order with difflib, because Anslag joins a
table over a page break and drops its repeated header, and puts the caption lines above a table
in its first rows, which are left out here). Then times both per page on a long PDF made with
qpdf from the fixtures' pages (anslag-convert --all-sheets --to json as a whole process, start-up
included; pdfplumber's open + extract_tables on every page, in-process), best of three.

Usage: run_pdf.py BENCH_DIR ANSLAG_CONVERT   (pdfplumber in BENCH_DIR/venv)
"""
import difflib
import json
import os
import subprocess
import sys
import time

bench, convert = sys.argv[1], sys.argv[2]
py = os.path.join(bench, "venv/bin/python")
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
docs = os.path.join(root, "Fixtures/documents")
pdfs = sorted(f for f in os.listdir(docs) if f.endswith(".pdf") and f not in ("skanning.pdf", "krypterad.pdf"))

PLUMBER = r"""
import json, sys, time, pdfplumber
out = []
t = time.perf_counter()
with pdfplumber.open(sys.argv[1]) as pdf:
    pages = len(pdf.pages)
    for page in pdf.pages:
        out.append(page.extract_tables())
print(json.dumps({"pages": pages, "seconds": time.perf_counter() - t, "tables": out}))
"""


def norm(v):
    return " ".join(str(v).split()) if v not in (None, "") else ""


def plumber(path):
    r = subprocess.run([py, "-c", PLUMBER, path], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def anslag(path):
    t = time.perf_counter()
    r = subprocess.run([convert, path, "--all-sheets", "--to", "json"], capture_output=True, text=True)
    took = time.perf_counter() - t
    if r.returncode != 0:
        return None, took, r.stderr.strip()
    return json.loads(r.stdout)["sheets"], took, ""


def body(rows):
    """A sheet's rows without its caption lines (leading one-cell rows, at most three)."""
    width = max((len(r) for r in rows), default=0)
    k = 0
    while k < min(3, len(rows)) and width > 1 and sum(1 for v in rows[k] if v not in (None, "")) == 1 and rows[k][0] not in (None, ""):
        k += 1
    return rows[k:]


total_agree = total_cells = 0
print("PDF tables: cells agreeing with pdfplumber extract_tables")
for name in pdfs:
    path = os.path.join(docs, name)
    p = plumber(path)
    prow = [tuple(norm(v) for v in row) for page in p["tables"] for t in page for row in t]
    sheets, _, err = anslag(path)
    if sheets is None:
        print(f"  {name}: anslag refused: {err}")
        continue
    arow = [tuple(norm(v) for v in row) for s in sheets for row in body(s["rows"])]
    cells = sum(1 for r in prow for v in r if v)
    agree = 0
    sm = difflib.SequenceMatcher(a=[r for r in prow], b=[r for r in arow], autojunk=False)
    # Rows matched exactly count whole; rows in replaced blocks are compared cell by cell in order.
    for tag, a0, a1, b0, b1 in sm.get_opcodes():
        for k in range(a1 - a0):
            if b0 + k >= b1:
                break
            pr, ar = prow[a0 + k], arow[b0 + k]
            agree += sum(1 for j, v in enumerate(pr) if v and j < len(ar) and ar[j] == v)
    total_agree += agree
    total_cells += cells
    tables = sum(len(t) for t in p["tables"])
    print(f"  {name}: {agree}/{cells} cells agree (pdfplumber {tables} table(s) on {p['pages']} page(s); anslag {len(sheets)} table(s))")
if total_cells:
    print(f"  all: {total_agree}/{total_cells} = {100 * total_agree / total_cells:.1f}%")

# Timing on a long PDF: the fixtures' pages, repeated.
long_pdf = os.path.join(bench, "data/documents-long.pdf")
os.makedirs(os.path.dirname(long_pdf), exist_ok=True)
sources = [os.path.join(docs, n) for n in pdfs]
args = ["qpdf", "--empty", "--pages"]
for _ in range(8):
    args += sources
subprocess.run(args + ["--", long_pdf], check=True)
best_a = best_p = None
pages = 0
for _ in range(3):
    sheets, took, err = anslag(long_pdf)
    if sheets is None:
        sys.exit(f"anslag refused the long PDF: {err}")
    best_a = took if best_a is None else min(best_a, took)
    p = plumber(long_pdf)
    pages = p["pages"]
    best_p = p["seconds"] if best_p is None else min(best_p, p["seconds"])
print(f"timing on {pages} pages ({os.path.getsize(long_pdf) >> 10} KiB):")
print(f"  anslag-convert --all-sheets --to json: {best_a:.3f} s = {1000 * best_a / pages:.1f} ms/page ({len(sheets)} tables)")
print(f"  pdfplumber extract_tables:             {best_p:.3f} s = {1000 * best_p / pages:.1f} ms/page")
print(f"  anslag is {best_p / best_a:.1f}x faster per page")
