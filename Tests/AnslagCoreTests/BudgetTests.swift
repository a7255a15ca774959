import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import AnslagCore

/// The findings of a budget fixture, as "severity code 'sheet'!cell stated computed".
private func findings(_ file: String, layout: String? = nil, tolerance: Money = .zero) throws -> [String] {
    var options = BudgetRecognizer.Options(tolerance: tolerance)
    if let layout { options.layout = try LayoutFile.read(path: fixture("budget/" + layout)) }
    let r = try BudgetRecognizer(options: options).read(try open("budget/" + file))
    return r.findings.filter { $0.severity != .info }.map {
        "\($0.severity.rawValue) \($0.code) \($0.location) \($0.stated.map { "\($0)" } ?? "-") \($0.computed.map { "\($0)" } ?? "-")"
    }
}

private func budget(_ file: String) throws -> Budget {
    try BudgetRecognizer().read(try open("budget/" + file)).budget
}

@Suite("anslag-import: budget recognition and checks")
struct BudgetRecognitionTests {
    // No false alarms: every correct fixture has no error or warning findings.
    @Test(arguments: ["list-ok.xlsx", "sectioned-ok.xlsx", "matrix-ok.xlsx", "allocation-ok.xlsx"])
    func correctWorkbooksHaveNoFindings(_ file: String) throws {
        #expect(try findings(file) == [])
    }

    // Its total row is labelled so that only a layout file finds it: without one, nothing is
    // checked, and the import says so instead of calling the file valid.
    @Test func aWorkbookWithNoTotalSaysNothingWasChecked() throws {
        let r = try BudgetRecognizer().read(try open("budget/odd-total.csv"))
        #expect(r.findings.filter { $0.severity != .info }.map(\.code) == [.noTotalFound])
    }

    // The mistakes Scripts/fixtures/budget_fixtures.c made, and nothing else.

    @Test func lineItems() throws {
        #expect(try findings("list-wrong.xlsx") == [
            "error sum-mismatch 'Budget 2024'!B9 4 550 001 kr 4 550 000 kr",
            "error sum-mismatch 'Budget 2024'!B18 18 368 834,50 kr 18 367 834,50 kr",
        ])
    }

    @Test func sectionsInThousands() throws {
        #expect(try findings("sectioned-wrong.xlsx") == ["error sum-mismatch 'Fördelning'!B7 31 001 000 kr 31 000 000 kr"])
    }

    @Test func matrixTotalsAndChanges() throws {
        #expect(try findings("matrix-wrong.xlsx") == [
            "error sum-mismatch 'Översikt'!F3 10 999 999 kr 11 000 000 kr",
            "error change-mismatch 'Översikt'!C4 310 000 kr 300 000 kr",
            "error change-mismatch 'Översikt'!D9 95 000 kr 100 000 kr",
        ])
    }

    @Test func allocationResidualAndWrongTotal() throws {
        #expect(try findings("allocation-wrong.xlsx") == [
            "warning allocation-residual 'Fördelning 2024'!B5 10 000 000 kr 9 999 999 kr",
            "error sum-mismatch 'Fördelning 2024'!B13 3 383 334 kr 3 333 334 kr",
        ])
    }

    /// The same workbooks as LibreOffice saves them (xlsx, and ods with OpenFormula SUMs) and as
    /// openpyxl writes them: the same findings (code, cell, stated, computed), and none on the
    /// correct ones; the totals add up the same cells.
    @Test(arguments: [("libreoffice", "xlsx"), ("openpyxl", "xlsx"), ("libreoffice", "ods")])
    func otherWritersOfTheSameWorkbooks(_ writer: String, _ ext: String) throws {
        for name in ["list", "sectioned", "matrix", "allocation"] {
            #expect(try findings("\(writer)/\(name)-ok.\(ext)") == [], "\(writer) \(name)-ok.\(ext)")
            #expect(try findings("\(writer)/\(name)-wrong.\(ext)") == (try findings("\(name)-wrong.xlsx")), "\(writer) \(name)-wrong.\(ext)")
            let sums = { (b: Budget) in b.tables.flatMap { $0.lines.compactMap(\.sumOf) } }
            #expect(sums(try budget("\(writer)/\(name)-wrong.\(ext)")) == sums(try budget("\(name)-wrong.xlsx")), "\(writer) \(name)-wrong.\(ext)")
        }
    }

    /// A total's SUM formula says which cells it adds, in Excel's and in OpenFormula's syntax:
    /// here it leaves out the last line on purpose, and states what it adds.
    @Test(arguments: ["SUM(B2:B3)", "SUM([.B2:.B3])", "[.B2]+[.B3]"])
    func aSumFormulaNamesWhatItAdds(_ formula: String) throws {
        let rows: [[Cell]] = [
            [Cell(.string("Post")), Cell(.string("Belopp"))],
            [Cell(.string("Lön")), Cell(.number(100))],
            [Cell(.string("Hyra")), Cell(.number(50))],
            [Cell(.string("Resor")), Cell(.number(7))],
            [Cell(.string("Summa")), Cell(.number(150), formula: formula)],
        ]
        let r = BudgetRecognizer().read(Workbook(sheets: [Sheet(info: SheetInfo(name: "S", state: .visible), rows: rows)]), file: "s")
        #expect(r.findings.filter { $0.severity != .info }.isEmpty)
        #expect(r.budget.tables.first?.lines.last?.sumOf == "B2:B3" || r.budget.tables.first?.lines.last?.sumOf == "B2,B3")
    }

    @Test func oneKronaOffSaysRoundingAndToleranceSoftensIt() throws {
        let r = try BudgetRecognizer().read(try open("budget/matrix-wrong.xlsx"))
        #expect(r.findings.first { $0.cell == "F3" }?.message.hasSuffix("a difference of exactly 1 kr looks like rounding") == true)
        #expect(try findings("matrix-wrong.xlsx", tolerance: Money(kronor: 1)) == [
            "error change-mismatch 'Översikt'!C4 310 000 kr 300 000 kr",
            "error change-mismatch 'Översikt'!D9 95 000 kr 100 000 kr",
        ])
        let t = try BudgetRecognizer().read(try open("budget/sectioned-wrong.xlsx"))
        #expect(t.findings.first?.message.hasSuffix("a difference of exactly 1 tkr looks like rounding") == true)
    }

    @Test func aLayoutFileNamesTheTotalAndTheUnit() throws {
        #expect(try findings("odd-total.csv", layout: "odd-total-layout.yaml") == ["error sum-mismatch 'odd-total'!B4 360 000 kr 350 000 kr"])
    }

    // What the normalized budget holds.

    @Test func linesKnowTheirCellRoleAndUnit() throws {
        let b = try budget("sectioned-ok.xlsx")
        #expect(b.tables.count == 1)
        let t = b.tables[0]
        #expect(t.layout == .sectioned && t.unit == .tkr && t.unitSource == "\"Angivet i tusental kronor\" in A1")
        #expect(t.lines.first == BudgetLine(label: "Region Stockholm", amount: Money(kronor: 12_500_000), cell: "'Fördelning'!B4", role: .line))
        #expect(t.lines.map(\.role) == [.line, .line, .line, .subtotal, .heading, .line, .line, .line, .line, .subtotal, .total])
        #expect(t.lines.last?.sumOf == "B7,B14")
    }

    @Test func textAmountsNotesAndHiddenSheets() throws {
        let b = try budget("list-ok.xlsx")
        let costs = try #require(b.tables.first { $0.title == "Kostnader 2025" })
        #expect(costs.lines.compactMap(\.amount) == [Money(kronor: 2_000_000), Money(kronor: 4_321_000), Money(kronor: -300_000),
                                                     Money(ore: 123_450), Money(kronor: 12_345_600), Money(ore: 1_836_783_450)])
        #expect(costs.lines.last?.role == .note)
        #expect(costs.lines.last?.text == "Respektive part har fått medel enligt beslut")
        let hidden = try #require(b.tables.first { $0.sheet == "Dold" })
        #expect(hidden.hidden)
        #expect(b.sheets.map(\.state) == [.visible, .hidden])
    }

    @Test func aTitleAboveTheHeaderTitlesTheTable() throws {
        let t = try #require(try budget("list-ok.xlsx").tables.first)
        #expect(t.title == "Budget 2024 – Regional utveckling (kr)")
        #expect(t.range == "A1:B9")
        #expect(t.header.map(\.text) == ["Post", "Belopp"])
        #expect(t.lines.first?.label == "Lokaler")
        // Areas belong to matrices: a list's header names its amount column, not an area.
        #expect(t.lines.allSatisfy { $0.area == nil })
    }

    /// A header, then section headings with their lines and subtotals, a grand total: one
    /// sectioned table with the header and the title above it, the first heading a heading.
    @Test(arguments: [150, 151])
    func headerFollowedBySectionHeadings(_ stated: Int) throws {
        func row(_ cells: CellValue...) -> [Cell] { cells.map { Cell($0) } }
        func s(_ t: String) -> CellValue { .string(t) }
        func n(_ v: Double) -> CellValue { .number(v) }
        let rows: [[Cell]] = [
            row(s("Budget 2025")), [], row(s("Post"), s("Belopp")),
            row(s("Verksamhet 1")), row(s("Lön"), n(100)), row(s("Hyra"), n(50)), row(s("Summa"), n(Double(stated))), [],
            row(s("Verksamhet 2")), row(s("Resor"), n(20)), row(s("Summa"), n(20)), [],
            row(s("Totalt"), n(Double(stated) + 20)),
        ]
        let r = BudgetRecognizer().read(Workbook(sheets: [Sheet(info: SheetInfo(name: "B", state: .visible), rows: rows)]), file: "b.xlsx")
        #expect(r.budget.tables.count == 1)
        let t = try #require(r.budget.tables.first)
        #expect(t.title == "Budget 2025" && t.range == "A1:B13" && t.layout == .sectioned)
        #expect(t.header == [BudgetColumn(column: "A", text: "Post"), BudgetColumn(column: "B", text: "Belopp")])
        #expect(t.lines.map(\.role) == [.heading, .line, .line, .subtotal, .heading, .line, .subtotal, .total])
        #expect(t.lines.map(\.label) == ["Verksamhet 1", "Lön", "Hyra", "Summa", "Verksamhet 2", "Resor", "Summa", "Totalt"])
        let errors = r.findings.filter { $0.severity == .error }.map { "\($0.code) \($0.cell ?? "") \($0.stated.map { "\($0)" } ?? "") \($0.computed.map { "\($0)" } ?? "")" }
        #expect(errors == (stated == 150 ? [] : ["sum-mismatch B7 151 kr 150 kr"]))
    }

    @Test func matrixLinesHaveYearAndArea() throws {
        let t = try budget("matrix-ok.xlsx").tables[0]
        #expect(t.layout == .matrix)
        #expect(t.lines[1] == BudgetLine(label: "2023", amount: Money(kronor: 4_500_000), cell: "'Översikt'!C2", role: .line, year: 2023, area: "GR",
                                         column: BudgetLine.Column(head: "GR", year: nil, kind: nil)))
        #expect(t.lines.filter { $0.role == .change }.count == 5)
    }

    @Test(arguments: ["list-wrong.xlsx", "sectioned-ok.xlsx", "matrix-wrong.xlsx", "allocation-wrong.xlsx"])
    func budgetJSONReadsBackToTheSameModel(_ file: String) throws {
        let b = try budget(file)
        guard case .budget(let back) = try NormalizedJSON.read(bytes: BudgetWriter.json(b).bytes(), file: "b.json") else {
            Issue.record("not read back as a budget"); return
        }
        #expect(back == b)
    }

    @Test func totalWordsAndUnits() {
        for label in ["Summa", "Totalt", "Total", "Summa kostnader", "Totalt regioner", "summa:"] {
            #expect(BudgetRecognizer.isTotalLabel(TextFold.fold(label)), "\(label)")
        }
        for label in ["Summering av läget", "Totalförsvar", "SUM", "Resultat"] {
            #expect(!BudgetRecognizer.isTotalLabel(TextFold.fold(label)), "\(label)")
        }
        #expect(BudgetRecognizer.unit(in: "Angivet i tusental kronor") == .tkr)
        #expect(BudgetRecognizer.unit(in: "Belopp (tkr)") == .tkr)
        #expect(BudgetRecognizer.unit(in: "Belopp, mnkr") == .mnkr)
        #expect(BudgetRecognizer.unit(in: "Kronor") == .kronor)
        #expect(BudgetRecognizer.unit(in: "Medel 2023 i kronor") == .kronor)
        #expect(BudgetRecognizer.unit(in: "Tillskott, mdkr") == .mdkr)
        #expect(BudgetRecognizer.unit(in: "2018-01-01-2018-12-31 (MKR)") == .mnkr)
        #expect(BudgetRecognizer.unit(in: "Totalt ska 490 miljoner kronor betalas ut") == nil)
        #expect(BudgetRecognizer.unit(in: "Belopp i 1 000 kr") == .tkr)
        #expect(BudgetRecognizer.unit(in: "Utjämning, kr per invånare") == nil)
        #expect(FormulaRefs.signedTerms("=SUM(B4:B8)-B10+B12")?.map { "\($0.negative ? "-" : "+")\($0.range.a1)" } == ["+B4:B8", "-B10", "+B12"])
        #expect(FormulaRefs.signedTerms("=B5*2") == nil)
        #expect(BudgetRecognizer.years(in: "Förändring 2023–2024") == [2023, 2024])
        #expect(FormulaRefs.sumReferences("SUM(B4:B11)")?.map(\.a1) == ["B4:B11"])
        #expect(FormulaRefs.sumReferences("=SUM($B$4:$B$6;B9)")?.map(\.a1) == ["B4:B6", "B9"])
        #expect(FormulaRefs.sumReferences("B4+B5+B6")?.map(\.a1) == ["B4", "B5", "B6"])
        #expect(FormulaRefs.sumReferences("B4-B5") == nil)
        #expect(FormulaRefs.sumReferences("SUM(Blad2!B4:B6)") == nil)
    }
}

@Suite("Budget JSON as a stream")
struct BudgetStreamTests {
    static func temp(_ text: String) -> String {
        let path = "/tmp/anslag-stream-\(text.utf8.count)-\(text.hashValue & 0xffff).json"
        let f = fopen(path, "wb")!
        fputs(text, f); fclose(f)
        return path
    }

    @Test(arguments: ["list-wrong.xlsx", "sectioned-ok.xlsx", "matrix-wrong.xlsx", "allocation-wrong.xlsx"])
    func theStreamReadsWhatTheWholeReaderReads(_ file: String) throws {
        let b = try BudgetRecognizer().read(try open("budget/" + file)).budget
        let path = Self.temp(BudgetWriter.json(b).text())
        defer { unlink(path) }
        var sheets: [SheetInfo] = [], name = ""
        var tables: [BudgetTable] = []
        try BudgetJSONStream(path: path).readConcurrently(batchSize: 3) { e in
            switch e {
            case .sheets(let s, let f): sheets = s; name = f
            case .table(let h): tables.append(h.table)
            case .line(let l): tables[tables.count - 1].lines.append(l)
            }
        }
        #expect(Budget(file: name, sheets: sheets, tables: tables) == b)
    }

    @Test func escapesAndOddLinesFallBackToTheFullParser() throws {
        // A label with an escape and members in another order are read by the general parser.
        let json = #"{"kind": "budget", "version": 1, "file": "f.xlsx", "sheets": [{"name": "A", "state": "visible"}], "tables": [{"sheet": "A", "hidden": false, "layout": "list", "title": null, "range": "A1:B3", "unit": "kronor", "unit_source": null, "header": [], "lines": [{"role": "line", "label": "Tab\there", "amount": 12.5, "cell": "'A'!B1", "year": null, "area": null, "key": null, "sum_of": null, "text": null}, {"label": "Summa", "amount": 12.50, "cell": "'A'!B2", "role": "total", "year": null, "area": null, "key": null, "sum_of": "B1", "text": null}]}]}"#
        let path = Self.temp(json)
        defer { unlink(path) }
        var lines: [BudgetLine] = []
        try BudgetJSONStream(path: path).read(sheets: { _, _ in }, table: { _ in }, line: { lines.append($0) })
        #expect(lines.map(\.label) == ["Tab\there", "Summa"])
        #expect(lines.map(\.amount) == [Money(ore: 1250), Money(ore: 1250)])
    }

    @Test func badLinesNameTheirPath() throws {
        let json = #"{"kind": "budget", "version": 1, "file": "f.xlsx", "sheets": [], "tables": [{"sheet": "A", "hidden": false, "layout": "list", "title": null, "range": "A1:B3", "unit": "kronor", "unit_source": null, "header": [], "lines": [{"label": "x", "amount": 1.001, "cell": "'A'!B1", "role": "line"}]}]}"#
        let path = Self.temp(json)
        defer { unlink(path) }
        #expect(throws: ReadError.malformed(file: path, part: "$.tables[0].lines[0].amount", detail: "1.001 is not an exact amount in kronor (at most two decimals)")) {
            try BudgetJSONStream(path: path).read(sheets: { _, _ in }, table: { _ in }, line: { _ in })
        }
    }
}

/// The pieces the recognizer was made fast with, each against the plain version it replaced.
@Suite("anslag-import: fast paths agree with the plain ones")
struct BudgetFastPathTests {
    /// Rows streamed from the reader (cells classified as they come) and rows of a sheet read
    /// whole give the same tables and findings, for every budget fixture and re-saved copy.
    @Test(arguments: ["list-ok.xlsx", "list-wrong.xlsx", "sectioned-ok.xlsx", "sectioned-wrong.xlsx", "matrix-ok.xlsx",
                      "matrix-wrong.xlsx", "allocation-ok.xlsx", "allocation-wrong.xlsx", "odd-total.csv",
                      "libreoffice/sectioned-wrong.xlsx", "libreoffice/matrix-wrong.xlsx", "openpyxl/allocation-wrong.xlsx"])
    func streamedEqualsWhole(_ file: String) throws {
        let reader = try open("budget/" + file)
        let streamed = try BudgetRecognizer().read(reader)
        let whole = BudgetRecognizer().read(try reader.workbook(), file: reader.file)
        #expect(streamed.budget == whole.budget)
        #expect(streamed.findings == whole.findings)
        #expect(!streamed.budget.tables.isEmpty)
    }

    /// The streamed budget JSON is byte for byte what the JSON tree prints, for every fixture
    /// and for the shapes printed inline (no tables, a table without lines or header).
    @Test func streamedBudgetJSONEqualsTree() throws {
        var budgets = try ["list-wrong.xlsx", "sectioned-wrong.xlsx", "matrix-wrong.xlsx", "allocation-wrong.xlsx", "odd-total.csv",
                           "libreoffice/matrix-ok.xlsx"].map { try BudgetRecognizer().read(try open("budget/" + $0)).budget }
        var odd = budgets[2]
        odd.file = "a \"quoted\" \\ name\n"
        odd.tables[0].lines = []
        odd.tables[1].header = []
        odd.tables[1].lines[0].cell = "'Blad \"1\"'!B2"
        odd.tables[1].lines[1].amount = Money(ore: -12_345)
        odd.tables.append(BudgetTable(sheet: "S", hidden: true, layout: .list, title: nil, range: "A1:A1", unit: .tkr, unitSource: nil, header: [], lines: []))
        budgets += [odd, Budget(file: "empty", sheets: [], tables: []), Budget(file: "x", sheets: [SheetInfo(name: "S", state: .hidden)], tables: [])]
        for b in budgets {
            let sink = try CollectingSink()
            try BudgetWriter.writeJSON(b, to: sink.sink)
            let streamed = try sink.bytes()
            #expect(streamed == BudgetWriter.json(b).bytes(), "\(b.file)")
        }
        #expect(budgets[0].tables.contains { !$0.lines.isEmpty })
    }

    @Test func asciiFoldEqualsCharacterFold() {
        let alphabet = Array("abcXYZ019 -\t:åÅ\r\n".utf8.filter { $0 < 0x80 })
        var seed: UInt64 = 42
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            for _ in 0..<Int(seed >> 60) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(alphabet[Int(seed >> 33) % alphabet.count])
            }
            let s = String(decoding: bytes, as: UTF8.self)
            #expect(TextFold.foldASCII(s) == TextFold.foldCharacters(s), "\(Array(s.utf8))")
        }
        #expect(TextFold.foldASCII("Förändring") == nil)
        #expect(TextFold.fold("  Summa -  kostnader ") == "summa kostnader")
    }

    @Test func yearsAndKeys() {
        #expect(ScanCell.year("2023") == 2023)
        #expect(ScanCell.year(" 2024\u{A0}") == 2024)
        for t in ["20 23", "1899", "2201", "2023a", "År 2023", "12345", ""] { #expect(ScanCell.year(t) == nil, "\(t)") }
        for t in ["efter befolkningsstorlek", "Lika delar", "1/3", "25 %", "enligt Befolkning 2023"] { #expect(BudgetRecognizer.looksLikeKey(t), "\(t)") }
        for t in ["enligt beslut", "", "befolk", "Efte"] { #expect(!BudgetRecognizer.looksLikeKey(t), "\(t)") }
    }

    @Test func formulaReferences() {
        #expect(FormulaRefs.sumReferences(" = summa( b4 : b6 )")?.map(\.a1) == ["B4:B6"])
        #expect(FormulaRefs.sumReferences("SUM(B6:B4,C3)")?.map(\.a1) == ["B4:B6", "C3"])
        #expect(FormulaRefs.sumReferences("SUM(B4:B6)+1") == nil)
        #expect(FormulaRefs.sumReferences("SUM(B4:B6)*2") == nil)
        #expect(FormulaRefs.sumReferences("SUM(ROUND(B4,0))") == nil)
        #expect(FormulaRefs.sumReferences("SUM()") == nil)
        #expect(FormulaRefs.sumReferences("B4+4") == nil)
        #expect(FormulaRefs.sumReferences("SUM(XFE1)") == nil)
        // OpenFormula, as ODS stores it (without "of:=").
        #expect(FormulaRefs.sumReferences("SUM([.B4:.B8])")?.map(\.a1) == ["B4:B8"])
        #expect(FormulaRefs.sumReferences("SUM([.$B$4:.$B$6];[.B9])")?.map(\.a1) == ["B4:B6", "B9"])
        #expect(FormulaRefs.sumReferences("[.B4]+[.B5]")?.map(\.a1) == ["B4", "B5"])
        #expect(FormulaRefs.sumReferences("SUM([$Blad2.B4:.B8])") == nil)
        #expect(FormulaRefs.sumReferences("SUM([Blad2.B4])") == nil)
        #expect(FormulaRefs.sumReferences("SUM([.B4:.B8)") == nil)
        #expect(FormulaRefs.sumReferences("SUM(.B4])") == nil)
    }

    @Test func budgetLineCellText() {
        for cell in ["'Område 1'!B5", "'Bob''s'!AA100", "Blad1!C7", "'S'!$B$5", "", "utan cell", "'S'!"] {
            var l = BudgetLine(label: "x", amount: nil, cell: cell, role: .line)
            #expect(l.cell == cell)
            l.cell = cell
            #expect(l.cell == cell)
        }
        #expect(BudgetLine(label: "x", amount: nil, cell: "'Område 1'!B5", role: .line).position == CellPosition(row: 4, column: 1))
        #expect(BudgetLine(label: "x", amount: nil, cell: "'Område 1'!B5", role: .line)
                == BudgetLine(label: "x", amount: nil, sheet: "'Område 1'!", at: CellPosition(row: 4, column: 1), role: .line))
    }

    @Test func columnMapAndMoveOut() {
        var m: ColumnMap<[Int]> = [:]
        m[5, default: []].append(1)
        m[2, default: []].append(2)
        m[5, default: []].append(3)
        #expect(m.map(\.key) == [2, 5])
        #expect(m[5] == [1, 3] && m[9] == nil && m.count == 2)
        m[5] = nil
        #expect(m.count == 1 && !m.isEmpty)
        // Columns far right go to the dictionary: no 16 384 array slots for one value in XFD.
        m[16_383, default: []].append(7)
        m[100] = [8]
        #expect(m.denseSlots <= ColumnMap<[Int]>.dense)
        #expect(m.map(\.key) == [2, 100, 16_383] && m[16_383] == [7] && m.count == 3)
        m[16_383] = nil
        #expect(m.count == 2 && m[16_383] == nil)

        var a = ["a", "b", "c", "d"].map { $0 + String(repeating: "-", count: 20) }   // heap strings
        let out = a.moveOut(1..<3, filler: "")
        #expect(out == ["b", "c"].map { $0 + String(repeating: "-", count: 20) })
        #expect(a.map(\.count) == [21, 0, 0, 21])
        #expect(a.moveOut(2..<2, filler: "") == [])
    }
}
