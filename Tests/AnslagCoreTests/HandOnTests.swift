import Testing
@testable import AnslagCore

/// Issue 15: workbooks a finance person can hand on.
@Suite("workbooks to hand on")
struct HandOnTests {
    func entries(_ path: String) throws -> [String: [UInt8]] {
        let zip = try ZipArchive(file: path, path: path, data: nil, limits: .default)
        var out: [String: [UInt8]] = [:]
        for n in zip.names { out[n] = try zip.read(n) }
        return out
    }

    func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

    @Test func numberFormatsGroupWithTheReadersSeparator() throws {
        let path = temporaryPath("formats.xlsx")
        let book = try XlsxWorkbook(path: path)
        let ws = try book.addSheet("A")
        try ws.write(0, 0, number: 1_500_000, .kronor)
        try ws.write(1, 0, number: 6_469_843.33, .decimal)
        try ws.write(2, 0, number: 2_344_124, .integer)
        try book.close()
        let styles = text(try entries(path)["xl/styles.xml"])
        #expect(styles.contains("formatCode=\"#,##0 &quot;kr&quot;\""))
        #expect(styles.contains("formatCode=\"#,##0.00\""))
        #expect(styles.contains("formatCode=\"#,##0\""))
        #expect(!styles.contains("# ##0"))
    }

    func annotatedListWrong() throws -> (original: [String: [UInt8]], annotated: [String: [UInt8]], path: String, report: FindingsReport) {
        let source = fixture("budget/list-wrong.xlsx")
        let result = try BudgetRecognizer().read(try open("budget/list-wrong.xlsx"))
        let report = FindingsReport(file: source, findings: result.findings, tables: result.budget.tables.count)
        let path = temporaryPath("annotated.xlsx")
        try XlsxAnnotator.write(.path(source), report: report, to: path)
        return (try entries(source), try entries(path), path, report)
    }

    @Test func theReportIsTheOriginalPackageWithOnlyWhatMustChange() throws {
        let (original, annotated, _, report) = try annotatedListWrong()
        #expect(report.errors == 2)
        let edited: Set<String> = ["[Content_Types].xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                   "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"]
        for (name, bytes) in original where !edited.contains(name) {
            #expect(annotated[name] == bytes, "\(name) changed")
        }
        // In the sheets only style indexes changed and a legacy drawing was added.
        for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
            let before = text(original[sheet]), after = text(annotated[sheet])
            #expect(before.count("<f>") == after.count("<f>"))
            #expect(after.contains("legacyDrawing"))
        }
        #expect(text(annotated["xl/worksheets/sheet1.xml"]).contains("<f>SUM(B4:B8)</f><v>4550001</v>"))
        #expect(text(annotated["xl/comments1.xml"]).contains("Angiven summa 4\u{A0}550\u{A0}001\u{A0}kr"))
    }

    @Test func flaggedCellsKeepTheirNumberFormatAndFont() throws {
        let (_, annotated, _, _) = try annotatedListWrong()
        let sheet = text(annotated["xl/worksheets/sheet1.xml"])
        guard let r = sheet.firstRange(of: "<c r=\"B9\" s=\"") else { Issue.record("B9 not found"); return }
        let s = Int(sheet[r.upperBound...].prefix { $0.isNumber })!
        let styles = XmlBytes(annotated["xl/styles.xml"]!)
        let xfsTag = styles.startTag("cellXfs", from: 0)!
        let xfs = styles.elements("xf", from: xfsTag.upperBound, to: styles.endTag("cellXfs", from: xfsTag.upperBound)!)
        let xf = styles.bytes[xfs[s]]
        // B9 had xf 2: numFmt 164 (the colleague's own "# ##0 "kr""), font 0; now with fill 2, the red one.
        #expect(XmlBytes.attribute("numFmtId", in: xf) == "164")
        #expect(XmlBytes.attribute("fontId", in: xf) == "0")
        let fillsTag = styles.startTag("fills", from: 0)!
        let fills = styles.elements("fill", from: fillsTag.upperBound, to: styles.endTag("fills", from: fillsTag.upperBound)!)
        let fill = Int(XmlBytes.attribute("fillId", in: xf)!)!
        #expect(String(decoding: styles.bytes[fills[fill]], as: UTF8.self).contains("FFFFC7CE"))
        #expect(text(annotated["xl/styles.xml"]).contains("formatCode=\"# ##0 &quot;kr&quot;\""))
    }

    @Test func theFindingsSheetListsErrorsFirstWithAmountsApart() throws {
        let (_, _, path, report) = try annotatedListWrong()
        let reader = try openSpreadsheet(.path(path))
        #expect(reader.sheets.map(\.name) == ["Budget 2024", "Dold", "Fynd"])
        #expect(reader.sheets[1].state == .hidden)
        let fynd = try reader.sheet(at: 2)
        let rows = values(fynd)
        // The provenance block (the counts: the fixture's two wrong totals and the hidden sheet's
        // assumed unit; the file), a blank row, then the header.
        #expect(rows[0] == [.string("Fynd: 2 fel, 0 varningar, 1 info")])
        #expect(rows[1] == [.string("Källfil: \(fixture("budget/list-wrong.xlsx"))")])
        #expect(rows[2].isEmpty)
        #expect(rows[3].first == .string("Allvarlighet"))
        let severities = rows.dropFirst(4).map { $0[0] }
        let errors = severities.filter { $0 == .string("fel") }.count
        #expect(errors == report.errors)
        #expect(Array(severities.prefix(errors)) == Array(repeating: .string("fel"), count: errors))
        // Stated 4 550 001, computed 4 550 000, difference 1: independent arithmetic on the fixture's lines.
        let b9 = rows.first { $0.count > 6 && $0[3] == .string("B9") }
        #expect(b9?[4] == .number(4_550_001))
        #expect(b9?[5] == .number(1_200_000 + 2_500_000 + 150_000 + 600_000 + 100_000))
        #expect(b9?[6] == .number(1))
    }

    @Test func everyMessageInBothLanguages() {
        for code in FindingCode.allCases {
            for lang in Language.allCases {
                let t = Messages.findings[code]?[lang] ?? ""
                #expect(t.count > 0, "\(code) has no \(lang) message")
            }
        }
        for key in TextKey.allCases {
            for lang in Language.allCases {
                let t = Messages.texts[key]?[lang] ?? ""
                #expect(t.count > 0, "\(key) has no \(lang) text")
            }
        }
    }

    /// The provenance block of a generated sheet: its texts overflow to the right, so a long
    /// file name never widens column A (the Fynd sheet's column A stays as wide as `Allvarlighet`
    /// needs); the tool, version and run date given are written as they are.
    @Test func provenanceTextOverflowsAndNeverWidensColumnA() throws {
        let file = "/" + String(repeating: "mapp/", count: 40) + "budget.xlsx"   // 211 characters
        let report = FindingsReport(file: file, findings: [ReportFinding(code: .sumMismatch, severity: .error, sheet: "B", cell: "B9",
                                    stated: Money(kronor: 2), computed: Money(kronor: 1), message: "m")], tables: 1)
        let path = temporaryPath("provenance.xlsx")
        try ReportWriter.writeXlsx(report, to: path, made: OutputProvenance(tool: "anslag-export", version: "9.9.9", runDate: "2025-12-02"))
        let fynd = try openSpreadsheet(.path(path)).sheet(at: 0)
        #expect(values(fynd)[0] == [.string("Fynd: 1 fel, 0 varningar, 0 info")])
        #expect(values(fynd)[1] == [.string("Källfil: " + file)])
        #expect(values(fynd)[2] == [.string("Skapad av anslag-export 9.9.9, körd 2025-12-02")])
        #expect(values(fynd)[3].isEmpty)
        #expect(values(fynd)[4].first == .string("Allvarlighet"))
        let sheet = text(try entries(path)["xl/worksheets/sheet1.xml"])
        guard let col = sheet.firstRange(of: "<col min=\"1\" max=\"1\" width=\"") else { Issue.record("no width for column A"); return }
        let width = Double(sheet[col.upperBound...].prefix { $0 != "\"" })!
        #expect(width < 20, "column A is \(width) wide")   // "Allvarlighet" + 2 is 14
        // English: the same block in the other language of the catalogue.
        #expect(ReportWriter.provenance(report, made: nil, language: .en).lines.map(\.text) == ["Findings: 1 error, 0 warnings, 0 info", "Source file: " + file])
    }

    @Test func messagesFillTheirFields() {
        let f = ReportFinding(code: .sumMismatch, severity: .error, sheet: "A", cell: "B9", stated: Money(ore: 646_984_333),
                              computed: Money(kronor: 6_469_843), lines: "B4:B8", message: "english")
        #expect(Messages.render(f, .sv) == "Angiven summa 6\u{A0}469\u{A0}843,33\u{A0}kr stämmer inte med raderna B4:B8, som ger 6\u{A0}469\u{A0}843\u{A0}kr; differens 0,33\u{A0}kr.")
        let bare = ReportFinding(code: .sumMismatch, severity: .error, message: "english")
        #expect(Messages.render(bare, .sv) == "Angiven summa stämmer inte med raderna.")
        #expect(Messages.render(f, .en) == "english")
        let persons = ReportFinding(code: .sexSumMismatch, severity: .error, file: "t.csv", place: "line 4",
                                    statedCount: 174_355, computedCount: 174_354, message: "english")
        #expect(persons.location == "t.csv: line 4")
        #expect(Messages.render(persons, .sv) == "Män och kvinnor tillsammans (174\u{A0}354) stämmer inte med angiven totalsumma 174\u{A0}355; differens 1.")
        #expect(Language.fromLocale("sv_SE.UTF-8") == .sv)
        #expect(Language.fromLocale("C") == .en)
    }

    // Per-table sheets are named by a title that fits (31 characters) or by the source sheet's
    // name whole, never cut short: "Driftbudget per nämnd och verksamhet 2025, tkr" (46
    // characters) gives its sheet's "Driftbudget 2025"; a second table of it "Driftbudget 2025 (2)".
    @Test func perTableSheetNamesAreNeverCutShort() throws {
        let line = { (l: String, c: String) in BudgetLine(label: l, amount: Money(kronor: 1), cell: "'Driftbudget 2025'!\(c)", role: .line) }
        let t1 = BudgetTable(sheet: "Driftbudget 2025", hidden: false, layout: .list, title: "Driftbudget per nämnd och verksamhet 2025, tkr",
                             range: "A1:B3", unit: .kronor, unitSource: nil, header: [], lines: [line("A", "B2")])
        let t2 = BudgetTable(sheet: "Driftbudget 2025", hidden: false, layout: .list, title: nil,
                             range: "A5:B6", unit: .kronor, unitSource: nil, header: [], lines: [line("B", "B6")])
        let t3 = BudgetTable(sheet: "Driftbudget 2025", hidden: false, layout: .list, title: "Investeringar",
                             range: "A8:B9", unit: .kronor, unitSource: nil, header: [], lines: [line("C", "B9")])
        let path = temporaryPath("names.xlsx")
        try BudgetXlsxWriter.write(Budget(file: "b.xlsx", sheets: [], tables: [t1, t2, t3]), to: path, layout: .perTable)
        let book = text(try entries(path)["xl/workbook.xml"])
        let names = book.split(separator: "<sheet name=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(names == ["Driftbudget 2025", "Driftbudget 2025 (2)", "Investeringar"])
    }

    // The key of every level in Swedish for the workbook; the JSON keeps the English grammar.
    @Test func allocationKeysReadInSwedish() throws {
        #expect(Messages.keyText("proportional to population aged 0-25 at 2023M10, after a base of 5 000 000 kr each (2 exceptions)")
                == "efter befolkning 0-25 år vid 2023M10, efter ett grundbelopp på 5 000 000 kr var (2 undantag)")
        #expect(Messages.keyText("fixed amounts first (2 000 000 kr), then proportional to population women")
                == "fasta belopp först (2 000 000 kr), sedan efter befolkning, kvinnor")
        #expect(Messages.keyText("fixed 1 000 000 kr per recipient (1 exception)") == "fast belopp 1 000 000 kr per mottagare (1 undantag)")
        #expect(Messages.keyText("equal shares") == "lika delar")
        #expect(Messages.keyText("shares as written") == "andelar enligt regeln")
        #expect(Messages.keyText("proportional to invanare in basis-small.csv") == "i proportion till invanare i basis-small.csv")
        #expect(Messages.keyText("proportional to population civilstand=ogifta at 2023") == "efter befolkning, civilstand=ogifta vid 2023")
        // Outside the grammar: kept whole, never half translated.
        #expect(Messages.keyText("proportional to population by magic") == "proportional to population by magic")
        #expect(Messages.keyText("equal shares", .en) == "equal shares")
        // Every key the allocator writes for the rule fixtures reads in Swedish.
        for file in ["nested.yaml", "base-rest.yaml", "shares.yaml", "fixed-first.yaml", "floor-residual.yaml", "kommuner-in.yaml",
                     "equal-thirds.yaml", "fixed-exceptions.yaml", "column-basis.yaml", "age-band.yaml"] {
            for n in try AllocationRoundTripTests.allocate(file).rules.flatMap(\.levels) {
                let sv = Messages.keyText(n.key)
                #expect(sv != n.key, "\(file): \(n.key)")
                #expect(!["proportional", "after a base", "exception", "recipient", "shares", " aged "].contains { sv.contains($0) }, "\(file): \(sv)")
            }
        }
    }

    @Test func aWrongStatedTotalIsExportedAsItsConstant() throws {
        let result = try BudgetRecognizer().read(try open("budget/list-wrong.xlsx"))
        let path = temporaryPath("export.xlsx")
        try BudgetXlsxWriter.write(result.budget, to: path)
        let sheet = try openSpreadsheet(.path(path)).sheet(at: 0)
        let total = sheet.rows.first { $0.count > 1 && $0[1].value == .string("B9") }
        #expect(total?[7].formula == nil)
        #expect(total?[7].value == .number(4_550_001))
        #expect(total?[8].formula?.hasPrefix("SUM(") == true)
        #expect(total?[8].value == .number(4_550_000))
        #expect(total?[9].value == .number(1))
        #expect(total?[2].value == .string("summa"))
    }

    // The export checks a total against the running sums of the lines it spans: a total over
    // two runs (B2:B3 and B5) that agrees gets a live SUM; one that does not keeps its stated
    // value beside the computed one; lines whose sum passes Int64 give the stated value as it
    // is, with no formula and no crash (it used to trap in Money's +).
    @Test func exportedTotalsAreCheckedAgainstTheirLines() throws {
        func line(_ c: String, _ ore: Int64, _ role: BudgetLine.Role = .line, sumOf: String? = nil) -> BudgetLine {
            BudgetLine(label: role == .total ? "Summa" : "Post \(c)", amount: Money(ore: ore), cell: "'B'!\(c)", role: role, sumOf: sumOf)
        }
        func exported(_ lines: [BudgetLine]) throws -> [Cell] {
            let t = BudgetTable(sheet: "B", hidden: false, layout: .list, title: nil, range: "A1:B9", unit: .kronor, unitSource: nil,
                                header: [], lines: lines)
            let path = temporaryPath("sums.xlsx")
            try BudgetXlsxWriter.write(Budget(file: "b.xlsx", sheets: [], tables: [t]), to: path)
            let rows = try openSpreadsheet(.path(path)).sheet(at: 0).rows
            return try #require(rows.first { $0.count > 7 && $0[1].value == .string("B9") })
        }
        let right = try exported([line("B2", 100), line("B3", 250), line("B5", 1_000), line("B9", 1_350, .total, sumOf: "B2:B3,B5")])
        #expect(right[7].formula?.hasPrefix("SUM(") == true && right[7].formula?.contains(",") == true)
        #expect(right[7].value == .number(13.5))
        #expect(right.count <= 8 || right[8].value == .empty)
        let wrong = try exported([line("B2", 100), line("B3", 250), line("B5", 1_000), line("B9", 1_400, .total, sumOf: "B2:B3,B5")])
        #expect(wrong[7].formula == nil && wrong[7].value == .number(14))
        #expect(wrong[8].value == .number(13.5))
        let huge = Int64.max / 2 + 1
        let overflowing = try exported([line("B2", huge), line("B3", huge), line("B9", 100, .total, sumOf: "B2:B3")])
        #expect(overflowing[7].formula == nil && overflowing[7].value == .number(1))
    }
}

extension String {
    func count(_ needle: String) -> Int {
        var n = 0
        var rest = Substring(self)
        while let r = rest.firstRange(of: needle) { n += 1; rest = rest[r.upperBound...] }
        return n
    }
}
