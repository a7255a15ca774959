#!/usr/bin/env python3
"""Two builds side by side on Scripts/bench's inputs (run `Scripts/bench` once to make them):

    python3 Scripts/bench.d/ab.py OLD_BIN_DIR NEW_BIN_DIR [CASE ...]

Each case runs with both builds interleaved (old, new, then new, old, ...), best wall time and
largest peak RSS of RUNS runs each (default 7), and prints new/old. Interleaving keeps a
loaded machine from favouring one build. OLD_BIN_DIR is another checkout's
`swift build -c release --show-bin-path`."""
import atexit, os, shutil, subprocess, sys, tempfile, time
OLD, NEW = sys.argv[1], sys.argv[2]
RUNS = int(os.environ.get("RUNS", "7"))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = os.path.join(ROOT, ".build-bench", "data")
tmp = tempfile.mkdtemp(prefix="anslag-ab-")
atexit.register(shutil.rmtree, tmp, True)
CASES = {
 "convert strings": ["anslag-convert", "--to", "csv", f"{data}/strings.xlsx"],
 "convert numbers": ["anslag-convert", "--to", "csv", f"{data}/numbers.xlsx"],
 "scb 1x": ["anslag-scb", "--to", "csv", f"{data}/scb-1x.csv", "-o", f"{tmp}/o.csv", "--force"],
 "scb 4x": ["anslag-scb", "--to", "csv", f"{data}/scb-4x.csv", "-o", f"{tmp}/o.csv", "--force"],
 "allocate": ["anslag-allocate", f"{data}/allocate/rules-1000.yaml", "--stats", "-o", f"{tmp}/o.json", "--force"],
 "import": ["anslag-import", f"{data}/budget-100.xlsx", "--report", "json"],
 "reconcile j1": ["anslag-reconcile", "--allocation", f"{data}/reconcile/allocation.csv", f"{data}/reconcile/budgets", "--jobs", "1"],
 "reconcile j2": ["anslag-reconcile", "--allocation", f"{data}/reconcile/allocation.csv", f"{data}/reconcile/budgets", "--jobs", "2"],
 "export 1M": ["anslag-export", f"{data}/export/budget-1000000.json", "-o", f"{tmp}/o.xlsx", "--force"],
}
only = sys.argv[3:] or list(CASES)
for name in only:
    if name not in CASES: sys.exit(f"ab.py: no case {name!r}; the cases: {', '.join(CASES)}")
def one(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, st, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t0, ru.ru_maxrss, os.waitstatus_to_exitcode(st)
for name in only:
    c = CASES[name]
    best = {}
    for i in range(RUNS):
        for tag, b in (("old", OLD), ("new", NEW)) if i % 2 == 0 else (("new", NEW), ("old", OLD)):
            t, r, rc = one([os.path.join(b, c[0])] + c[1:])
            if rc not in (0, 1): sys.exit(f"{name} {tag} rc {rc}")
            bt, br = best.get(tag, (1e9, 0)); best[tag] = (min(bt, t), max(br, r))
    o, n = best["old"], best["new"]
    print(f"{name:16s} old {o[0]:.3f} s {o[1]/1024:6.1f} MiB   new {n[0]:.3f} s {n[1]/1024:6.1f} MiB   new/old {n[0]/o[0]:.3f}", flush=True)
