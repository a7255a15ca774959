#!/usr/bin/env python3
"""Checks that AnslagCore's folders depend one way and that no function in the core is longer
than the house allows.

Layers, lowest first (a folder may use its own layer's and lower layers' declarations):

    Support, Text  <-  Model  <-  JSON, Spreadsheet, Query, Scb, Config, Normalized
                   <-  Budget, Check, Allocate, Reconcile  <-  Write

Within a layer the folders are ordered too (JSON, the plain parser and writer, before Scb, whose
JSON-stat reader uses it; Spreadsheet before Scb, which sniffs spreadsheets; Query before Scb, whose
API client turns a query into a selection, and before Config, whose rules carry queries; Normalized, Anslag's own JSON kinds, after the readers
whose value syntax it shares; Budget before Check before Allocate before Reconcile), so that no
two folders use each other. The check reads the Swift sources: it collects what each folder declares (types,
top-level functions, and members added by extensions when their names are unique in the
module) and finds each use of such a name in another folder's code, with comments and string
literals stripped. A use of a name from a higher folder is a reverse edge, and the script fails
naming the file, the line and the name.

    Scripts/layers.py            # both checks
    Scripts/layers.py --edges    # print the folder graph as it is
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORE = os.path.join(ROOT, "Sources", "AnslagCore")
ORDER = ["Support", "Text", "Model", "JSON", "Spreadsheet", "Query", "Scb", "Config", "Normalized",
         "Budget", "Check", "Allocate", "Reconcile", "Write"]
MAX_FUNCTION_LINES = 120
# Functions known to be over the limit, each with why it is still here. A new one fails.
KNOWN_LONG = {
}

DECL = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|internal|private|fileprivate|final|static|"
                  r"indirect|nonisolated|override|mutating|@inlinable|@usableFromInline)\s+)*"
                  r"(struct|class|enum|protocol|typealias|actor|func|extension|var|let|case)\s+([A-Za-z_][A-Za-z0-9_]*)")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip(text):
    """Source text without comments and string literals (kept line for line)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            j = n if j < 0 else j + 3
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c == '"':
            j = skip_string(text, i)
            out.append('""')
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def skip_string(text, i):
    """The index after the string literal starting at text[i] (a quote), interpolations and the
    strings nested in them included."""
    n = len(text)
    j = i + 1
    while j < n:
        ch = text[j]
        if ch == "\\" and j + 1 < n and text[j + 1] == "(":
            depth, j = 1, j + 2
            while j < n and depth:
                if text[j] == '"':
                    j = skip_string(text, j)
                    continue
                depth += text[j] == "("
                depth -= text[j] == ")"
                j += 1
            continue
        if ch == "\\":
            j += 2
            continue
        if ch == '"':
            return j + 1
        if ch == "\n":
            return j
        j += 1
    return n


def folder_of(path):
    rel = os.path.relpath(path, CORE)
    return rel.split(os.sep)[0] if os.sep in rel else None


def sources():
    for base, _, names in os.walk(CORE):
        for name in sorted(names):
            if name.endswith(".swift"):
                yield os.path.join(base, name)


def main():
    files = {p: strip(open(p, encoding="utf-8").read()) for p in sources()}
    types, members = {}, {}
    member_count = {}
    for path, text in files.items():
        folder = folder_of(path)
        if folder is None:
            continue
        depth = 0
        extending = False
        for line in text.split("\n"):
            m = DECL.match(line)
            if m and re.match(r"\s*(?:@\w+\s+)*(?:private|fileprivate)\b", line):
                m = None  # file-local: not a cross-folder name
            if m:
                kind, name = m.groups()
                if depth == 0 and kind in ("struct", "class", "enum", "protocol", "typealias", "actor", "func"):
                    types.setdefault(name, set()).add(folder)
                elif depth == 1 and extending and kind in ("func", "var", "let"):
                    members.setdefault(name, set()).add(folder)
                    member_count[name] = member_count.get(name, 0) + 1
                if depth == 0:
                    extending = kind == "extension"
            depth += line.count("{") - line.count("}")
    # Member names declared on types anywhere else are too common to attribute.
    all_members = {}
    for text in files.values():
        for m in re.finditer(r"\b(?:func|var|let|case)\s+([A-Za-z_][A-Za-z0-9_]*)", text):
            all_members[m.group(1)] = all_members.get(m.group(1), 0) + 1
    owners = {name: folders for name, folders in types.items() if len(folders) == 1}
    for name, folders in members.items():
        if len(folders) == 1 and all_members.get(name, 0) == member_count[name] and name not in owners:
            owners["." + name] = folders
    edges = {}
    problems = []
    for path, text in files.items():
        folder = folder_of(path)
        if folder is None:
            continue
        if folder not in ORDER:
            problems.append(f"{os.path.relpath(path, ROOT)}: folder {folder} is not in the layer order")
            continue
        for lineno, line in enumerate(text.split("\n"), 1):
            for m in IDENT.finditer(line):
                name = m.group(0)
                dotted = m.start() > 0 and line[m.start() - 1] == "."
                key = "." + name if dotted and "." + name in owners else name
                if key not in owners:
                    continue
                (target,) = owners[key]
                if target == folder:
                    continue
                edges.setdefault((folder, target), []).append((path, lineno, name))
    for (src, dst), uses in sorted(edges.items()):
        if ORDER.index(dst) > ORDER.index(src):
            for path, lineno, name in uses[:5]:
                problems.append(f"{os.path.relpath(path, ROOT)}:{lineno}: {src} uses {name} from {dst}, a higher layer")
    if "--edges" in sys.argv:
        for (src, dst), uses in sorted(edges.items(), key=lambda e: (ORDER.index(e[0][0]), ORDER.index(e[0][1]))):
            mark = "  REVERSE" if ORDER.index(dst) > ORDER.index(src) else ""
            print(f"{src:12} -> {dst:12} {len(uses):5} uses{mark}  e.g. {sorted({u[2] for u in uses})[:4]}")
    problems += long_functions(files)
    for p in problems:
        print(p)
    ok = not problems
    print(f"layers: {len(files)} files, {sum(len(u) for u in edges.values())} cross-folder uses, "
          f"{len(problems)} problems" + ("" if ok else " (see above)"))
    sys.exit(0 if ok else 1)


def long_functions(files):
    """Functions (and closures bound to names) longer than MAX_FUNCTION_LINES, by brace matching."""
    problems = []
    start = re.compile(r"\b(func\s+[A-Za-z_][A-Za-z0-9_]*|init[?!]?\s*[(<]|subscript\s*\(|deinit\b)")
    for path, text in files.items():
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            m = start.search(lines[i])
            if not m or "{" not in "".join(lines[i:i + 8]):
                i += 1
                continue
            # Find the body's opening brace, then its match.
            depth, began, j = 0, False, i
            while j < len(lines):
                for ch in lines[j][m.start() if j == i else 0:]:
                    if ch == "{":
                        depth += 1
                        began = True
                    elif ch == "}":
                        depth -= 1
                if began and depth <= 0:
                    break
                j += 1
            length = j - i + 1
            name = m.group(1).split("(")[0]
            if length > MAX_FUNCTION_LINES and (os.path.relpath(path, ROOT), name) in KNOWN_LONG:
                print(f"{os.path.relpath(path, ROOT)}:{i + 1}: {name} is {length} lines: known, "
                      f"{KNOWN_LONG[(os.path.relpath(path, ROOT), name)]}")
            elif length > MAX_FUNCTION_LINES:
                problems.append(f"{os.path.relpath(path, ROOT)}:{i + 1}: {name} is {length} lines (at most {MAX_FUNCTION_LINES})")
            i += 1
    return problems


if __name__ == "__main__":
    main()
