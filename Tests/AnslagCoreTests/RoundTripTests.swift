import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import AnslagCore

/// `import(export(x)) == x` through the normalized JSON every tool writes and anslag-export
/// reads, for every fixture of each kind.
@Suite("Round trips through normalized JSON")
struct RoundTripTests {
    static func files(_ folder: String, _ extensions: [String]) -> [String] {
        let dir = opendir(fixture(folder))!
        defer { closedir(dir) }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if extensions.contains(where: { name.hasSuffix($0) }) { names.append(name) }
        }
        return names.sorted()
    }

    static func read(_ bytes: [UInt8]) throws -> NormalizedJSON.Document { try NormalizedJSON.read(bytes: bytes, file: "x.json") }

    @Test func everyBudgetFixture() throws {
        let names = Self.files("budget", [".xlsx", ".csv"])
        #expect(names.count == 10)   // the nine layouts, and list-wrong.csv (a csv input for the report)
        for name in names {
            let b = try BudgetRecognizer().read(try open("budget/" + name)).budget
            guard case .budget(let back) = try Self.read(BudgetWriter.json(b).bytes()) else { Issue.record("\(name): not a budget"); continue }
            #expect(back == b, "\(name)")
        }
    }

    @Test func everyReportOfABudgetFixture() throws {
        for name in Self.files("budget", [".xlsx", ".csv"]) {
            let r = try BudgetRecognizer().read(try open("budget/" + name))
            let report = FindingsReport(file: name, findings: r.findings, tables: r.budget.tables.count)
            guard case .report(let back) = try Self.read(ReportWriter.json(report).bytes()) else { Issue.record("\(name): not a report"); continue }
            #expect(back == report, "\(name)")
        }
    }

    @Test func everyRuleFixture() throws {
        let names = Self.files("rules", [".yaml"])
        #expect(names.count == 11)
        for name in names {
            let set = try RuleFile.read(path: fixture("rules/" + name))
            let bases = try set.populationFile.map { PopulationBases(table: try importPopulation(.path($0)).table, file: $0) }
            let a = try Allocator(set: set, population: bases).allocate()
            guard case .allocation(let back) = try Self.read(AllocationWriter.json(a).bytes()) else { Issue.record("\(name): not an allocation"); continue }
            #expect(back == a, "\(name)")
        }
    }

    @Test func everyPopulationFixture() throws {
        var checked = 0
        for name in Self.files("scb", [".csv", ".px", ".json"]) {
            guard let imported = try? importPopulation(.path(fixture("scb/" + name))) else { continue }   // the deliberately unreadable ones
            let t = imported.table
            let sink = try CollectingSink()
            try PopulationWriter.writeJSON(t, findings: imported.findings, to: sink.sink)
            guard case .population(let back, let findings) = try Self.read(try sink.bytes()) else { Issue.record("\(name): not a population"); continue }
            // Source line numbers are not part of the JSON; everything else comes back.
            #expect(back.metadata == t.metadata && back.dimensions == t.dimensions && back.regionNames.filter { t.regionNames[$0.key] != nil } == back.regionNames, "\(name)")
            #expect(back.observations.map { [$0.keys.joined(separator: "|"), "\($0.value.map(String.init) ?? "")", $0.decimal ?? "", $0.symbol ?? ""] }
                    == t.observations.map { [$0.keys.joined(separator: "|"), "\($0.value.map(String.init) ?? "")", $0.decimal ?? "", $0.symbol ?? ""] }, "\(name)")
            #expect(findings.map(\.code) == imported.findings.map(\.code), "\(name)")
            checked += 1
        }
        #expect(checked >= 15)
    }
}

/// A ByteSink over a temporary file, read back as bytes.
final class CollectingSink {
    let path: String
    let sink: ByteSink
    private let file: UnsafeMutablePointer<FILE>
    init() throws {
        path = "/tmp/anslag-roundtrip-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        file = fopen(path, "wb")!
        sink = ByteSink(stream: file, name: path)
    }
    func bytes() throws -> [UInt8] {
        try sink.flush()
        fclose(file)
        defer { unlink(path) }
        return try FileInput.read(path: path)
    }
}
