#!/usr/bin/env python3
"""Makes the SCB-shaped benchmark CSV deterministically: every region (Riket, 21 län, 290
kommuner, from Anslag's registry) x 101 ages (0 år … 100+ år) x 2 sexes, one column per year
for 50 years, Windows-1252, a quoted title line and a blank line, as Statistikdatabasen writes
it. With --scale N the table has N marital-status values (N x the rows)."""
import os, sys

out = sys.argv[1]
scale = int(sys.argv[2]) if len(sys.argv) > 2 else 1
here = os.path.dirname(os.path.abspath(__file__))
regions = []
with open(os.path.join(here, "..", "..", "Sources", "AnslagCore", "Resources", "regions.tsv"), encoding="utf-8") as f:
    for line in f:
        if line.startswith("#") or line.startswith("valid"):
            continue
        code, kind, name = line.rstrip("\n").split("\t")[:3]
        regions.append((code, name))
regions.sort()
years = list(range(1974, 2024))
ages = [f"{a} år" for a in range(100)] + ["100+ år"]
civil = ["ogifta", "gifta", "skilda", "änkor/änklingar"][:scale] if scale <= 4 else [f"grupp {i}" for i in range(scale)]
state = 12345
def rnd():
    global state
    state = (state * 1103515245 + 12345) % 2147483648
    return state
if os.path.exists(out):
    sys.exit(0)
# Kommun figures are random; each län is the sum of its kommuner and Riket the sum of the län,
# so the checks find nothing and the time is the tool's, not its findings'.
kommuner = [c for c, _ in regions if len(c) == 4]
counties = sorted({c[:2] for c in kommuner})
names = dict(regions)
lines = {code: [] for code, _ in regions}
for c in civil:
    for age in ages:
        for sex in ("män", "kvinnor"):
            values = {k: [rnd() % 5000 for _ in years] for k in kommuner}
            for county in counties:
                values[county] = [sum(v) for v in zip(*(values[k] for k in kommuner if k[:2] == county))]
            values["00"] = [sum(v) for v in zip(*(values[c2] for c2 in counties))]
            for code in values:
                lines[code].append(f'"{code} {names[code]}","{c}","{age}","{sex}",' + ",".join(map(str, values[code])) + "\r\n")
tmp = out + ".tmp"
with open(tmp, "w", encoding="cp1252", newline="") as f:
    f.write('"Folkmängden efter region, civilstånd, ålder, kön och år"\r\n\r\n')
    f.write('"region","civilstånd","ålder","kön",' + ",".join(f'"{y}"' for y in years) + "\r\n")
    for code, _ in regions:
        f.writelines(lines[code])
os.rename(tmp, out)
