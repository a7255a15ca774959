import Testing
import AnslagCore
#if canImport(Glibc)
import Glibc
#endif

@Suite("anslag-import end to end")
struct ImportEndToEndTests {
    @Test func budgetJSONOnStdoutAndASummaryOnStderr() throws {
        let file = Tool.fixture("budget/sectioned-wrong.xlsx")
        let r = try Tool.run("anslag-import", [file])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("{\n  \"kind\": \"budget\",\n  \"version\": 1,\n"))
        #expect(r.stderr == """
            anslag-import: \(file): 1 table, 1 error, 0 warnings, 0 info
              error 'Fördelning'!B7 sum-mismatch: Totalt regioner: stated 31 001 000 kr, computed 31 000 000 kr (B4:B6); a difference of exactly 1 tkr looks like rounding

            """)
        let ok = try Tool.run("anslag-import", [Tool.fixture("budget/sectioned-ok.xlsx")])
        #expect(ok.status == 0)
    }

    @Test func reportJSON() throws {
        let file = Tool.fixture("budget/allocation-wrong.xlsx")
        let r = try Tool.run("anslag-import", [file, "--report", "json"])
        #expect(r.status == 1)
        #expect(r.stdout == """
            {
              "file": "\(file)",
              "valid": false,
              "findings": [
                {"code": "unit-assumed", "severity": "info", "file": "\(file)", "sheet": "Fördelning 2024", "cell": "A1", "stated": null, "computed": null, "delta": null, "lines": null, "message": "no unit stated (such as \\"tkr\\" or \\"i tusental kronor\\") for the table at A1; amounts read as kronor"},
                {"code": "allocation-residual", "severity": "warning", "file": "\(file)", "sheet": "Fördelning 2024", "cell": "B5", "stated": 10000000, "computed": 9999999, "delta": 1, "lines": "B2:B4", "message": "Totalt: the parts sum to 9 999 999 kr, 1 kr less than the total 10 000 000 kr; it looks like each share was rounded down and the residual left unallocated"},
                {"code": "sum-mismatch", "severity": "error", "file": "\(file)", "sheet": "Fördelning 2024", "cell": "B13", "stated": 3383334, "computed": 3333334, "delta": 50000, "lines": "B9:B12", "message": "Summa: stated 3 383 334 kr, computed 3 333 334 kr (B9:B12)"}
              ],
              "tables": 2
            }

            """)
    }

    @Test(.enabled(if: jsonSchemaAvailable, "needs python3 with jsonschema"),
          arguments: ["list-wrong.xlsx", "matrix-wrong.xlsx", "sectioned-ok.xlsx", "allocation-ok.xlsx"])
    func outputsMatchTheSchemas(_ fixture: String) throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        _ = try Tool.run("anslag-import", [Tool.fixture("budget/" + fixture), "-o", dir + "/b.json"])
        #expect(try Tool.validate(json: dir + "/b.json", schema: "budget.schema.json").status == 0)
        _ = try Tool.run("anslag-import", [Tool.fixture("budget/" + fixture), "--report", "json", "-o", dir + "/r.json"])
        let v = try Tool.validate(json: dir + "/r.json", schema: "report.schema.json")
        #expect(v.status == 0, "\(v.stderr)")
    }

    @Test func reportTextAndExplain() throws {
        let r = try Tool.run("anslag-import", [Tool.fixture("budget/matrix-wrong.xlsx"), "--report", "text"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("error     'Översikt'!C4  change-mismatch     310 000 kr     300 000 kr  10 000 kr  Förändring 2023–2024: 2024 − 2023 for GR"))
        let e = try Tool.run("anslag-import", [Tool.fixture("budget/sectioned-wrong.xlsx"), "--explain"])
        #expect(e.stdout.contains("'Fördelning'!A1:B16: sectioned, \"Regioner\"; unit tkr (from \"Angivet i tusental kronor\" in A1)\n"))
        #expect(e.stdout.contains("  ✗ subtotal 'Fördelning'!B7 \"Totalt regioner\" = 31 001 000 kr = sum of B4:B6\n"))
        #expect(e.stdout.contains("  ✓ total 'Fördelning'!B16 \"Totalt\" = 42 000 000 kr = sum of B7,B14\n"))
    }

    @Test func reportXlsxHighlightsAndLinks() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let r = try Tool.run("anslag-import", [Tool.fixture("budget/list-wrong.xlsx"), "--report", "xlsx", "-o", dir + "/r.xlsx"])
        #expect(r.status == 1)
        let reader = try openSpreadsheet(.path(dir + "/r.xlsx"))
        #expect(reader.sheets.map(\.name) == ["Budget 2024", "Dold", "Fynd"])
        // The SUM stays live with its (wrong) cached value; the findings sheet links to it.
        #expect(try reader.sheet(at: 0)["B9"] == Cell(.number(4_550_001), formula: "SUM(B4:B8)"))
        let fynd = try Tool.runAny("unzip", ["-p", dir + "/r.xlsx", "xl/worksheets/sheet3.xml"])
        #expect(fynd.stdout.contains("location=\"'Budget 2024'!B9\""))
        let styles = try Tool.runAny("unzip", ["-p", dir + "/r.xlsx", "xl/styles.xml"])
        #expect(styles.stdout.contains("FFFFC7CE"))
    }

    /// The report of an ods input is a new workbook whose amounts keep the source's format
    /// (list-wrong.ods: `# ##0 "kr"` as LibreOffice stores it, a space embedded in the digits).
    @Test func reportOfAnOdsKeepsItsNumberFormats() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let r = try Tool.run("anslag-import", [Tool.fixture("budget/libreoffice/list-wrong.ods"), "--report", "xlsx", "-o", dir + "/r.xlsx"])
        #expect(r.status == 1)
        let styles = try Tool.runAny("unzip", ["-p", dir + "/r.xlsx", "xl/styles.xml"]).stdout
        #expect(styles.contains("formatCode=\"#&quot; &quot;##0&quot; kr&quot;\""))
        let sheet = try Tool.runAny("unzip", ["-p", dir + "/r.xlsx", "xl/worksheets/sheet1.xml"]).stdout
        #expect(sheet.contains("<c r=\"B4\" s=\""))
    }

    @Test func layoutFileAndTolerance() throws {
        let r = try Tool.run("anslag-import", [Tool.fixture("budget/odd-total.csv"), "--layout", Tool.fixture("budget/odd-total-layout.yaml"), "--report", "text"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("'odd-total'!B4  sum-mismatch  360 000 kr  350 000 kr  10 000 kr"))
        let tol = try Tool.run("anslag-import", [Tool.fixture("budget/odd-total.csv"), "--layout", Tool.fixture("budget/odd-total-layout.yaml"), "--tolerance", "10 000", "--report", "text"])
        #expect(tol.status == 0)
        #expect(tol.stdout.contains("within the tolerance of 10 000 kr"))
    }

    @Test func unreadableInputExitsTwo() throws {
        let r = try Tool.run("anslag-import", [Tool.fixture("hostile/entity-bomb.xlsx")])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("anslag-import: \(Tool.fixture("hostile/entity-bomb.xlsx")): "))
        #expect(r.stdout == "")
        let bad = try Tool.run("anslag-import", [Tool.fixture("budget/list-ok.xlsx"), "--layout", Tool.fixture("budget/list-ok.xlsx")])
        #expect(bad.status == 2)
    }

    /// A small file whose values lie far apart: recognised from its values (exit 0, quickly),
    /// while a whole-grid output is refused with one line (exit 2), not built.
    @Test func valuesFarApartNeitherHangNorEatMemory() throws {
        let file = Tool.fixture("hostile/wide-sparse.xlsx")
        let r = try Tool.run("anslag-import", [file, "--report", "json"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"valid\": true"))
        let grid = try Tool.run("anslag-convert", [file, "--to", "json"])
        #expect(grid.status == 2)
        #expect(grid.stderr.hasPrefix("anslag-convert: \(file): refused: sheet \"S\": "))
        #expect(grid.stderr.contains(" values spread over ") && grid.stderr.contains("(anslag-convert --to csv)"))
        #expect(grid.stderr.split(separator: "\n").count == 1)
        // 20 000 small tables with their amounts in column XFD: each table's columns cost what
        // it has, not 16 384 slots.
        let tables = try Tool.run("anslag-import", [Tool.fixture("hostile/wide-tables.xlsx"), "--report", "json"])
        #expect(tables.status == 0)
        #expect(tables.stdout.contains("\"tables\": 20000"))
    }

    @Test func budgetRoundTripsThroughExport() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        _ = try Tool.run("anslag-import", [Tool.fixture("budget/matrix-ok.xlsx"), "-o", dir + "/b.json"])
        let again = try Tool.run("anslag-export", [dir + "/b.json", "--to", "json"])
        #expect(again.stdout == String(decoding: try FileInput.read(path: dir + "/b.json"), as: UTF8.self))
        let x = try Tool.run("anslag-export", [dir + "/b.json", "-o", dir + "/b.xlsx"])
        #expect(x.status == 0)
        let back = try openSpreadsheet(.path(dir + "/b.xlsx")).sheet(at: 0)
        // Below the provenance block (title, source file, tool, "Belopp i kronor", a blank row)
        // the header is row 6 and the first line row 7.
        #expect(back["A1"]?.value == .string("Budget"))
        #expect(back["A2"]?.value == .string("Källfil: \(Tool.fixture("budget/matrix-ok.xlsx"))"))
        #expect(back["A4"]?.value == .string("Belopp i kronor"))
        #expect(back["H6"]?.value == .string("Belopp"))
        #expect(back["H7"] == Cell(.number(2_000_000)))
        // Imported again, the export is the same budget: the same lines, no finding that the
        // source did not have (the provenance lines are neither lines nor a unit of their own).
        let again2 = try Tool.run("anslag-import", [dir + "/b.xlsx", "--report", "json"])
        #expect(again2.status == 0 && again2.stdout.contains("\"valid\": true"))
        let lines = try Tool.run("anslag-import", [dir + "/b.xlsx"]).stdout
        #expect(lines.contains("\"unit\": \"kronor\"") && lines.contains("\"amount\": 2000000"))
        #expect(!lines.contains("Källfil") && !lines.contains("Skapad av"))
    }

    /// A table titled in thousands is exported in kronor; imported again, the export gives the
    /// same amounts in both layouts: neither its title nor its file's name in the provenance
    /// block (`… (tkr)`, `tkr.csv`) is taken for the unit of the kronor written below it.
    @Test func anExportedTableInThousandsImportsAsTheSameKronor() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        Tool.write(dir + "/tkr.csv", "Budget 2025 (tkr)\n\nPost,Belopp\nLokaler,1200\nPersonal,2500\nSumma,3700\n")
        #expect(try Tool.run("anslag-import", [dir + "/tkr.csv", "-o", dir + "/b.json"]).status == 0)
        for layout in ["long", "per-table"] {
            #expect(try Tool.run("anslag-export", [dir + "/b.json", "--layout", layout, "-o", dir + "/\(layout).xlsx"]).status == 0)
            let r = try Tool.run("anslag-import", [dir + "/\(layout).xlsx"])
            #expect(r.status == 0, "\(r.stderr)")
            // 1 200 tkr = 1 200 000 kr, 2 500 tkr, 3 700 tkr; never a thousand times that.
            for amount in ["1200000", "2500000", "3700000"] { #expect(r.stdout.contains("\"amount\": \(amount),"), "\(layout): \(amount)") }
            #expect(!r.stdout.contains("\"amount\": 1200000000"), "\(layout)")
            #expect(r.stdout.contains("\"unit\": \"kronor\""), "\(layout)")
        }
    }

    @Test func aFindingsReportExportsToXlsxCsvAndJson() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        _ = try Tool.run("anslag-import", [Tool.fixture("budget/matrix-wrong.xlsx"), "--report", "json", "-o", dir + "/r.json"])
        let json = try Tool.run("anslag-export", [dir + "/r.json", "--to", "json"])
        #expect(json.status == 0)
        #expect(json.stdout == String(decoding: try FileInput.read(path: dir + "/r.json"), as: UTF8.self))
        let csv = try Tool.run("anslag-export", [dir + "/r.json", "--to", "csv"])
        #expect(csv.stdout.contains("change-mismatch,error,\(Tool.fixture("budget/matrix-wrong.xlsx")),Översikt,C4,310000,300000,10000,C3 − C2,"))
        #expect(try Tool.run("anslag-export", [dir + "/r.json", "-o", dir + "/r.xlsx"]).status == 0)
        let back = try openSpreadsheet(.path(dir + "/r.xlsx")).sheet(at: 0)
        #expect(back.name == "Fynd")
        // The provenance block on top: the counts, the file the findings are about, the tool.
        #expect(back["A2"]?.value == .string("Källfil: \(Tool.fixture("budget/matrix-wrong.xlsx"))"))
        #expect(back["A3"].map { "\($0.value)".contains("Skapad av anslag-export ") } == true)
        #expect(back["A5"]?.value == .string("Allvarlighet"))
        // Errors first (issue 15), then warnings and info; both kinds of discrepancy listed.
        let codes = back.rows.dropFirst(5).map { $0.count > 1 ? $0[1].value : .empty }
        #expect(codes.contains(.string("sum-mismatch")) && codes.contains(.string("change-mismatch")))
        let severities = back.rows.dropFirst(5).map { $0.first?.value ?? .empty }
        #expect(severities.first == .string("fel"))
        #expect(Array(severities.drop { $0 == .string("fel") }).allSatisfy { $0 != .string("fel") })
        // A report whose "valid" contradicts its findings is refused, naming the path.
        let text = String(decoding: try FileInput.read(path: dir + "/r.json"), as: UTF8.self).replacingFirst("\"valid\": false", with: "\"valid\": true")
        Tool.write(dir + "/bad.json", text)
        let bad = try Tool.run("anslag-export", [dir + "/bad.json"])
        #expect(bad.status == 2)
        #expect(bad.stderr == "anslag-export: \(dir)/bad.json: $.valid: the report has error findings, so it is not valid\n")
    }
}

extension String {
    func replacingFirst(_ a: String, with b: String) -> String {
        guard let r = firstRange(of: a) else { return self }
        var s = self
        s.replaceSubrange(r, with: b)
        return s
    }
}

/// "Valid" means something was checked: files that are not tables are refused with exit 2 and
/// one line saying what they are, wherever they come from; tables in text files are still read.
@Suite("anslag-import refuses what is not a table")
struct NotATableEndToEndTests {
    @Test(arguments: [
        ("README.md", "a text document (.md), not a table"),
        ("Package.swift", "program source (.swift), not a table"),
        ("Scripts/test", "a script (it starts with #!), not a table"),
        ("Fixtures/budget/odd-total-layout.yaml", "a YAML file (.yaml), not a table: a rule or layout file is given as such, not read as a budget"),
        ("Fixtures/scb/api-v1.jsonstat.json", "a JSON file (.json), not a spreadsheet"),
        ("Fixtures/scb/blekinge-cp1252.px", "a PX file (SCB statistics), not a budget spreadsheet"),
    ])
    func refusedByName(_ file: String, _ what: String) throws {
        let path = Tool.root + "/" + file
        let r = try Tool.run("anslag-import", [path])
        #expect(r.status == 2)
        #expect(r.stdout == "")
        #expect(r.stderr == "anslag-import: \(path): \(what)\n")
    }

    @Test func refusedByContentOnStandardInput() throws {
        let cases: [(String, String)] = [
            ("# Budget\n\nSome prose.\n", "a text document (a Markdown heading on the first line), not a table"),
            ("{\"kind\": \"budget\"}\n", "a JSON file, not a spreadsheet"),
            ("#!/bin/sh\necho hej\n", "a script (it starts with #!), not a table"),
            ("rules:\n  - name: bas\n    total: 100\n", "a YAML file (key: value lines), not a table"),
            ("CHARSET=\"ANSI\";\nAXIS-VERSION=\"2000\";\nMATRIX=\"BE0101\";\n", "a PX file (SCB statistics), not a budget spreadsheet"),
            ("<!DOCTYPE html>\n<html><table></table></html>\n", "an HTML file, not a spreadsheet; open it in a spreadsheet program and save it as .xlsx"),
        ]
        for (text, what) in cases {
            let r = try Tool.run("anslag-import", ["-"], stdin: text)
            #expect(r.status == 2, "\(text)")
            #expect(r.stderr == "anslag-import: <stdin>: \(what)\n")
        }
    }

    @Test func anHTMLPageNamedXlsSaysSo() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let path = dir + "/budget.xls"
        Tool.write(path, "<html><body><table><tr><td>Summa</td><td>1</td></tr></table></body></html>\n")
        let r = try Tool.run("anslag-import", [path])
        #expect(r.status == 2)
        #expect(r.stderr == "anslag-import: \(path): named .xls but an HTML file, not a spreadsheet; open it in a spreadsheet program and save it as .xlsx\n")
    }

    @Test func delimitedTextIsStillATable() throws {
        let csv = "Post;Belopp\nLöner;100\nHyror;50\nSumma;151\n"
        let r = try Tool.run("anslag-import", ["-", "--report", "text"], stdin: csv)
        #expect(r.status == 1)
        #expect(r.stdout.contains("sum-mismatch"))
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        Tool.write(dir + "/budget.txt", csv)
        #expect(try Tool.run("anslag-import", [dir + "/budget.txt", "--report", "text"]).status == 1)
    }
}
