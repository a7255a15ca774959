"""What the benchmark runners share: best-of-N wall time and peak RSS of a command."""
import os, subprocess, time

RUNS = int(os.environ.get("BENCH_RUNS", "3"))

def run(cmd, runs=RUNS, ok=(0,)):
    """Best wall time and largest peak RSS (KiB) of `runs` runs; stops on an unexpected exit."""
    best, rss = None, 0
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - t0
        err = p.stderr.read().decode(errors="replace"); p.stderr.close()
        if os.waitstatus_to_exitcode(status) not in ok:
            raise SystemExit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(cmd)}: {err[:500]}")
        best = elapsed if best is None else min(best, elapsed)
        rss = max(rss, usage.ru_maxrss)
    return best, rss
