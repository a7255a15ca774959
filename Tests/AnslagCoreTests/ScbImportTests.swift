import Testing
@testable import AnslagCore

func importFixture(_ name: String) throws -> ScbImport {
    try importPopulation(.path(fixture("scb/" + name)))
}

/// Observations as "key=value,… → value" lines, for comparing with literals.
func lines(_ t: PopulationTable, limit: Int = .max) -> [String] {
    t.observations.prefix(limit).map { o in
        zip(t.dimensions, o.keys).map { "\($0)=\($1)" }.joined(separator: " ") + " → "
            + (o.value.map(String.init) ?? o.decimal ?? "[\(o.symbol ?? "")]")
    }
}

let shared = packageRoot + "/../shared/data/scb/"
let sharedPresent: Bool = (try? FileInput.read(path: shared + "SOURCES.txt")) != nil

@Suite("SCB population import")
struct ScbImportTests {
    @Test func webExportWithTitleInLatin1() throws {
        let r = try importFixture("web-title-latin1-comma.csv")
        #expect(r.table.metadata.title == "Folkmängden efter region, kön och år")
        #expect(r.table.dimensions == ["region", "sex", "period"])
        #expect(lines(r.table, limit: 3) == ["region=00 sex=male period=2022 → 10726679", "region=00 sex=male period=2023 → 10728934",
                                             "region=00 sex=female period=2022 → 10979649"])
        #expect(r.table.regionNames["1080"] == "Karlskrona")
        #expect(r.table.observations.count == 27 * 3 * 2)
        #expect(r.findings.isEmpty)
        // Everything adds up: men + women, Blekinge's kommuner, the 21 län to Riket.
        #expect(PopulationChecks.run(r.table).isEmpty)
    }

    @Test func apiV2WithSexInTheHeading() throws {
        let r = try importFixture("api-v2-includetitle-utf8bom-semicolon.csv")
        #expect(r.table.metadata.title == "Folkmängd per region och kön 2023")
        #expect(r.table.dimensions == ["region", "sex", "period"])
        #expect(lines(r.table, limit: 3) == ["region=00 sex=male period=2023 → 10728934", "region=00 sex=female period=2023 → 10981904",
                                             "region=00 sex=total period=2023 → 21710838"])
        #expect(PopulationChecks.run(r.table).isEmpty)
    }

    @Test func longWithCodesOnly() throws {
        let r = try importFixture("long-codes-tab.csv")
        #expect(r.table.dimensions == ["region", "sex", "period"])
        #expect(r.table.metadata.unit == "Folkmängd")
        #expect(Set(r.table.values(of: "sex")) == ["male", "female", "total"])
        #expect(r.table.regionNames["14"] == "Västra Götalands län")
        #expect(PopulationChecks.run(r.table).isEmpty)
    }

    @Test func englishLabelsAndCodeDashText() throws {
        let en = try importFixture("english-labels.csv")
        #expect(lines(en.table, limit: 3) == ["region=01 sex=male period=2023 → 501890", "region=01 sex=female period=2023 → 514230",
                                              "region=01 sex=total period=2023 → 1016120"])
        #expect(en.table.regionNames["01"] == "Stockholm county")
        let dash = try importFixture("code-dash-text-space.csv")
        #expect(dash.table.values(of: "region") == ["1060", "1080", "1081", "1082", "1083"])
        #expect(dash.table.regionNames["1083"] == "Sölvesborg")
    }

    @Test func lostLeadingZerosAreWarnings() throws {
        let r = try importFixture("lost-zeros-cp1252.csv")
        #expect(r.table.values(of: "region") == ["0114", "0180", "1480", "01"])
        #expect(r.findings.map(\.code) == [.regionCodePadded, .regionCodePadded, .regionCodePadded])
        #expect(r.findings[0].location == fixture("scb/lost-zeros-cp1252.csv") + ": line 2")
        #expect(r.findings.allSatisfy { $0.severity == .warning })
    }

    @Test func symbolsAndFootnotes() throws {
        let r = try importFixture("symbols-footnotes.csv")
        #expect(lines(r.table) == ["region=1060 age=0 period=2023 → 120", "region=1060 age=1 period=2023 → [..]",
                                   "region=1060 age=2 period=2023 → [-]", "region=1060 age=3+ period=2023 → []",
                                   "region=1060 age=total period=2023 → [.]"])
        #expect(r.table.metadata.notes == ["Källa:", "SCB", "Intern referenskod:", "BE0101N1"])
        #expect(r.table.metadata.tableId == "BE0101N1")
        #expect(r.findings.isEmpty)
    }

    @Test func inconsistentTotalsAreErrorsNamingTheLine() throws {
        let r = try importFixture("inconsistent.csv")
        let f = PopulationChecks.run(r.table)
        let file = fixture("scb/inconsistent.csv")
        #expect(f.map(\.code) == [.sexSumMismatch, .sexSumMismatch, .countySumMismatch])
        #expect(f.map(\.location) == ["\(file): line 4", "\(file): line 10", "\(file): line 4"])
        #expect(f[1].computedCount == 174_354 && f[1].statedCount == 174_355)
        #expect(f[2].message == "the kommuner of 10 Blekinge län for sex=total, period=2023: parts sum to 874879 but the total says 874889 (difference 10)")
        #expect(f.allSatisfy { $0.severity == .error })
    }

    @Test func cellKeyMethodDeviationsAreInformation() throws {
        let r = try importFixture("ckm-2025.csv")
        #expect(PopulationChecks.usesCellKeyMethod(r.table))
        let f = PopulationChecks.run(r.table)
        #expect(f.count == 1)
        #expect(f.first?.severity == .info)
        #expect(f.first?.code == .ckmDeviation)
        #expect(f.first?.computedCount == 61_133 && f.first?.statedCount == 61_136)
    }

    @Test func cellKeyMethodToldByLabels() throws {
        let r = try importFixture("ckm-labels-2024.csv")
        #expect(r.table.metadata.cellKeyMethod)
        #expect(r.table.values(of: "age") == ["0", "1", "2+", "total"])
        let f = PopulationChecks.run(r.table)
        #expect(f.map(\.severity) == [.info])
        #expect(f.first?.computedCount == 22_841 && f.first?.statedCount == 22_840)
        #expect(ScbLabels.marksCellKeyMethod("100+1 år"))
        #expect(!ScbLabels.marksCellKeyMethod("100+ år"))
    }

    @Test func namesTableIdHeadingAndUnknownRegions() throws {
        let r = try importFixture("names-and-unknown.csv")
        #expect(r.table.metadata.tableId == "BE0101N1")
        #expect(lines(r.table) == ["region=0114 period=2023 → 45543", "region=01 period=2023 → 2391990",
                                   "region=00 period=2023 → 10551707", "region=9999 period=2023 → 12"])
        let file = fixture("scb/names-and-unknown.csv")
        #expect(r.findings == [
            ReportFinding(code: .regionUnknown, severity: .warning, file: file, place: "line 5",
                          message: "region code 9999 is not in the region registry (valid 2025)"),
            ReportFinding(code: .regionUnknown, severity: .error, file: file, place: "line 6",
                          message: "region \"Atlantis\" is neither a code nor a name the registry knows"),
        ])
    }

    @Test func aWrongEncodingGuessIsCorrectedWithAWarning() throws {
        // 1.2 MB of ASCII, then a Latin-1 line: the first chunk read looks like UTF-8.
        var bytes = Array("region;2023\n".utf8)
        let row = Array("0115 Vallentuna;1\n".utf8)
        bytes.reserveCapacity(row.count * 70_000 + 100)
        for _ in 0..<70_000 { bytes += row }
        bytes += [0x30, 0x31, 0x31, 0x37, 0x20, 0xD6] + Array("steraker;5\n".utf8)
        let r = try importPopulation(.bytes(bytes, name: "late.csv"))
        #expect(r.table.regionNames["0117"] == "Österaker")
        #expect(r.findings.map(\.code) == [.encodingSwitched])
        #expect(r.findings.first?.location == "late.csv: line 70002")
        #expect(r.table.observations.count == 70_001)
    }

    @Test func pxMonthlyPeriods() throws {
        let r = try importFixture("monthly-tlist.px")
        #expect(lines(r.table) == ["region=00 period=2023M10 → 10551707", "region=00 period=2023M11 → 10555021"])
    }

    @Test func pxWindows1252() throws {
        let r = try importFixture("blekinge-cp1252.px")
        #expect(r.table.metadata.tableId == "BE0101N1")
        #expect(r.table.metadata.unit == "antal")
        #expect(r.table.metadata.notes == ["Uppgifterna avser förhållandena den 31 december.(fortsättning på raden)"])
        #expect(r.table.dimensions == ["region", "sex", "period"])
        #expect(lines(r.table, limit: 2) == ["region=10 sex=male period=2022 → 434299", "region=10 sex=male period=2023 → 434354"])
        #expect(r.table.observations.count == 24)
        #expect(r.table.regionNames["1083"] == "Sölvesborg")
        #expect(PopulationChecks.run(r.table).isEmpty)
    }

    @Test func pxSparseKeysWithTranslations() throws {
        let r = try importFixture("keys-sparse.px")
        #expect(r.table.metadata.title == "Folkmängd per kommun, ålder och år")
        #expect(lines(r.table) == [
            "region=1060 age=0-25 period=2022 → 3000", "region=1060 age=0-25 period=2023 → 3010",
            "region=1060 age=26+ period=2022 → 9000", "region=1060 age=26+ period=2023 → 9020",
            "region=1060 age=total period=2022 → 12000", "region=1060 age=total period=2023 → 12030",
            "region=1080 age=total period=2022 → [..]", "region=1080 age=total period=2023 → [-]",
        ])
    }

    @Test func jsonStat2WithStatus() throws {
        let r = try importFixture("api-v2.jsonstat.json")
        #expect(r.table.metadata.title == "Folkmängd efter region, kön och år")
        #expect(r.table.metadata.tableId == "BE0101N1")
        #expect(r.table.metadata.unit == "antal")
        #expect(r.table.dimensions == ["region", "sex", "period"])
        #expect(lines(r.table, limit: 2) == ["region=10 sex=male period=2022 → 434299", "region=10 sex=male period=2023 → 434354"])
        #expect(lines(r.table).last == "region=1080 sex=total period=2023 → [..]")
        #expect(r.table.regionNames["1080"] == "Karlskrona")
        #expect(PopulationChecks.run(r.table).isEmpty)
    }

    @Test func jsonStat1Wrapped() throws {
        let r = try importFixture("api-v1.jsonstat.json")
        #expect(lines(r.table) == ["region=1060 period=2023 → 173022", "region=1080 period=2023 → 174354"])
    }

    @Test func brokenInputs() throws {
        let ragged = try importFixture("ragged.csv")
        #expect(ragged.findings.map(\.code) == [.raggedRow])
        #expect(ragged.findings.first?.location == fixture("scb/ragged.csv") + ": line 3")
        #expect(ragged.table.values(of: "region") == ["0114", "0117"])
        #expect(throws: ReadError.malformed(file: fixture("scb/no-numbers.csv"), part: nil,
                                            detail: "line 1: no column holds numbers; the header does not match the data")) {
            try importFixture("no-numbers.csv")
        }
    }

    @Test func labels() {
        #expect(ScbLabels.age("0 år") == "0")
        #expect(ScbLabels.age("100+ år") == "100+")
        #expect(ScbLabels.age("totalt ålder") == "total")
        #expect(ScbLabels.age("45-54 år") == "45-54")
        #expect(ScbLabels.age("0–25 år") == "0-25")
        #expect(ScbLabels.sex("kvinnor") == "female")
        #expect(ScbLabels.sex("1+2") == "total")
        #expect(ScbLabels.period("2023m10") == "2023M10")
        #expect(ScbLabels.period("2023K4") == "2023K4")
        #expect(ScbLabels.period("Folkmängd") == nil)
        #expect(ScbCsvReader.parseValue("604 829")?.integer == 604_829)
        #expect(ScbCsvReader.parseValue("−300\u{202F}000")?.integer == -300_000)
        #expect(ScbCsvReader.parseValue("52,430")?.decimal == "52.43")
        #expect(ScbCsvReader.parseValue("..") == nil)
    }

    @Test func registry() {
        let r = RegionRegistry.bundled
        #expect(r.validYear == 2025)
        #expect(r.counties.count == 21)
        #expect(r.municipalities.count == 290)
        #expect(r.region(code: "1480")?.name == "Göteborg")
        #expect(r.region(named: "Stockholm")?.code == "0180")
        #expect(r.region(named: "Stockholms län")?.code == "01")
        #expect(r.region(named: "Stockholm county")?.code == "01")
        #expect(r.region(named: "Göteborgs stad")?.code == "1480")
        #expect(r.region(named: "Sweden")?.code == "00")
        #expect(r.municipalities(inCounty: "14").count == 49)
    }

    @Test(.enabled(if: sharedPresent, "../shared/data/scb is not beside the project"))
    func sharedScbFilesImport() throws {
        let y2017 = try importPopulation(.path(shared + "ssd_csv_comma_kommun_folkmangd_2017_latin1.csv"))
        #expect(y2017.table.observations.count == 290)
        #expect(y2017.table.observations.reduce(0) { $0 + ($1.value ?? 0) } == 10_120_242)
        let y2018 = try importPopulation(.path(shared + "excel_resaved_ssd_kommun_folkmangd_2018_with_footnotes.csv"))
        #expect(y2018.table.observations.reduce(0) { $0 + ($1.value ?? 0) } == 10_230_185)
        #expect(y2018.table.metadata.tableId == "BE0101N1")
        let percent = try importPopulation(.path(shared + "px_en_BE0101A1_20200914_sort_percent.px"))
        #expect(percent.table.observations.contains { $0.decimal == "52.43" })
        let symbols = try importPopulation(.path(shared + "px_en_BE0101F1_missing_symbols.px"))
        #expect(symbols.table.observations.prefix(4).map(\.symbol) == ["-", ".", "..", "..."])
        let sv = try importPopulation(.path(shared + "px_sv_BE0101N1_folkmangd_2020_2021_sample.px"))
        #expect(sv.table.values(of: "age") == ["45-54", "55-64"])
        for t in [y2017, y2018, percent, symbols, sv] {
            #expect(PopulationChecks.run(t.table).filter { $0.severity == .error }.isEmpty)
        }
    }
}

@Suite("JSON values")
struct JSONValueTests {
    @Test func parsesWhatJSONStatUses() throws {
        let v = try JSONValue.parse(Array(#"{"a":[1,-2.5e3,"x\"\u00e5\ud83d\ude00\n"],"b":{"c":true,"d":null},"e":false}"#.utf8))
        #expect(v["a"]?.array?.count == 3)
        #expect(v["a"]?.array?[1] .number == "-2.5e3")
        #expect(v["a"]?.array?[2].string == "x\"å😀\n")
        #expect(v["b"]?["d"] != nil)
        #expect(v["missing"] == nil)
        #expect(JsonStatReader.exponentNumber("1.2345e4")?.integer == 12_345)
        #expect(JsonStatReader.exponentNumber("5e-1")?.decimal == "0.5")
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "\"open", "tru", "{} x", String(repeating: "[", count: 300)])
    func malformedIsRefused(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(text.utf8)) }
    }
}

extension JSONValue {
    var number: String? { if case .number(let n) = self { return n }; return nil }
}

@Suite("SCB import limits")
struct ScbLimitTests {
    @Test func aLineWithoutEndIsRefused() {
        let bytes = Array("region,2023\n".utf8) + [UInt8](repeating: 65, count: 17 << 20)
        #expect(throws: ReadError.limitExceeded(file: "long.csv", part: nil,
                                                detail: "line 2 is longer than 16 MiB (not a CSV table?)")) {
            try importPopulation(.bytes(bytes, name: "long.csv"))
        }
    }
}
