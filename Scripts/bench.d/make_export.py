#!/usr/bin/env python3
"""The anslag-export benchmark input, deterministic: budget JSON with N line items (label,
kommun code as the area, year, amount) and a grand total over them, as anslag-import writes it;
and the same rows as a TSV for the peers (C loop, XlsxWriter, openpyxl) to write."""
import json, random, sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20250101)
codes = ["0114", "0115", "0117", "0120", "0123", "0125", "0126", "0127", "0128", "0136", "1480", "1280", "0180"]
total = 0
with open(out + ".json", "w", encoding="utf-8") as f, open(out + ".tsv", "w", encoding="utf-8") as t:
    f.write('{\n  "kind": "budget",\n  "version": 1,\n  "file": "bench.xlsx",\n  "sheets": [\n    {"name": "Budget", "state": "visible"}\n  ],\n')
    f.write('  "tables": [\n    {\n      "sheet": "Budget",\n      "hidden": false,\n      "layout": "list",\n      "title": null,\n')
    f.write(f'      "range": "A1:D{n + 2}",\n      "unit": "kronor",\n      "unit_source": null,\n      "header": [],\n      "lines": [\n')
    for i in range(n):
        amount = rng.randint(1_000, 5_000_000)
        total += amount
        code = codes[i % len(codes)]
        line = {"label": f"Post {i + 1}", "amount": amount, "cell": f"'Budget'!D{i + 2}", "role": "line", "year": 2025,
                "area": code, "key": None, "sum_of": None, "text": None}
        f.write("        " + json.dumps(line, ensure_ascii=False, separators=(", ", ": ")) + ",\n")
        t.write(f"Budget\tD{i + 2}\tline\tPost {i + 1}\t2025\t{code}\t{amount}\n")
    line = {"label": "Totalt", "amount": total, "cell": f"'Budget'!D{n + 2}", "role": "total", "year": None,
            "area": None, "key": None, "sum_of": f"D2:D{n + 1}", "text": None}
    f.write("        " + json.dumps(line, ensure_ascii=False, separators=(", ", ": ")) + "\n      ]\n    }\n  ]\n}\n")
    t.write(f"Budget\tD{n + 2}\ttotal\tTotalt\t\t\t{total}\n")
