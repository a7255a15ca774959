#!/usr/bin/env python3
"""Conformance of anslag-convert over a spreadsheet corpus.

For every file in DIR/files it runs `anslag-convert --all-sheets --to json` (10 s wall clock,
peak RSS measured) and compares each cell with DIR/oracle/NAME.json, where python-calamine
and openpyxl recorded what they read. A cell agrees when Anslag's value equals what at least
one of the two readers gave (numbers to 1e-9 relative, dates and date-times as instants, an
empty string as empty). Files marked intended_invalid in SOURCES.tsv must be refused with exit
2 and one stderr line, or read normally where the upstream project expects them tolerated.

Prints one line per file (agree / disagree / reject / refused / tolerated) and totals; exits 1
on a crash, a time-out, a refusal without a message, or under MIN_AGREEMENT of cells agreeing.
"""
import csv, datetime, json, os, re, subprocess, sys, time, collections

MIN_AGREEMENT = 0.99
TIMEOUT = 10

def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    corpus = os.path.abspath(args[0]) if args else os.path.join(root, "..", "shared", "corpus", "xlsx")
    tool = os.environ.get("ANSLAG_CONVERT", os.path.join(root, ".build", "release", "anslag-convert"))
    sources = {}
    with open(os.path.join(corpus, "SOURCES.tsv"), newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            sources[r["local_name"]] = r
    names = sorted(os.listdir(os.path.join(corpus, "files")))
    total_cells = agreeing = 0
    problems = []
    kinds = collections.Counter()
    examples = collections.defaultdict(list)
    status_count = collections.Counter()
    max_rss = (0, "")
    max_time = (0.0, "")
    for name in names:
        path = os.path.join(corpus, "files", name)
        meta = sources.get(name, {})
        invalid = meta.get("intended_invalid", "no").startswith("yes")
        tolerate = invalid and ("SUCCEED" in meta.get("intended_invalid", "") or "tolerate" in meta.get("intended_invalid", ""))
        t0 = time.monotonic()
        p = subprocess.Popen([tool, "--all-sheets", "--to", "json", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=TIMEOUT)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            p.kill(); out, err = p.communicate(); rc = "timeout"
        elapsed = time.monotonic() - t0
        rss = resource_peak(p)
        if rss > max_rss[0]: max_rss = (rss, name)
        if elapsed > max_time[0]: max_time = (elapsed, name)
        errline = err.decode("utf-8", "replace").strip()
        if rc not in (0, 2):
            problems.append(f"{name}: exit {rc}: {errline[:300]}")
            print(f"CRASH     {name}: exit {rc} {errline[:200]}")
            status_count["crash"] += 1
            continue
        if rc == 2 and (not errline or "\n" in errline or name not in errline):
            problems.append(f"{name}: refused without one clear line naming the file: {errline[:300]!r}")
        oracle_path = os.path.join(corpus, "oracle", name + ".json")
        oracle = json.load(open(oracle_path)) if os.path.exists(oracle_path) else None
        if invalid:
            if rc == 2:
                status = "refused"
                detail = errline
            else:
                # Read normally: right where upstream expects the file tolerated, or where the
                # oracle's own reader read it too and Anslag agrees with what it read.
                status = "tolerated"
                n, ok, _ = compare(json.loads(out), oracle, name, collections.defaultdict(list)) if oracle else (0, 0, None)
                oracle_read = bool(oracle and oracle.get("calamine_error") is None and oracle.get("sheets"))
                detail = f"read, {ok}/{n} cells agree with the oracle ({meta.get('intended_invalid', '')})"
                if not tolerate and not (oracle_read and ok == n):
                    problems.append(f"{name}: read although it is intended invalid: {meta.get('intended_invalid')}")
            status_count[status] += 1
            print(f"{status:<9} {name}: {detail}")
            continue
        if oracle is None:
            status_count["no-oracle"] += 1
            print(f"no-oracle {name}: exit {rc} {errline}")
            continue
        mine = json.loads(out) if rc == 0 else None
        n, ok, file_kinds = compare(mine, oracle, name, examples)
        total_cells += n; agreeing += ok
        kinds.update(file_kinds)
        if rc == 2:
            status = "reject"
        else:
            status = "agree" if ok == n else "disagree"
        status_count[status] += 1
        detail = errline if rc == 2 else ", ".join(f"{k}×{v}" for k, v in file_kinds.most_common())
        print(f"{status:<9} {name}: {ok}/{n} cells{(' ' + detail) if detail else ''}")
    share = agreeing / total_cells if total_cells else 1.0
    print()
    print("files: " + ", ".join(f"{k} {v}" for k, v in sorted(status_count.items())))
    print(f"cells agreeing with calamine or openpyxl: {agreeing}/{total_cells} = {share * 100:.2f}%")
    print(f"slowest file: {max_time[0]:.2f} s ({max_time[1]}); largest peak RSS: {max_rss[0] // 1024} MiB ({max_rss[1]})")
    if kinds:
        print("disagreement classes:")
        for k, v in kinds.most_common():
            print(f"  {v:>6}  {k}   e.g. {'; '.join(examples[k][:2])}")
    if share < MIN_AGREEMENT:
        problems.append(f"only {share * 100:.2f}% of cells agree (need {MIN_AGREEMENT * 100:.0f}%)")
    for p in problems:
        print("PROBLEM: " + p)
    print(f"{len(names) - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0

_rss = {}
def resource_peak(p):
    # ru_maxrss of the finished child via wait4 is gone after communicate(); read it from
    # RUSAGE_CHILDREN deltas instead (the maximum over children so far is a bound).
    import resource
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

ISO = re.compile(r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?$|^\d\d:\d\d(:\d\d(\.\d+)?)?$")
DUR = re.compile(r"^PT(-?[\d.]+(e[-+]?\d+)?)S$")

def norm(v):
    """A comparable form: None, ('num', x), ('bool', b), ('dt', datetime), ('t', seconds), ('dur', s), ('str', s)."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, (int, float)):
        return ("num", float(v))
    if isinstance(v, str):
        if ISO.match(v):
            try:
                if ":" in v and "-" not in v:
                    t = datetime.time.fromisoformat(v)
                    return ("t", t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6)
                return ("dt", datetime.datetime.fromisoformat(v if "T" in v or " " in v else v + "T00:00:00"))
            except ValueError:
                pass
        m = DUR.match(v)
        if m:
            return ("dur", float(m.group(1)))
        return ("str", v)
    return ("other", repr(v))

def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if a[0] != b[0]:
        return False
    if a[0] == "num":
        return a[1] == b[1] or abs(a[1] - b[1]) <= 1e-9 * max(1.0, abs(a[1]), abs(b[1]))
    if a[0] == "dt":
        return abs((a[1] - b[1]).total_seconds()) < 0.001
    if a[0] == "t":
        return abs(a[1] - b[1]) < 0.001
    if a[0] == "dur":
        # The oracle writes durations with %g (six significant digits).
        return abs(a[1] - b[1]) < 0.001 or abs(a[1] - b[1]) <= 5e-6 * max(abs(a[1]), abs(b[1]))
    return a[1] == b[1]

def kind(v):
    return "empty" if v is None else v[0]

def compare(mine, oracle, name, examples):
    cal = {s["name"]: s for s in (oracle.get("sheets") or [])}
    opx = {s["name"]: s for s in (oracle.get("openpyxl_sheets") or [])}
    mys = {s["name"]: s for s in (mine or {}).get("sheets", [])}
    order = list(cal) + [n for n in opx if n not in cal]
    n = ok = 0
    kinds = collections.Counter()
    for sheet in order:
        grids = [g for g in (cal.get(sheet), opx.get(sheet)) if g is not None and not g.get("error")]
        if not grids:
            continue
        me = mys.get(sheet, {"rows": []})["rows"]
        rows = max([len(me)] + [len(g["rows"]) for g in grids])
        for i in range(rows):
            width = max([len(me[i]) if i < len(me) else 0] + [len(g["rows"][i]) if i < len(g["rows"]) else 0 for g in grids])
            for j in range(width):
                def cell(rs):
                    return rs[i][j] if i < len(rs) and j < len(rs[i]) else None
                a = norm(cell(me))
                others = [norm(cell(g["rows"])) for g in grids]
                if a is None and all(o is None for o in others):
                    continue
                n += 1
                if any(same(a, o) for o in others):
                    ok += 1
                else:
                    k = f"anslag {kind(a)} vs " + "/".join(kind(o) for o in others)
                    kinds[k] += 1
                    if len(examples[k]) < 4:
                        examples[k].append(f"{name} {sheet}!{col(j)}{i + 1}: {cell(me)!r} vs " + " / ".join(repr(cell(g['rows'])) for g in grids))
    return n, ok, kinds

def col(j):
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s

if __name__ == "__main__":
    sys.exit(main())
