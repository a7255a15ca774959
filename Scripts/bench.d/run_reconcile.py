#!/usr/bin/env python3
"""Times anslag-reconcile over 311 recipient budget workbooks (290 kommuner + 21 regioner, 500
lines each; make_reconcile.c) against their allocation, with --jobs 1 and --jobs 2; best of N,
peak RSS, and the speed-up from the second core."""
import os, subprocess, sys, time

BENCH, TOOL = sys.argv[1], sys.argv[2]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
data = os.path.join(BENCH, "data", "reconcile")
subprocess.run(["rm", "-rf", data], check=True)
subprocess.run([os.path.join(BENCH, "make_reconcile"), data, "Sources/AnslagCore/Resources/regions.tsv"], check=True, stderr=subprocess.DEVNULL)

def run(jobs):
    best, rss = None, 0
    for _ in range(RUNS):
        t0 = time.perf_counter()
        p = subprocess.Popen([TOOL, "--allocation", os.path.join(data, "allocation.csv"), os.path.join(data, "budgets"), "--jobs", str(jobs)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - t0
        out = p.stdout.read().decode(); p.stdout.close(); p.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"anslag-reconcile --jobs {jobs} failed: {out[:300]}")
        best = elapsed if best is None else min(best, elapsed)
        rss = max(rss, usage.ru_maxrss)
    return best, rss, out.splitlines()[0]

one, two = run(1), run(2)
print(f"\nanslag-reconcile: 311 budget workbooks x 500 lines (+ 11 totals each) against the allocation: {two[2]}")
print(f"  --jobs 1   {one[0]:6.3f} s  peak RSS {one[1] / 1024:6.1f} MiB")
print(f"  --jobs 2   {two[0]:6.3f} s  peak RSS {two[1] / 1024:6.1f} MiB  (target < 2 s: {'met' if two[0] < 2 else 'NOT met'})")
print(f"  speed-up from the second core: {one[0] / two[0]:.2f}x (target >= 1.7x: {'met' if one[0] / two[0] >= 1.7 else 'NOT met'})")
