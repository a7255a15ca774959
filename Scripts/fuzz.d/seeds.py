#!/usr/bin/env python3
"""Seed corpora for the libFuzzer harnesses (Scripts/fuzz --coverage): the fixtures of each
format, plus structure-aware PX and JSON-stat seeds that reach the size arithmetic (many
dimensions, large declared sizes, sparse values) and small hostile CSV, YAML and JSON shapes.
Usage: seeds.py OUTDIR [BINDIR]   (BINDIR: built anslag tools, for normalized-JSON seeds)
Deterministic; writes OUTDIR/<harness>/<name>."""
import glob, json, os, shutil, subprocess, sys

out = sys.argv[1]
bindir = sys.argv[2] if len(sys.argv) > 2 else None
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
F = lambda *p: sorted(glob.glob(os.path.join(root, "Fixtures", *p)))

def put(harness, name, data):
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)

def copy(harness, files):
    # Large fixtures (the wide hostile workbooks, hundreds of KB) would take most of a short
    # run's time each; they have their own tests.
    for f in files:
        # The zip bomb inflates 42 MB before its ratio is refused: seconds under ASan in debug.
        if os.path.getsize(f) <= 64 * 1024 and not f.endswith("zip-bomb.xlsx"):
            put(harness, os.path.basename(f), open(f, "rb").read())

copy("xlsx", F("xlsx", "*.xlsx") + F("hostile", "*.xlsx") + F("budget", "*.xlsx"))
copy("ods", F("ods", "*.ods") + F("budget", "libreoffice", "*.ods"))
copy("xls", F("xls", "*.xls") + F("hostile", "*.xls"))
copy("csv", F("csv", "*") + F("budget", "*.csv") + F("rules", "*.csv") + F("reconcile", "*.csv"))
copy("budget", F("budget", "*.xlsx") + F("budget", "*.csv"))
copy("rules", F("rules", "*.yaml"))
copy("layout", F("budget", "*.yaml"))
copy("px", F("scb", "*.px"))
copy("jsonstat", F("scb", "*.json"))
copy("scbcsv", F("scb", "*.csv"))

# CSV: wide records, an unterminated quote, every delimiter.
put("csv", "wide-record.csv", "a," * 300 + "\n1,2\n")
put("csv", "open-quote.csv", 'x,"unterminated\n1,2\n3,4\n')
put("csv", "mixed.csv", "Post;Belopp\r\nLokaler;1 200 000\rPersonal;\"2\"\"5\"\n")
put("budget", "sectioned.csv", "Budget 2024 (tkr)\nPost,Belopp\nIntäkter\nBidrag,100\nAvgifter,50\nSumma intäkter,150\nKostnader\nLöner,-90\nSumma kostnader,-90\nTotalt,60\n")

# Rule files as JSON, and YAML shapes near the limits.
put("rules", "thirds.json", json.dumps({"name": "Tredjedelar", "total": 10000000, "recipients": ["01", "03", "04"], "key": {"kind": "equal"}}))
put("rules", "nested-flow.yaml", "rules:\n  - {name: A, total: 100, recipients: [{code: '01', rule: B}, '03'], key: {kind: equal}}\n  - {name: B, recipients: lan, key: {kind: equal}}\n")
put("rules", "anchors.yaml", "base: &b {kind: equal}\nname: X\ntotal: 1 000\nrecipients: lan\nkey: *b\n")
put("layout", "layout.json", json.dumps({"sheets": [{"sheet": "Blad1", "header-row": 2, "label-column": "B", "total-rows": [9], "unit": "tkr"}]}))

# PX: many dimensions, large declared sizes, sparse KEYS data.
def px(stub, heading, counts, data, keys=False):
    lines = ['CHARSET="ANSI";', 'CODEPAGE="utf-8";', 'MATRIX="BE0101N1";', 'TITLE="Folkmängd";',
             "STUB=" + ",".join(f'"{d}"' for d in stub) + ";", "HEADING=" + ",".join(f'"{d}"' for d in heading) + ";"]
    for d in stub + heading:
        n = counts[d]
        lines.append(f'VALUES("{d}")=' + ",".join(f'"{d}{i}"' for i in range(n)) + ";")
        if d == "region":
            lines.append(f'CODES("{d}")=' + ",".join(f'"{1000 + i}"' for i in range(n)) + ";")
    if keys:
        lines.append('KEYS("region")=CODES;')
    lines.append("DATA=")
    lines.append(data + ";")
    return "\n".join(lines) + "\n"
dims = [f"d{i}" for i in range(12)]
put("px", "many-heading.px", px(["region"], dims, {"region": 2, **{d: 2 for d in dims}}, "1 2 3 4"))
put("px", "many-stub.px", px(["region"] + dims, ["år"], {"region": 2, "år": 2, **{d: 3 for d in dims}}, "1 2"))
# 70 dimensions of 2 values: the cell count (2^70) overflows 64 bits.
wide = [f"d{i}" for i in range(70)]
put("px", "overflow-heading.px", px(["region"], wide, {"region": 2, **{d: 2 for d in wide}}, "1 2"))
put("px", "overflow-stub.px", px(["region"] + wide, ["år"], {"region": 2, "år": 2, **{d: 2 for d in wide}}, "1 2"))
put("px", "large-declared.px", px(["region", "ålder"], ["år"], {"region": 300, "ålder": 120, "år": 50}, "1 2 3"))
put("px", "sparse-keys.px", px(["region", "ålder"], ["år"], {"region": 400, "ålder": 101, "år": 30}, '"1000","ålder0",1,2\n"1399","ålder100","..","-"', keys=True))

# JSON-stat: many dimensions, size products past any limit, sparse value objects.
def jsonstat(sizes, value, status=None):
    ids = [f"D{i}" for i in range(len(sizes))]
    ids[0] = "Region"
    dimension = {}
    for name, n in zip(ids, sizes):
        cats = {str(1000 + i): i for i in range(min(n, 10_000))}
        dimension[name] = {"label": name, "category": {"index": cats, "label": {k: k for k in cats}}}
    doc = {"class": "dataset", "version": "2.0", "id": ids, "size": sizes, "dimension": dimension, "value": value,
           "role": {"geo": ["Region"]}}
    if status: doc["status"] = status
    return json.dumps(doc)
put("jsonstat", "many-dimensions.json", jsonstat([2] * 40, [1, 2, 3]))
put("jsonstat", "overflow-70-dimensions.json", jsonstat([2] * 70, {"0": 1}))
put("jsonstat", "size-overflow.json", jsonstat([4294967296, 4294967296, 4294967296], {"0": 1}))
put("jsonstat", "sparse-7000.json", jsonstat([7000, 7000], {"0": 1, "48999999": 2}, {"5": ".."}))
put("jsonstat", "v1-dataset.json", json.dumps({"dataset": json.loads(jsonstat([3, 2], [1, 2, 3, 4, 5, 6]))}))
put("jsonstat", "deep.json", "[" * 300 + "]" * 300)

# Normalized JSON: what the tools write, when they are built; and hand-made shapes.
put("json", "deep.json", "[" * 300 + "]" * 300)
put("json", "budget-min.json", json.dumps({"kind": "budget", "version": 1, "file": "b.xlsx", "sheets": [{"name": "Blad1", "state": "visible"}], "tables": []}))
if bindir and os.path.isdir(bindir):
    def run(name, args):
        try:
            r = subprocess.run([os.path.join(bindir, name)] + args, capture_output=True, timeout=60)
            return r.stdout if r.returncode in (0, 1) else None
        except (OSError, subprocess.TimeoutExpired):
            return None
    jobs = [("budget-list.json", "anslag-import", [F("budget", "list-wrong.xlsx")[0]]),
            ("report.json", "anslag-import", [F("budget", "matrix-wrong.xlsx")[0], "--report", "json"]),
            ("allocation.json", "anslag-allocate", [F("rules", "equal-thirds.yaml")[0]]),
            ("population.json", "anslag-scb", [F("scb", "blekinge-cp1252.px")[0]]),
            ("grid.json", "anslag-convert", [F("xlsx", "quirks.xlsx")[0], "--all-sheets", "--to", "json"])]
    for name, tool, args in jobs:
        data = run(tool, args)
        if data: put("json", name, data)
print(f"seeds written under {out}: " + ", ".join(f"{h} {len(os.listdir(os.path.join(out, h)))}" for h in sorted(os.listdir(out))))
