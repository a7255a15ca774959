#!/usr/bin/env python3
"""Makes the anslag-allocate benchmark inputs, deterministically: a full SCB-shaped population
file (the 290 kommuner x single years of age 0..100+ x sex x five November periods, the web
export's wide CSV) and 1 000 rules over the kommuner: age bands, sexes, periods, bases, fixed
amounts first, and nested splits (kommunalförbund by membership, län by their kommuner)."""
import os, random, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rng = random.Random(20231101)
kommuner, lan = [], []
for line in open(os.path.join(root, "Sources/AnslagCore/Resources/regions.tsv"), encoding="utf-8"):
    if line.startswith(("#", "valid")) or not line.strip():
        continue
    code, kind, name, county, *_ = line.rstrip("\n").split("\t")
    (kommuner if kind == "kommun" else lan if kind == "lan" else []).append((code, name, county))
periods = [f"{y}M10" for y in range(2019, 2024)]
with open(os.path.join(out, "population-full.csv"), "w", encoding="utf-8", newline="") as f:
    f.write('"Folkmängd efter region, ålder, kön och månad (syntetisk)"\r\n\r\n')
    f.write('"region","ålder","kön",' + ",".join(f'"{p}"' for p in periods) + "\r\n")
    for code, name, _ in kommuner:
        size = rng.randint(2_500, 120_000) if code not in ("0180", "1480", "1280") else 600_000
        for age in range(101):
            label = "100+ år" if age == 100 else f"{age} år"
            for sex in ("män", "kvinnor"):
                base = max(0, int(size / 90 * (1.2 - age / 110)) + rng.randint(-20, 20))
                vals = [max(0, base + rng.randint(-30, 30)) for _ in periods]
                f.write(f'"{code} {name}","{label}","{sex}",' + ",".join(map(str, vals)) + "\r\n")
with open(os.path.join(out, "members.csv"), "w", encoding="utf-8") as f:
    f.write("code;group\n")
    for code, _, county in kommuner:
        if county == "14":
            f.write(f"{code};Förbund {int(code) % 4 + 1}\n")
    f.write("1384;Förbund 1\n")

def band():
    lo = rng.randint(0, 80)
    return rng.choice([f"{lo}-{rng.randint(lo, 99)}", f"{lo}+", "total", "0-25", "65+", "0-17"])

lines = ["population: population-full.csv", "rules:"]
for i in range(1000):
    kind = i % 5
    total = rng.randint(1_000_000, 900_000_000)
    per = rng.choice(periods)
    sex = rng.choice(["total", "män", "kvinnor"])
    lines.append(f"  - name: Regel {i + 1}")
    lines.append(f"    total: {total}")
    if kind == 0:
        lines += ["    recipients: kommuner", f"    key: {{kind: proportional, age: '{band()}', sex: {sex}, period: {per}}}"]
    elif kind == 1:
        county = rng.choice(lan)[0]
        lines += [f"    recipients: {{kommuner-in: '{county}'}}",
                  f"    key: {{kind: proportional, base: {rng.randint(0, total // 400)}, age: '{band()}', period: {per}}}"]
    elif kind == 2:
        lines += ["    recipients:",
                  f"      - name: Förbunden",
                  f"        rule: {{recipients: {{membership: members.csv, within: '14'}}, key: {{kind: proportional, age: '{band()}', period: {per}}}}}",
                  f"      - name: Kommunerna",
                  f"        rule: {{recipients: kommuner, key: {{kind: proportional, age: '{band()}', sex: {sex}, period: {per}}}}}",
                  f"      - name: Länen",
                  f"        rule: {{recipients: lan, key: {{kind: proportional, period: {per}}}}}",
                  "    key: equal"]
    elif kind == 3:
        lines += ["    recipients:",
                  f"      - {{name: Civilsamhället, amount: {total // 10}}}",
                  f"      - name: Resten",
                  f"        rule: {{recipients: kommuner, key: {{kind: proportional, age: '{band()}', period: {per}}}}}",
                  "    key: equal"]
    else:
        lines += ["    recipients: lan", f"    rounding: floor-report-residual",
                  f"    key: {{kind: proportional, base: {rng.randint(0, total // 100)}, age: '{band()}', sex: {sex}, period: {per}}}"]
with open(os.path.join(out, "rules-1000.yaml"), "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(out, "rules-1.yaml"), "w", encoding="utf-8") as f:
    f.write("\n".join(lines[:6]) + "\n")
