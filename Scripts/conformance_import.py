#!/usr/bin/env python3
"""Runs anslag-import --report json over every file of a spreadsheet corpus: it must never
crash or hang (exit 0, 1 or 2 only, under 10 s each). Prints the exit statuses, the findings
by severity and code, the files with error findings (real budgets have none of these corpus
files: they come from other projects' test suites), and the slowest file."""
import collections, json, os, subprocess, sys, time

corpus = sys.argv[1]
tool = os.environ["ANSLAG_IMPORT"]
files_dir = os.path.join(corpus, "files") if os.path.isdir(os.path.join(corpus, "files")) else corpus
files = sorted(f for f in os.listdir(files_dir) if os.path.isfile(os.path.join(files_dir, f)))
statuses, findings, failures, with_errors = collections.Counter(), collections.Counter(), [], []
slowest = (0.0, "")
for name in files:
    path = os.path.join(files_dir, name)
    t0 = time.perf_counter()
    try:
        p = subprocess.run([tool, path, "--report", "json"], capture_output=True, timeout=10)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        rc = "timeout"
    elapsed = time.perf_counter() - t0
    slowest = max(slowest, (elapsed, name))
    statuses[rc] += 1
    if rc not in (0, 1, 2):
        failures.append(f"{name}: {rc}")
        continue
    if rc == 2:
        continue
    report = json.loads(p.stdout)
    errors = 0
    for f in report["findings"]:
        findings[(f["severity"], f["code"])] += 1
        errors += f["severity"] == "error"
    if errors:
        with_errors.append(f"{name}: {errors} error finding(s)")
print(f"anslag-import over {len(files)} files: " + ", ".join(f"exit {k}: {v}" for k, v in sorted(statuses.items(), key=str)))
print("findings: " + (", ".join(f"{s} {c}: {n}" for (s, c), n in sorted(findings.items())) or "none"))
for line in with_errors:
    print("  " + line)
print(f"slowest: {slowest[1]} {slowest[0]:.2f} s")
if failures:
    print("FAILED (crash or time-out): " + "; ".join(failures))
    sys.exit(1)
