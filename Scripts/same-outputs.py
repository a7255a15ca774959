#!/usr/bin/env python3
"""Runs every Anslag tool in its output modes over the fixtures and the shared corpora and writes
each run's exit status, stdout and stderr (and any xlsx it wrote, unpacked) under OUT_DIR, so
that two builds can be compared byte for byte:

    Scripts/same-outputs.py BIN_BEFORE /tmp/before
    Scripts/same-outputs.py BIN_AFTER  /tmp/after
    diff -r /tmp/before /tmp/after && echo identical

A refactor must leave the two trees identical. Paths are written relative to the project, so
the trees compare even when the two builds live in different checkouts. The xlsx packages are
compared member by member without docProps/core.xml (it holds the time of writing)."""
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


def files(folder, endings):
    out = []
    if not os.path.isdir(folder):
        return out
    for base, _, names in os.walk(folder):
        for name in names:
            if name.lower().endswith(endings):
                out.append(os.path.join(base, name))
    return sorted(out)


def rel(path):
    for prefix in (ROOT + os.sep, os.path.dirname(ROOT) + os.sep):
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


class Runner:
    def __init__(self, bindir, outdir):
        self.bindir = os.path.abspath(bindir)
        self.outdir = os.path.abspath(outdir)
        self.count = 0
        os.makedirs(self.outdir, exist_ok=True)

    def run(self, tool, args, xlsx_out=False, stdin=None):
        self.count += 1
        key = hashlib.sha1((tool + "\0" + "\0".join(args)).encode()).hexdigest()[:16]
        with tempfile.TemporaryDirectory() as tmp:
            argv = [os.path.join(self.bindir, tool)] + args
            written = None
            if xlsx_out:
                written = os.path.join(tmp, "out.xlsx")
                argv += ["-o", written]
            try:
                p = subprocess.run(argv, cwd=ROOT, capture_output=True, timeout=120,
                                   input=stdin, env=dict(os.environ, LANG="C.UTF-8"))
                status, out, err = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired:
                status, out, err = "timeout", b"", b""
            # Temporary paths in messages differ between runs.
            err = err.replace(tmp.encode(), b"TMP")
            out = out.replace(tmp.encode(), b"TMP")
            with open(os.path.join(self.outdir, key), "wb") as f:
                f.write(f"{tool} {' '.join(args)}\nexit {status}\n--- stdout\n".encode())
                f.write(out)
                f.write(b"\n--- stderr\n")
                f.write(err)
                if written and os.path.exists(written):
                    with zipfile.ZipFile(written) as z:
                        for name in sorted(z.namelist()):
                            if name == "docProps/core.xml":
                                continue
                            f.write(f"\n--- {name}\n".encode())
                            f.write(z.read(name))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: same-outputs.py BIN_DIR OUT_DIR")
    r = Runner(sys.argv[1], sys.argv[2])
    sheets = (".xlsx", ".xlsm", ".ods", ".xls", ".csv", ".tsv")
    fixtures = [f for f in files(os.path.join(ROOT, "Fixtures"), sheets) if "/scb/" not in f]
    corpus = files(os.path.join(SHARED, "corpus", "xlsx", "files"), sheets)
    real = files(os.path.join(SHARED, "corpus", "real-tables"), sheets)
    for f in fixtures + corpus + real:
        p = rel(f)
        r.run("anslag-convert", ["--list-sheets", p])
        r.run("anslag-convert", ["--all-sheets", p])
        r.run("anslag-convert", ["--to", "json", "--all-sheets", p])
    budgets = [f for f in fixtures if "/budget/" in f or "/hostile/" in f or "/reconcile/" in f]
    for f in budgets + corpus + real:
        p = rel(f)
        r.run("anslag-import", [p])
        r.run("anslag-import", [p, "--report", "json"])
        r.run("anslag-import", [p, "--report", "text"])
        r.run("anslag-import", [p, "--explain"])
    for f in budgets[:40] + real:
        r.run("anslag-import", [rel(f), "--report", "xlsx"], xlsx_out=True)
    layout = os.path.join(ROOT, "Fixtures", "budget", "odd-total-layout.yaml")
    if os.path.exists(layout):
        r.run("anslag-import", ["Fixtures/budget/odd-total.csv", "--layout", rel(layout), "--report", "json"])
    scb = files(os.path.join(ROOT, "Fixtures", "scb"), (".csv", ".px", ".json", ".tsv"))
    scb += files(os.path.join(SHARED, "data", "scb"), (".csv", ".px", ".json"))
    for f in scb:
        p = rel(f)
        r.run("anslag-scb", [p])
        r.run("anslag-scb", [p, "--to", "csv"])
        r.run("anslag-scb", [p, "--to", "json", "--no-check"])
        r.run("anslag-scb", [p, "--by", "lan", "--to", "csv"])
        r.run("anslag-scb", [p, "--age", "0-25", "--sex", "female", "--to", "csv"])
        r.run("anslag-scb", [p, "--to", "xlsx"], xlsx_out=True)
    rules = files(os.path.join(ROOT, "Fixtures", "rules"), (".yaml", ".yml", ".json"))
    rules = [f for f in rules if not f.endswith("expected.json")]
    for f in rules:
        p = rel(f)
        r.run("anslag-allocate", [p])
        r.run("anslag-allocate", [p, "--explain"])
        r.run("anslag-allocate", [p, "--to", "csv"])
        r.run("anslag-allocate", [p, "--to", "xlsx", "--chart"], xlsx_out=True)
    for f in files(os.path.join(ROOT, "Fixtures", "rules"), (".csv",)):
        if "stated" in f:
            for rule in rules:
                r.run("anslag-allocate", [rel(rule), "--check", rel(f), "--report", "json"])
    # anslag-export: every kind it takes, from the JSON the other tools write.
    with tempfile.TemporaryDirectory() as tmp:
        inputs = []
        for f in budgets[:40] + real:
            out = os.path.join(tmp, f"b{len(inputs)}.json")
            p = subprocess.run([os.path.join(r.bindir, "anslag-import"), rel(f)], cwd=ROOT, capture_output=True)
            if p.returncode in (0, 1) and p.stdout:
                open(out, "wb").write(p.stdout)
                inputs.append((rel(f), out))
        for f in rules:
            out = os.path.join(tmp, f"a{len(inputs)}.json")
            p = subprocess.run([os.path.join(r.bindir, "anslag-allocate"), rel(f)], cwd=ROOT, capture_output=True)
            if p.returncode in (0, 1) and p.stdout:
                open(out, "wb").write(p.stdout)
                inputs.append((rel(f), out))
        for name, path in inputs:
            data = open(path, "rb").read()
            r.run("anslag-export", ["-", "--to", "xlsx"] if False else ["-"], xlsx_out=True, stdin=data)
            r.run("anslag-export", ["-", "--layout", "per-table", "--chart"] if "/budget/" in name or "real" in name
                  else ["-", "--chart"], xlsx_out=True, stdin=data)
    batch = os.path.join(ROOT, "Fixtures", "reconcile")
    if os.path.isdir(batch):
        r.run("anslag-reconcile", ["--allocation", "Fixtures/reconcile/allocation.csv", "Fixtures/reconcile/batch"])
        r.run("anslag-reconcile", ["--allocation", "Fixtures/reconcile/allocation.csv", "Fixtures/reconcile/batch", "--report", "json"])
        r.run("anslag-reconcile", ["--allocation", "Fixtures/reconcile/allocation.csv", "Fixtures/reconcile/batch"], xlsx_out=True)
    print(f"same-outputs: {r.count} runs written to {rel(r.outdir)}")


if __name__ == "__main__":
    main()
