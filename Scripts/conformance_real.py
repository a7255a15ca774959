#!/usr/bin/env python3
"""Measure anslag-import against the real published tables.

Usage:
  ANSLAG_IMPORT=.build/release/anslag-import Scripts/conformance_real.py [DIR ...]
      [--verbose] [--allow-failures] [--amounts FILE] [--timeout SECONDS]

DIR defaults to ../shared/corpus/real-tables (when it exists) and Fixtures/real. Each DIR holds
workbooks and an expected.json: per workbook either a plain list of findings (the shared shape) or
{"findings": [...], "amounts": {"Sheet!C5": kronor, ...}}. For a workbook without "amounts" in its
own expected.json the amounts are looked up by file name in --amounts (default
Fixtures/real/shared-amounts.json).

For every workbook the importer is run twice: `anslag-import FILE --report json` (the findings)
and `anslag-import FILE` (the normalized budget JSON on stdout).

* found exactly: an error or warning finding with the expected sheet and cell and the same
  stated and computed kronor;
* false alarm: every other error or warning finding about a total (sum-mismatch,
  change-mismatch, total-mismatch, allocation-residual, allocation-mismatch, or any code ending in
  -mismatch / -residual);
* miss: an expected finding not found exactly;
* amounts: each expected amount cell against the amount the budget JSON gives for that cell;
  "missing" when the JSON has no amount for it, "wrong" counts missing and different ones.
  Amounts the JSON gives for cells that are not amount cells (a Not column, a year) are counted
  as "spurious" (an amount where the table has none is as wrong as a wrong amount).

A workbook on which the importer exits 2 (or crashes, or times out) counts every expected finding
as a miss and every amount as missing. Exit status 0 when everything is right, 1 otherwise (0 with
--allow-failures). Python 3 standard library only.
"""
import argparse
import json
import os
import re
import subprocess
import sys
from decimal import Decimal, InvalidOperation

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TOTAL_CODES = {"sum-mismatch", "change-mismatch", "total-mismatch", "allocation-residual",
               "allocation-mismatch"}


def is_total_code(code):
    return code in TOTAL_CODES or code.endswith("-mismatch") or code.endswith("-residual")


def num(v):
    """An exact Decimal from a JSON number or a decimal string; None when absent."""
    if v is None or isinstance(v, bool):
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def cell_key(cell):
    """"'Sheet'!C5" or "Sheet!C5" -> "Sheet!C5"."""
    m = re.fullmatch(r"'((?:[^']|'')*)'!(\$?[A-Z]{1,3}\$?[0-9]+)", cell or "")
    if m:
        return "%s!%s" % (m.group(1).replace("''", "'"), m.group(2).replace("$", ""))
    if "!" in (cell or ""):
        sheet, ref = cell.rsplit("!", 1)
        return "%s!%s" % (sheet, ref.replace("$", ""))
    return cell


def run(importer, args, timeout):
    try:
        p = subprocess.run([importer] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ss" % timeout
    except OSError as e:
        return None, str(e)
    if p.returncode not in (0, 1):
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "exit %d%s" % (p.returncode, (": " + err[-1]) if err else "")
    try:
        return json.loads(p.stdout.decode("utf-8")), None
    except ValueError as e:
        return None, "exit %d, unreadable JSON (%s)" % (p.returncode, e)


def load_expected(d, amounts_file):
    path = os.path.join(d, "expected.json")
    with open(path, encoding="utf-8") as fh:
        exp = json.load(fh)
    shared = {}
    if amounts_file and os.path.exists(amounts_file):
        with open(amounts_file, encoding="utf-8") as fh:
            shared = json.load(fh)
    out = {}
    for name, v in exp.items():
        if name.startswith("_"):
            continue
        if isinstance(v, list):
            out[name] = (v, shared.get(name))
        else:
            out[name] = (v.get("findings", []), v.get("amounts", shared.get(name)))
    return out


def measure(path, findings_exp, amounts_exp, importer, timeout):
    r = dict(name=os.path.basename(path), expected=len(findings_exp), found=0, false=[],
             misses=[], wrong=[], missing=[], spurious=[], amounts=len(amounts_exp or {}),
             error=None, found_list=[])
    report, err1 = run(importer, [path, "--report", "json"], timeout)
    budget, err2 = run(importer, [path], timeout)
    if report is None or budget is None:
        r["error"] = err1 or err2
        r["misses"] = list(findings_exp)
        r["missing"] = sorted((amounts_exp or {}).keys())
        r["wrong"] = [(k, amounts_exp[k], None) for k in r["missing"]]
        return r

    # findings
    actual = [f for f in report.get("findings", [])
              if f.get("severity") in ("error", "warning")]
    used = set()
    for e in findings_exp:
        hit = None
        for i, f in enumerate(actual):
            if i in used:
                continue
            if (f.get("sheet") == e["sheet"] and f.get("cell") == e["cell"]
                    and num(f.get("stated")) == num(e["stated"])
                    and num(f.get("computed")) == num(e["computed"])):
                hit = i
                break
        if hit is None:
            r["misses"].append(e)
        else:
            used.add(hit)
            r["found"] += 1
            r["found_list"].append(e)
    for i, f in enumerate(actual):
        if i not in used and is_total_code(f.get("code", "")):
            r["false"].append(f)

    # amounts
    got = {}
    for t in budget.get("tables", []):
        for line in t.get("lines", []):
            k = cell_key(line.get("cell"))
            a = num(line.get("amount"))
            if a is None:
                got.setdefault(k, None)
            elif got.get(k) is None:
                got[k] = a
    exp = amounts_exp or {}
    for k in sorted(exp):
        want = num(exp[k])
        have = got.get(k)
        if have is None:
            r["missing"].append(k)
            r["wrong"].append((k, exp[k], None))
        elif have != want:
            r["wrong"].append((k, exp[k], have))
    if amounts_exp is not None:
        for k, a in sorted(got.items()):
            if a is not None and k not in exp:
                r["spurious"].append((k, a))
    return r


def fmt(v):
    if v is None:
        return "none"
    d = num(v)
    if d is None:
        return str(v)
    return str(int(d)) if d == d.to_integral_value() else str(d)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="*")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--allow-failures", action="store_true")
    ap.add_argument("--amounts", default=os.path.join(REPO, "Fixtures", "real",
                                                      "shared-amounts.json"))
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()

    importer = os.environ.get("ANSLAG_IMPORT")
    if not importer:
        for cand in (os.path.join(REPO, ".build", "release", "anslag-import"),
                     os.path.join(REPO, ".build", "debug", "anslag-import")):
            if os.path.exists(cand):
                importer = cand
                break
    if not importer:
        print("conformance_real: set ANSLAG_IMPORT to the anslag-import executable",
              file=sys.stderr)
        return 2

    dirs = args.dirs
    if not dirs:
        shared = os.path.normpath(os.path.join(REPO, "..", "shared", "corpus", "real-tables"))
        dirs = ([shared] if os.path.isdir(shared) else []) + [os.path.join(REPO, "Fixtures",
                                                                            "real")]
    results = []
    for d in dirs:
        try:
            exp = load_expected(d, args.amounts)
        except (OSError, ValueError) as e:
            print("conformance_real: %s: no readable expected.json (%s)" % (d, e),
                  file=sys.stderr)
            return 2
        names = sorted(set(exp) | {f for f in os.listdir(d) if f.endswith((".xlsx", ".xlsm",
                                                                          ".ods", ".xls"))})
        for name in names:
            path = os.path.join(d, name)
            if not os.path.exists(path):
                print("conformance_real: %s listed in expected.json but missing" % path,
                      file=sys.stderr)
                return 2
            fexp, aexp = exp.get(name, ([], None))
            r = measure(path, fexp, aexp, importer, args.timeout)
            results.append(r)
            line = ("%s: %d expected, %d found exactly, %d false alarms, %d misses, "
                    "%d amounts wrong of %d (%d missing), %d spurious"
                    % (os.path.join(os.path.basename(os.path.normpath(d)), name),
                       r["expected"], r["found"], len(r["false"]), len(r["misses"]),
                       len(r["wrong"]), r["amounts"], len(r["missing"]), len(r["spurious"])))
            if r["error"]:
                line += "  [importer: %s]" % r["error"]
            if aexp is None:
                line += "  [no amounts listed]"
            print(line)
            if args.verbose:
                for e in r["misses"]:
                    print("    miss: %s!%s stated %s computed %s"
                          % (e["sheet"], e["cell"], fmt(e["stated"]), fmt(e["computed"])))
                for f in r["false"]:
                    print("    false alarm: %s %s!%s stated %s computed %s: %s"
                          % (f.get("code"), f.get("sheet"), f.get("cell"), fmt(f.get("stated")),
                             fmt(f.get("computed")), f.get("message", "")))
                for k, want, have in r["wrong"]:
                    print("    amount %s: expected %s, %s" % (
                        k, fmt(want), "missing" if have is None else "got " + fmt(have)))
                for k, a in r["spurious"]:
                    print("    spurious amount %s: %s (not an amount cell)" % (k, fmt(a)))

    tot = lambda key: sum(len(r[key]) if isinstance(r[key], list) else r[key] for r in results)
    print("real tables: %d workbooks, %d expected discrepancies, %d found exactly, %d false "
          "alarms, %d misses, %d amounts wrong of %d (%d missing), %d spurious"
          % (len(results), tot("expected"), tot("found"), tot("false"), tot("misses"),
             tot("wrong"), tot("amounts"), tot("missing"), tot("spurious")))
    ok = all(not r["false"] and not r["misses"] and not r["wrong"] and not r["spurious"] and not r["error"]
             for r in results)
    return 0 if ok or args.allow_failures else 1


if __name__ == "__main__":
    sys.exit(main())
