import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import AnslagCore
import AnslagTestSupport
import CXlsxWriter

/// Issue 14 in the core: CSV limits and the sparse record reader, temporaries and signals,
/// libxlsxwriter's messages.
@Suite("reliability")
struct ReliabilityTests {
    func temporaryDirectory() -> String { TestFiles.temporaryDirectory("anslag-rel") }
    func names(in dir: String) -> [String] { TestFiles.names(in: dir) }

    /// The sparse reader gives the same records as the plain one (an independent, older
    /// implementation), empty fields left out: random texts over the characters that matter.
    @Test func sparseRecordsAreThePlainRecordsWithoutEmptyFields() throws {
        let alphabet: [String] = [",", ";", "\"", "\"\"", "\n", "\r", "\r\n", "a", "b", " ", "å", "€", "𝄞", "1"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<3000 {
            let text = (0..<next(40)).map { _ in alphabet[next(alphabet.count)] }.joined()
            for delimiter in [",", ";"] as [Character] {
                var plain: [[(Int, String)]] = []
                CsvParser.forEachRecord(text, delimiter: delimiter) { fields in
                    plain.append(fields.enumerated().compactMap { $0.element.isEmpty ? nil : ($0.offset, $0.element) })
                }
                var sparse: [[(Int, String)]] = []
                var indices: [Int] = []
                try CsvParser.forEachSparseRecord(text, delimiter: delimiter, maxFields: 1000, maxRecordBytes: 1 << 20) { r, fields in
                    indices.append(r)
                    sparse.append(fields)
                }
                #expect(indices == Array(0..<sparse.count))
                #expect(sparse.count == plain.count, "\(text.debugDescription)")
                for (a, b) in zip(sparse, plain) {
                    #expect(a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1), "\(text.debugDescription)")
                }
            }
        }
    }

    @Test func aRecordPastColumnXFDIsRefusedAtOnce() throws {
        let full = Array(repeating: "v", count: SheetLimits.maxColumns).joined(separator: ",")
        let reader = CsvReader(file: "full.csv", bytes: Array((full + "\n" + full + ",v\n").utf8))
        var rows: [Int: Int] = [:]
        #expect(throws: ReadError.limitExceeded(file: "full.csv", part: "row 2",
                                                detail: "more than 16384 fields in one record (past column XFD, the last a sheet has)")) {
            try reader.readSheet(at: 0) { r, cells in rows[r] = cells.last?.column }
        }
        // The first row, exactly as wide as a sheet, was read whole.
        #expect(rows == [0: SheetLimits.maxColumns - 1])
    }

    @Test func aRecordLongerThanTheLimitIsRefused() throws {
        var limits = ReadLimits()
        limits.maxCsvRecordBytes = 100
        let ok = String(repeating: "x", count: 99)
        let text = "a,b\n\(ok)\n\"" + String(repeating: "å", count: 60) + "\"\n"   // 2 + 120 bytes
        let reader = CsvReader(file: "long.csv", bytes: Array(text.utf8), limits: limits)
        var seen: [Int] = []
        #expect(throws: ReadError.limitExceeded(file: "long.csv", part: "row 3",
                                                detail: "a record longer than 0 MiB (quotes included; an unterminated quote runs to the end of the file)")) {
            try reader.readSheet(at: 0) { r, _ in seen.append(r) }
        }
        #expect(seen == [0, 1])
    }

    @Test func emptyCSVIsRefusedLikeEmptyStandardInput() throws {
        #expect(throws: ReadError.malformed(file: "e.csv", part: nil, detail: "the file is empty (0 bytes)")) {
            _ = try openSpreadsheet(.bytes([], name: "e.csv"), format: .csv)
        }
    }

    @Test func registeredTemporariesAreRemovedAndUnregisteredOnesKept() throws {
        let dir = temporaryDirectory()
        defer { TestFiles.removeTree(dir) }
        for name in ["a", "b"] { close(open(dir + "/" + name, O_CREAT | O_WRONLY, 0o644)) }
        let a = TemporaryFiles.register(dir + "/a")
        let b = TemporaryFiles.register(dir + "/b")
        #expect(a != nil && b != nil && a != b)
        TemporaryFiles.unregister(b)
        TemporaryFiles.removeAll()
        TemporaryFiles.unregister(a)
        #expect(names(in: dir) == ["b"])
    }

    @Test func outputsAreUnnamedUntilCompleteAndNamedOnesAreCleanedUp() throws {
        let dir = temporaryDirectory()
        defer { TestFiles.removeTree(dir) }
        var during: [String] = []
        try AtomicFile.write(to: dir + "/out.csv") { sink in
            try sink.write("one")
            try sink.flush()
            during = names(in: dir)
        }
        #expect(during == [], "an unnamed temporary has no name in the folder")
        #expect(names(in: dir) == ["out.csv"])
        // Replacing (force) goes through a name for an instant and leaves none.
        try AtomicFile.writePath(to: dir + "/out.csv", force: true) { path in
            #expect(path.hasPrefix("/proc/self/fd/"))
            let f = fopen(path, "wb")!
            fputs("two", f)
            fclose(f)
        }
        #expect(names(in: dir) == ["out.csv"])
        #expect(try FileInput.read(path: dir + "/out.csv") == Array("two".utf8))
        let st = try #require({ var s = stat(); return stat(dir + "/out.csv", &s) == 0 ? s : nil }())
        #expect(st.st_mode & 0o777 == 0o644)
    }

    @Test func libxlsxwritersMessagesBecomeTheSystemsReason() throws {
        let said = "[ERROR] workbook_close(): Zip ZIP_ERRNO error while creating xlsx file 'x'. System error = No space left on device\n"
        #expect(XlsxWorkbook.reason(LXW_ERROR_ZIP_FILE_OPERATION, errno: ENOSPC, said: said) == "No space left on device")
        #expect(XlsxWorkbook.reason(LXW_ERROR_ZIP_FILE_OPERATION, errno: 0, said: said) == "No space left on device")
        #expect(XlsxWorkbook.reason(LXW_ERROR_CREATING_XLSX_FILE, errno: EACCES, said: "") == "Permission denied")
        #expect(XlsxWorkbook.reason(LXW_ERROR_SHEETNAME_ALREADY_USED, errno: 0, said: "") == String(cString: lxw_strerror(LXW_ERROR_SHEETNAME_ALREADY_USED)))
    }

    @Test func standardErrorIsCapturedAndRestored() throws {
        let (n, text) = StandardErrorCapture.capture { () -> Int in
            "[ERROR] one\n[ERROR] two\n".utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        }
        #expect(n == 24)
        #expect(text == "[ERROR] one\n[ERROR] two\n")
        // Descriptor 2 is the one it was: a new capture sees only its own text.
        #expect(StandardErrorCapture.capture { () -> Int in 0 }.text == "")
    }

    @Test func emptyRuleAndLayoutFilesSaySoAndLimitsNameTheFileOnce() throws {
        let dir = temporaryDirectory()
        defer { TestFiles.removeTree(dir) }
        close(open(dir + "/r.json", O_CREAT | O_WRONLY, 0o644))
        #expect(throws: RuleError(file: dir + "/r.json", rule: nil, path: "", line: nil, problem: "the rule file is empty")) {
            _ = try RuleFile.read(path: dir + "/r.json")
        }
        #expect(throws: RuleError(file: "<stdin>", rule: nil, path: "", line: nil, problem: "the rule file is empty")) {
            _ = try RuleFile.parse(bytes: Array(" \n\t".utf8), file: "<stdin>")
        }
        let e = ReadError.limitExceeded(file: "big.json", part: nil, detail: "input larger than 16 MiB")
        #expect(e.withoutFile == "refused: input larger than 16 MiB")
        #expect(RuleError(file: "big.json", rule: nil, path: "", line: nil, problem: e.withoutFile).description == "big.json: refused: input larger than 16 MiB")
    }

    @Test func deepYAMLIsRefusedWithOurOwnLimit() throws {
        let block = (0..<300).map { String(repeating: "  ", count: $0) + "k\($0):\n" }.joined()
        for text in [block, "a: " + String(repeating: "[", count: 5000)] {
            do {
                _ = try RuleFile.parse(bytes: Array(text.utf8), file: "deep.yaml")
                Issue.record("accepted")
            } catch let e as RuleError {
                #expect(e.problem == "refused: nested more than 256 levels deep (the limit for YAML files)")
                #expect(e.line != nil)
            }
        }
        // 200 levels are fine as far as nesting goes (the rule is then simply wrong).
        let fine = (0..<200).map { String(repeating: "  ", count: $0) + "k\($0):\n" }.joined()
        do { _ = try RuleFile.parse(bytes: Array(fine.utf8), file: "ok.yaml") } catch let e as RuleError {
            #expect(!e.problem.contains("nested"))
        }
    }
}
