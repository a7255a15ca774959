import Testing
@testable import AnslagCore

/// Fixtures/documents/expected.json: every table's cells and the findings, written by
/// Scripts/fixtures/documents.py from the data it put into the documents.
enum DocumentExpectations {
    struct Sheet { var name: String; var rows: [[String?]]; var merged: [String] }
    struct Finding: Equatable, CustomStringConvertible {
        var code: String, severity: String, sheet: String?, cell: String?, stated: Int64?, computed: Int64?
        var description: String { "\(code) \(severity) \(sheet ?? "-") \(cell ?? "-") \(stated.map(String.init) ?? "-") \(computed.map(String.init) ?? "-")" }
    }
    struct File { var name: String; var sheets: [Sheet]; var findings: [Finding]; var paragraphs: [String]?; var workbook: String?; var error: String? }

    static let all: [String: File] = {
        let bytes = try! FileInput.read(path: fixture("documents/expected.json"))
        let root = try! JSONValue.parse(bytes)
        var out: [String: File] = [:]
        for (name, e) in root["files"]!.members! {
            let sheets = (e["sheets"]?.array ?? []).map { s in
                Sheet(name: s["name"]!.string!,
                      rows: s["rows"]!.array!.map { $0.array!.map { $0.string } },
                      merged: s["merged"]!.array!.map { $0.string! })
            }
            let findings = (e["findings"]?.array ?? []).map { f in
                Finding(code: f["code"]!.string!, severity: f["severity"]!.string!, sheet: f["sheet"]?.string, cell: f["cell"]?.string,
                        stated: f["stated"]?.int.map(Int64.init), computed: f["computed"]?.int.map(Int64.init))
            }
            out[name] = File(name: name, sheets: sheets, findings: findings, paragraphs: e["paragraphs"]?.array?.map { $0.string! },
                             workbook: e["workbook"]?.string, error: e["error"]?.string)
        }
        return out
    }()

    static var readable: [String] { all.values.filter { $0.error == nil }.map(\.name).sorted() }
}

/// A sheet's cells as texts (nil = empty), trailing empties trimmed as in expected.json.
func texts(_ sheet: Sheet) -> [[String?]] {
    sheet.rows.map { row in
        var r: [String?] = row.map { if case .string(let s) = $0.value { return s }; return $0.value.isEmpty ? nil : "\($0.value)" }
        while let last = r.last, last == nil { r.removeLast() }
        return r
    }
}

func findings(_ fs: [ReportFinding]) -> [DocumentExpectations.Finding] {
    fs.filter { $0.code != .unitAssumed }   // the recogniser's own info, outside the documents' scope
        .map { DocumentExpectations.Finding(code: $0.code.rawValue, severity: $0.severity.rawValue, sheet: $0.sheet, cell: $0.cell,
                                            stated: $0.stated?.wholeKronor, computed: $0.computed?.wholeKronor) }
        .sorted { $0.description < $1.description }
}

@Suite("document tables")
struct DocumentReaderTests {
    @Test(arguments: DocumentExpectations.readable)
    func cellsAndMergesAsWritten(_ name: String) throws {
        let e = DocumentExpectations.all[name]!
        let reader = try open("documents/" + name)
        #expect(reader is DocumentReader, "\(name) is read as a document")
        #expect(reader.sheets.map(\.name) == e.sheets.map(\.name))
        for (i, s) in e.sheets.enumerated() where i < reader.sheets.count {
            let sheet = try reader.sheet(at: i)
            #expect(texts(sheet) == s.rows, "\(name) \(s.name)")
            #expect(sheet.merged.map(\.a1).sorted() == s.merged.sorted(), "\(name) \(s.name)")
        }
    }

    @Test(arguments: DocumentExpectations.readable)
    func findingsAsComputedByTheGenerator(_ name: String) throws {
        let e = DocumentExpectations.all[name]!
        guard e.workbook == nil else { return }   // real tables: see the next test
        let result = try BudgetRecognizer().read(try open("documents/" + name))
        #expect(findings(result.findings) == e.findings.sorted { $0.description < $1.description }, "\(name)")
    }

    /// A real table in a document is checked as the same table in its workbook: the same
    /// findings at the same cells (the reader lays the caption lines out as the workbook's rows).
    @Test(arguments: DocumentExpectations.readable.filter { DocumentExpectations.all[$0]!.workbook != nil })
    func realTablesFindAsTheirWorkbooks(_ name: String) throws {
        let e = DocumentExpectations.all[name]!
        let workbookPath = packageRoot + "/../shared/" + e.workbook!
        guard (try? FileInput.head(path: workbookPath, count: 4)) != nil else { return }   // ../shared not beside the project
        let wb = try openSpreadsheet(.path(workbookPath))
        let fromWorkbook = findings(try BudgetRecognizer().read(wb).findings).map { f -> DocumentExpectations.Finding in
            var f = f; f.sheet = e.sheets[0].name; return f
        }
        let fromDocument = findings(try BudgetRecognizer().read(try open("documents/" + name)).findings)
        #expect(fromDocument == fromWorkbook, "\(name)")
        // And the workbook's cells are the document's (as text).
        let sheet = try wb.sheet(at: 0)
        #expect(sheet.rows.count == e.sheets[0].rows.count)
    }

    @Test func paragraphsOutsideTablesTextBoxesAndHeaders() throws {
        for name in ["lista.docx", "sektioner.docx", "fordelning.docx", "sektioner.odt", "lista.odt"] {
            let e = DocumentExpectations.all[name]!
            let reader = try #require(try open("documents/" + name) as? DocumentReader)
            #expect(reader.paragraphs.map(\.text) == e.paragraphs!, "\(name)")
            #expect(!reader.paragraphs.contains { $0.text.contains("Utkast") || $0.text.contains("Dnr") })
        }
        let deck = try #require(try open("documents/matris.pptx") as? DocumentReader)
        #expect(deck.paragraphs == [DocumentParagraph(text: "Totalt fördelas 8 000 000 kr till delregionerna.", location: "Bild 2, stycke 1", tablesBefore: 1)])
    }

    @Test func scannedAndEncryptedPDFsAreRefusedSayingWhy() throws {
        #expect(throws: ReadError.unsupported(file: fixture("documents/skanning.pdf"),
            what: "a PDF without a text layer (scanned pages?): it needs OCR (text recognition, e.g. ocrmypdf) before its tables can be read")) {
            _ = try open("documents/skanning.pdf")
        }
        #expect(throws: ReadError.unsupported(file: fixture("documents/krypterad.pdf"),
            what: "encrypted PDF (password-protected); save it without a password and try again")) {
            _ = try open("documents/krypterad.pdf")
        }
    }

    @Test func brokenPDFsFailWithOneLine() throws {
        // Truncated: poppler's complaint, in one line naming the file.
        let bytes = try FileInput.read(path: fixture("documents/lista.pdf"))
        do {
            _ = try openSpreadsheet(.bytes(Array(bytes.prefix(600)), name: "trasig.pdf"))
            Issue.record("a truncated PDF was read")
        } catch let e as ReadError {
            #expect(e.description.hasPrefix("trasig.pdf: "))
            #expect(!e.description.contains("\n"))
        }
        // Too many objects, too many pages, a decompression bomb: refused before poppler reads them.
        var few = ReadLimits(); few.maxPdfObjects = 5
        #expect(throws: ReadError.self) { _ = try openSpreadsheet(.bytes(bytes, name: "x.pdf"), limits: few) }
        var onePage = ReadLimits(); onePage.maxPdfPages = 1
        let two = try FileInput.read(path: fixture("documents/sidbrytning.pdf"))
        #expect(throws: ReadError.limitExceeded(file: "s.pdf", part: nil, detail: "2 pages, more than the 1 allowed")) {
            _ = try openSpreadsheet(.bytes(two, name: "s.pdf"), limits: onePage)
        }
        var small = ReadLimits(); small.maxPdfStreamBytes = 1 << 10
        do {
            _ = try openSpreadsheet(.bytes(bytes, name: "b.pdf"), limits: small)
            Issue.record("a stream inflating past the limit was read")
        } catch let e as ReadError {
            #expect(e.description.contains("inflates past 0 MiB"))
        }
        var slow = ReadLimits(); slow.maxPdfSecondsPerPage = 0
        do {
            _ = try openSpreadsheet(.bytes(bytes, name: "t.pdf"), limits: slow)
            Issue.record("a page over its time was read")
        } catch let e as ReadError {
            #expect(e.description.hasPrefix("t.pdf: page 1: refused: reading the page took"))
        }
    }

    /// Hairline rules (0.3 pt) drawn a cell at a time, each piece shorter than a rule must be,
    /// crossed by the row rules; the cells' texts 3.6 pt apart, so only the middle rule makes
    /// two columns of them. A thick grey band below is a fill, not a rule.
    @Test func hairlineRulesDrawnCellByCellSplitTheColumns() throws {
        var content = "0.3 w\n"
        for r in 0...3 { content += "50 \(250 - 14 * r) m 200 \(250 - 14 * r) l S\n" }
        for r in 0..<3 {
            for x in [50, 100, 200] { content += "\(x) \(250 - 14 * r) m \(x) \(236 - 14 * r) l S\n" }
        }
        content += "0.6 g 50 150 150 20 re f\n0 g\n"
        // Helvetica digits are 0.556 em: "1234" at 10 pt is 22.24 pt wide, ending 2.24 pt left of
        // the rule at x 100; the right column's text starts 1.4 pt right of it.
        for (r, (a, b)) in [("1234", "5678"), ("2345", "6789"), ("3456", "7890")].enumerated() {
            let y = 240 - 14 * r
            content += "BT /F1 10 Tf 75.76 \(y) Td (\(a)) Tj ET\nBT /F1 10 Tf 101.4 \(y) Td (\(b)) Tj ET\n"
        }
        let reader = try #require(try openSpreadsheet(.bytes(onePagePDF(content), name: "hårlinjer.pdf")) as? DocumentReader)
        #expect(reader.tables.map(\.name) == ["Sida 1, tabell 1"])
        #expect(reader.tables.first?.cells == [["1234", "5678"], ["2345", "6789"], ["3456", "7890"]])
    }

    /// A page of 14 400 × 14 400 pt (PDF's largest) is rendered at less than 1 px/pt, its
    /// buffer bounded, and read.
    @Test func theLargestPageIsRenderedSmaller() throws {
        let pdf = onePagePDF("0.3 w 50 50 m 14000 50 l S\nBT /F1 10 Tf 60 60 Td (Hej) Tj ET\n", size: 14_400)
        let reader = try #require(try openSpreadsheet(.bytes(pdf, name: "stor.pdf")) as? DocumentReader)
        #expect(reader.paragraphs.map(\.text) == ["Hej"])
    }
}

/// A one-page PDF (300 × 300 pt unless said, Helvetica as /F1) around a content stream, its cross-reference
/// table's offsets counted here.
func onePagePDF(_ content: String, size: Int = 300) -> [UInt8] {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(size) \(size)] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    var out = "%PDF-1.4\n", offsets: [Int] = []
    for (i, o) in objects.enumerated() {
        offsets.append(out.utf8.count)
        out += "\(i + 1) 0 obj\n\(o)\nendobj\n"
    }
    let xref = out.utf8.count
    out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
    for o in offsets { out += String(repeating: "0", count: 10 - String(o).count) + "\(o) 00000 n \n" }
    out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    return Array(out.utf8)
}

@Suite("document table grid")
struct TableGridTests {
    @Test func spansCoveredCellsAndVerticalMerges() throws {
        var g = TableGridBuilder(limit: 100)
        g.beginRow(); try g.cell("Rubrik", columns: 3)
        g.beginRow(); try g.cell("A"); try g.cell("B", rows: 2); try g.cell("C")
        g.beginRow(); try g.cell("D"); try g.cell("F")        // B's row span takes the middle
        g.beginRow(); try g.cell("G"); g.covered(); try g.cell("I")
        g.beginRow(); g.continueAbove(); try g.cell("K"); try g.cell("L")
        #expect(g.finish() == [["Rubrik"], ["A", "B", "C"], ["D", nil, "F"], ["G", nil, "I"], [nil, "K", "L"]])
        #expect(g.merged.map(\.a1) == ["A1:C1", "B2:B3", "A4:A5"])
    }

    @Test func odfAndPowerPointWriteTheCoveredCells() throws {
        var g = TableGridBuilder(limit: 100, explicitCovered: true)
        g.beginRow(); try g.cell("Rubrik", columns: 2); g.covered(); try g.cell("X")
        g.beginRow(); try g.cell("A", rows: 2); try g.cell("B"); try g.cell("C")
        g.beginRow(); g.covered(); try g.cell("E"); try g.cell("F")
        #expect(g.finish() == [["Rubrik", nil, "X"], ["A", "B", "C"], [nil, "E", "F"]])
        #expect(g.merged.map(\.a1) == ["A1:B1", "A2:A3"])
    }

    @Test func hugeSpansAreBounded() {
        var g = TableGridBuilder(limit: 1_000)
        g.beginRow()
        #expect(throws: DocumentLimit.self) { try g.cell("x", columns: 5_000, rows: 1_000_000_000) }
    }
}

@Suite("PDF layout")
struct PdfLayoutTests {
    typealias W = PdfLayout.Word
    /// Words 10 pt high at `y`, 5 pt a character.
    func word(_ t: String, _ x: Double, _ y: Double) -> W { W(text: t, x0: x, y0: y, x1: x + Double(t.count) * 5, y1: y + 10) }

    @Test func alignedColumnsWrappedCellsAndCaption() {
        // No ruling lines: rows 16 pt apart, a wrapped cell's second line 11 pt below its first.
        let words = [
            word("Budget", 0, -20), word("2024", 35, -20),
            word("Belopp", 0, 22), word("i", 35, 22), word("kr", 42, 22),
            word("Post", 0, 40), word("Belopp", 200, 40),
            word("Utbildning", 0, 56), word("och", 55, 56), word("400", 200, 56), word("000", 220, 56),
            word("fortbildning", 0, 67),
            word("Samordnare", 0, 83), word("600", 200, 83), word("000", 220, 83),
            word("Summa", 0, 99), word("1", 192, 99), word("000", 200, 99), word("000", 220, 99),
            word("Texten", 0, 140), word("efter.", 35, 140),
        ]
        let page = PdfLayout(words: words).run()
        #expect(page.tables.count == 1)
        #expect(page.tables.first?.captions == ["Belopp i kr"])   // close above; "Budget 2024" is farther
        #expect(page.tables.first?.cells == [["Post", "Belopp"], ["Utbildning och fortbildning", "400 000"], ["Samordnare", "600 000"], ["Summa", "1 000 000"]])
        #expect(page.paragraphs.map(\.text) == ["Budget 2024", "Belopp i kr", "Texten efter."])
    }

    @Test func ruledRowsJoinWrappedLinesAndVerticalRulesSplitColumns() {
        // Rows between horizontal rules at y = 0, 26, 38; columns between x = 0, 100, 200.
        let words = [
            W(text: "Insatser", x0: 5, y0: 2, x1: 45, y1: 12), W(text: "1", x0: 150, y0: 2, x1: 155, y1: 12),
            W(text: "för", x0: 5, y0: 13, x1: 20, y1: 23),
            W(text: "Summa", x0: 5, y0: 27, x1: 40, y1: 37), W(text: "2", x0: 150, y0: 27, x1: 155, y1: 37),
        ]
        let h = [0.0, 26, 38].map { PdfLayout.Rule(at: $0, from: 0, to: 200) }
        let v = [0.0, 100, 200].map { PdfLayout.Rule(at: $0, from: 0, to: 38) }
        let page = PdfLayout(words: words, horizontal: h, vertical: v).run()
        #expect(page.tables.first?.cells == [["Insatser för", "1"], ["Summa", "2"]])
    }

    @Test func aTableOverAPageBreakIsJoinedAndItsRepeatedHeaderDropped() {
        let a = PdfLayout.Table(captions: [], cells: [["Kommun", "Belopp"], ["Ale", "1"]], columns: [(0, 100), (100, 200)], top: 0, bottom: 700, merged: [])
        let b = PdfLayout.Table(captions: [], cells: [["Kommun", "Belopp"], ["Alingsås", "2"]], columns: [(0, 100), (101, 199)], top: 50, bottom: 90, merged: [])
        #expect(joinAcrossPages(a, b)?.cells == [["Kommun", "Belopp"], ["Ale", "1"], ["Alingsås", "2"]])
        let other = PdfLayout.Table(captions: [], cells: [["X", "Y", "Z"]], columns: [(0, 50), (50, 120), (120, 200)], top: 50, bottom: 90, merged: [])
        #expect(joinAcrossPages(a, other) == nil)
        #expect(joinWrapped(["Förändring 2023–", "2024"]) == "Förändring 2023–2024")
    }
}

@Suite("totals in running text")
struct TextTotalsTests {
    func money(_ k: Int64) -> Money { Money(kronor: k) }

    @Test func figuresWithUnitsTotalWordsAndVaravParts() {
        let f = TextTotals.figures(in: "Medlen omfattar totalt 1 560 000 000 kronor, varav 1 527 000 000 kronor till regionerna och 33 000 000 kronor till SKR.")
        #expect(f == [TextTotals.Figure(amount: money(1_560_000_000), isTotal: true, partOf: nil),
                      TextTotals.Figure(amount: money(1_527_000_000), isTotal: false, partOf: 0),
                      TextTotals.Figure(amount: money(33_000_000), isTotal: false, partOf: 0)])
        // A year before the amount is not part of it; units in words; decimals exact.
        #expect(TextTotals.figures(in: "fördelas 2024 totalt 12 345 678 kr till länet").map(\.amount) == [money(12_345_678)])
        #expect(TextTotals.figures(in: "totalt 490 miljoner kronor").map(\.amount) == [money(490_000_000)])
        #expect(TextTotals.figures(in: "sammanlagt 1,56 miljarder kronor").map(\.amount) == [money(1_560_000_000)])
        #expect(TextTotals.figures(in: "totalt 12,5 mnkr och 250 tkr").map(\.amount) == [money(12_500_000), money(250_000)])
        #expect(TextTotals.figures(in: "Under 2024 betalas 2 000 ut").isEmpty)   // no unit: no amount
    }

    @Test func agreesDiffersAndVaravMismatch() {
        let lines = [BudgetLine(label: "A", amount: money(700), cell: "'Tabell 1'!B2", role: .line),
                     BudgetLine(label: "Totalt", amount: money(1_000), cell: "'Tabell 1'!B3", role: .total)]
        let table = BudgetTable(sheet: "Tabell 1", hidden: false, layout: .list, title: nil, range: "A1:B3", unit: .kronor, unitSource: nil, header: [], lines: lines)
        let ps = [DocumentParagraph(text: "Totalt 1 000 kr, varav 600 kr och 300 kr. Sammanlagt 999 kr.", location: "Stycke 1", tablesBefore: 0)]
        let out = TextTotals.findings(paragraphs: ps, sheets: ["Tabell 1"], tables: [table], file: "f.docx")
        #expect(out.map(\.code) == [.textTotalAgrees, .textVaravMismatch, .textTotalDiffers])
        #expect(out.map(\.severity) == [.info, .error, .info])
        #expect(out[1].stated == money(1_000) && out[1].computed == money(900))
        #expect(out[2].stated == money(999) && out[2].computed == money(1_000) && out[2].lines == "'Tabell 1'!B3")
        // One part may be less than the whole, never more.
        let one = [DocumentParagraph(text: "Totalt 1 000 kr, varav 600 kr till regionen.", location: "Stycke 2", tablesBefore: 0),
                   DocumentParagraph(text: "Regionen får 500 kr, varav 600 kr till vården.", location: "Stycke 3", tablesBefore: 0)]
        #expect(TextTotals.findings(paragraphs: one, sheets: ["Tabell 1"], tables: [table], file: "f").map(\.code) == [.textTotalAgrees, .textVaravMismatch])
    }
}
