import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import AnslagCore

@Suite("streamed import and checks")
struct PopulationStreamTests {
    static let fixtures = ["web-title-latin1-comma.csv", "api-v2-includetitle-utf8bom-semicolon.csv", "long-codes-tab.csv",
                           "english-labels.csv", "inconsistent.csv", "ckm-2025.csv", "symbols-footnotes.csv",
                           "blekinge-cp1252.px", "keys-sparse.px", "api-v2.jsonstat.json", "lost-zeros-cp1252.csv",
                           "code-dash-text-space.csv", "api-v1.jsonstat.json", "ragged.csv", "ckm-labels-2024.csv", "monthly-tlist.px", "names-and-unknown.csv"]

    @Test(arguments: fixtures)
    func streamedChecksFindWhatTheWholeTableChecksFind(name: String) throws {
        let whole = try importFixture(name)
        let checker = PopulationCheckStream()
        let collector = PopulationCollector()
        let readerFindings = try streamPopulation(.path(fixture("scb/" + name)), into: PopulationFanOut([checker, collector]))
        #expect(checker.settled)
        #expect(checker.findings == PopulationChecks.run(whole.table))
        #expect(readerFindings == whole.findings)
        // The stream carries the same table.
        #expect(collector.table == whole.table)
    }

    /// Both passes apply one rule set (PopulationRules): single ages past 127 count in the stream
    /// as in the whole table, and parts too large to add in 64 bits are left unchecked by both.
    @Test func bothPassesApplyTheSameAgeRule() throws {
        func both(_ text: String) throws -> ([ReportFinding], [ReportFinding]) {
            let checker = PopulationCheckStream()
            _ = try streamPopulation(.bytes(Array(text.utf8), name: "ages.csv"), into: checker)
            #expect(checker.settled)
            return (checker.findings, PopulationChecks.run(try importPopulation(.bytes(Array(text.utf8), name: "ages.csv")).table))
        }
        var old = "region;ålder;2023\n"
        for a in 0...130 { old += "0114;\(a) år;1\n" }
        old += "0114;totalt;130\n"
        let (streamed, whole) = try both(old)
        #expect(streamed == whole)
        #expect(whole.map(\.code) == [.ageSumMismatch] && whole.first?.computedCount == 131)
        let huge = "region;ålder;2023\n0114;0 år;999999999999999999\n" + (1...10).map { "0114;\($0) år;999999999999999999\n" }.joined()
            + "0114;totalt;1\n"
        let (s2, w2) = try both(huge)
        #expect(s2.isEmpty && w2.isEmpty)
    }

    @Test func aTableNotGroupedByRegionIsLeftToTheWholeCheck() throws {
        // Long, ordered by year first: each region comes back for the second year.
        let text = "region\tkön\tår\tantal\n1060\t1\t2022\t10\n1060\t2\t2022\t11\n1060\t1+2\t2022\t21\n" +
                   "1080\t1+2\t2022\t5\n1060\t1\t2023\t12\n1060\t2\t2023\t13\n1060\t1+2\t2023\t26\n"
        let checker = PopulationCheckStream()
        _ = try streamPopulation(.bytes(Array(text.utf8), name: "byyear.csv"), into: checker)
        #expect(!checker.settled)
        let whole = try importPopulation(.bytes(Array(text.utf8), name: "byyear.csv"))
        let f = PopulationChecks.run(whole.table)
        #expect(f.map(\.code) == [.sexSumMismatch])
        #expect(f.first?.location == "byyear.csv: line 8")
    }

    @Test func csvStreamWriterMatchesTheTableWriter() throws {
        for name in Self.fixtures {
            let table = try importFixture(name).table
            var template = Array("/tmp/anslag-stream-XXXXXX".utf8CString)
            let dir = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
            try AtomicFile.write(to: dir + "/a.csv") { try PopulationWriter.writeCSV(table, to: $0) }
            try AtomicFile.write(to: dir + "/b.csv") { sink in
                _ = try streamPopulation(.path(fixture("scb/" + name)), into: PopulationCSVStreamWriter(sink: sink))
            }
            #expect(try FileInput.read(path: dir + "/a.csv") == FileInput.read(path: dir + "/b.csv"), "\(name)")
        }
    }

    @Test func anUnterminatedQuoteRunsToTheEnd() throws {
        // Found by fuzzing: this used to loop for ever.
        for text in ["\"region\",\"2023\"\n\"0114 Upplands Väsby\",45543\n\"0117 Öster", "a,b\n\"", "\""] {
            var offset = 0
            let bytes = Array(text.utf8)
            var records = ByteRecords(delimiter: 44, initial: []) { buffer in
                guard offset < bytes.count else { return false }
                buffer.append(bytes[offset]); offset += 1
                return true
            }
            var count = 0
            while try records.next() { count += 1; #expect(count < 10) ; if count >= 10 { break } }
            #expect(count == text.filter { $0 == "\n" }.count + 1)
        }
        let r = try importPopulation(.bytes(Array("\"region\",\"2023\"\n\"0114 Upplands Väsby\",45543\n\"0117 Öster".utf8), name: "cut.csv"))
        #expect(r.table.observations.count == 1)
    }

    @Test func recordsAcrossChunkBoundaries() throws {
        // A quoted field with a line break and doubled quotes, fed one byte at a time.
        let text = Array("\"region\",\"2023\"\r\n\"0114 Upplands \"\"Väsby\"\"\nrad\",45543\r\n\"0115 Vallentuna\",33432".utf8)
        var offset = 0
        var records = ByteRecords(delimiter: 44, initial: []) { buffer in
            guard offset < text.count else { return false }
            buffer.append(text[offset]); offset += 1
            return true
        }
        var got: [[String]] = []
        var lines: [Int] = []
        while try records.next() {
            got.append(records.ranges.map { String(decoding: records.bytes[$0], as: UTF8.self) })
            lines.append(records.line)
        }
        #expect(got == [["region", "2023"], ["0114 Upplands \"Väsby\"\nrad", "45543"], ["0115 Vallentuna", "33432"]])
        #expect(lines == [1, 2, 4])
    }
}
