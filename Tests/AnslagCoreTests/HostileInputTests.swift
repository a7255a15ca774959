import Testing
@testable import AnslagCore

@Suite("hostile and broken input")
struct HostileInputTests {
    func failure(_ path: String, limits: ReadLimits = .default) -> ReadError? {
        do {
            _ = try openSpreadsheet(.path(fixture(path)), limits: limits).workbook()
            return nil
        } catch let e as ReadError {
            return e
        } catch {
            return nil
        }
    }

    /// One value in column XFD on each of 20 000 rows: a dense grid of it would be 327 million
    /// cells, so reading it whole is refused early; recognising budgets keeps only the values.
    @Test func valuesFarApartAreNoGrid() throws {
        guard let e = failure("hostile/wide-sparse.xlsx"), case .sheetTooSparse(_, "S", let detail) = e else {
            Issue.record("a sparse grid was built"); return
        }
        #expect(detail.contains("values spread over"))
        // The core names no tool; the tools add theirs (AnslagCLI's `worded`).
        #expect(e.description.hasSuffix("; read it as a stream instead"))
        let r = try BudgetRecognizer().read(try openSpreadsheet(.path(fixture("hostile/wide-sparse.xlsx"))))
        #expect(r.budget.tables.flatMap(\.lines).count == 20_000)
        #expect(r.budget.tables.flatMap(\.lines).last?.cell == "'S'!XFD20000")
    }

    @Test func entityBombAndXXEAreRefusedAtTheDTD() {
        for name in ["entity-bomb", "xxe"] {
            let e = failure("hostile/\(name).xlsx")
            #expect(e == .limitExceeded(file: fixture("hostile/\(name).xlsx"), part: "xl/sharedStrings.xml",
                                        detail: "XML document type declarations (DTD, entities) are not allowed in spreadsheet parts"))
        }
    }

    @Test func zipBombStopsAtTheRatioLimit() {
        guard case .limitExceeded(_, let part, let detail)? = failure("hostile/zip-bomb.xlsx") else {
            Issue.record("zip bomb was not refused"); return
        }
        #expect(part == "xl/worksheets/sheet1.xml")
        #expect(detail.contains("compression ratio"))
        // And the entry size limit, when it is the lower one.
        var limits = ReadLimits()
        limits.maxEntryBytes = 1 << 20
        guard case .limitExceeded(_, _, let d2)? = failure("hostile/zip-bomb.xlsx", limits: limits) else {
            Issue.record("entry limit not enforced"); return
        }
        #expect(d2.contains("inflates beyond 1 MiB"))
    }

    @Test func sharedStringTableIsBounded() {
        var limits = ReadLimits()
        limits.maxSharedStrings = 2
        guard case .limitExceeded(_, let part, _)? = failure("xlsx/quirks.xlsx", limits: limits) else {
            Issue.record("shared-string limit not enforced"); return
        }
        #expect(part == "xl/sharedStrings.xml")
    }

    @Test func encryptedAndLegacyFilesAreNamed() {
        #expect(failure("hostile/encrypted.xlsx") == .encrypted(file: fixture("hostile/encrypted.xlsx")))
        // A compound file with nothing in it: refused, naming the container.
        guard case .malformed(_, let part, _)? = failure("hostile/legacy.xls") else { Issue.record("xls"); return }
        #expect(part == "compound file")
    }

    @Test func brokenPackages() {
        #expect(failure("hostile/empty.xlsx") == .malformed(file: fixture("hostile/empty.xlsx"), part: nil, detail: "the file is empty (0 bytes)"))
        guard case .malformed(_, nil, let d)? = failure("hostile/truncated.xlsx") else { Issue.record("truncated"); return }
        #expect(d.contains("not a valid zip package"))
        guard case .malformed(_, let p, let d2)? = failure("hostile/missing-sheet.xlsx") else { Issue.record("missing"); return }
        #expect(p == "xl/worksheets/sheet1.xml")
        #expect(d2.contains("missing"))
        guard case .malformed(_, let p3, let d3)? = failure("hostile/bad-xml.xlsx") else { Issue.record("bad xml"); return }
        #expect(p3 == "xl/worksheets/sheet1.xml")
        #expect(d3.hasPrefix("malformed XML at line 1"))
    }

    @Test func messagesAreOneLineNamingFileAndPart() {
        let e = ReadError.limitExceeded(file: "budget.xlsx", part: "xl/sharedStrings.xml", detail: "x")
        #expect(e.description == "budget.xlsx: xl/sharedStrings.xml: refused: x")
        #expect(ReadError.encrypted(file: "budget.xlsx").description
                == "budget.xlsx: encrypted workbook (password-protected); save it without a password and try again")
    }

    @Test func odsRepeatCountsAreBounded() throws {
        // A row repeated a million times with content in 1024 columns would be 10^9 cells.
        var limits = ReadLimits()
        limits.maxRepeatedCells = 10
        let reader = try openSpreadsheet(.path(fixture("ods/book.ods")), limits: limits)
        #expect(throws: ReadError.self) { try reader.sheet(at: 0) }
    }
}
