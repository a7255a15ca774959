import Testing
#if canImport(Glibc)
import Glibc
#endif
import AnslagCore

/// Whether python3 with jsonschema is here to check outputs against the schemas.
let jsonSchemaAvailable: Bool = (try? Tool.runAny("python3", ["-c", "import jsonschema"]).status) == 0

extension Tool {
    /// Runs any program found on PATH.
    static func runAny(_ program: String, _ args: [String], stdin: String? = nil) throws -> Result {
        try run("/usr/bin/env", [program] + args, stdin: stdin, absolute: true)
    }

    /// Validates a JSON document against a schema of the repository with python's jsonschema.
    static func validate(json path: String, schema: String) throws -> Result {
        try runAny("python3", ["-c", """
            import json, sys, jsonschema
            jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
            """, path, root + "/Schemas/" + schema])
    }
}

@Suite("anslag-scb end to end")
struct ScbEndToEndTests {
    @Test func csvOutputOfAWideWebExport() throws {
        let r = try Tool.run("anslag-scb", ["--to", "csv", Tool.fixture("scb/code-dash-text-space.csv")])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(r.stdout == [
            "region,region_name,period,value,symbol",
            "1060,Olofström,2023,173022,", "1080,Karlskrona,2023,174354,", "1081,Ronneby,2023,175094,",
            "1082,Karlshamn,2023,175834,", "1083,Sölvesborg,2023,176574,",
        ].joined(separator: "\r\n") + "\r\n")
    }

    @Test func jsonOutputWithSymbolsAndNotes() throws {
        let r = try Tool.run("anslag-scb", [Tool.fixture("scb/symbols-footnotes.csv")])
        #expect(r.status == 0)
        let source = Tool.fixture("scb/symbols-footnotes.csv")
        #expect(r.stdout == """
            {"kind":"population","source":"\(source)","table_id":"BE0101N1","title":null,"unit":null,"reference_period":"2023","notes":["Källa:","SCB","Intern referenskod:","BE0101N1"],"dimensions":["region","age","period"],
            "observations":[
            {"region":"1060","region_name":"Olofström","age":"0","period":"2023","value":120},
            {"region":"1060","region_name":"Olofström","age":"1","period":"2023","value":null,"symbol":".."},
            {"region":"1060","region_name":"Olofström","age":"2","period":"2023","value":null,"symbol":"-"},
            {"region":"1060","region_name":"Olofström","age":"3+","period":"2023","value":null,"symbol":""},
            {"region":"1060","region_name":"Olofström","age":"total","period":"2023","value":null,"symbol":"."}
            ],
            "findings":[]}

            """)
    }

    @Test func errorFindingsExitOneAndGoToStderr() throws {
        let file = Tool.fixture("scb/inconsistent.csv")
        let r = try Tool.run("anslag-scb", ["--to", "csv", file])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").map(String.init) == [
            "anslag-scb: \(file): line 4: error: men + women for region=10, period=2023: parts sum to 874878 but the total says 874889 (difference 11)",
            "anslag-scb: \(file): line 10: error: men + women for region=1080, period=2023: parts sum to 174354 but the total says 174355 (difference 1)",
            "anslag-scb: \(file): line 4: error: the kommuner of 10 Blekinge län for sex=total, period=2023: parts sum to 874879 but the total says 874889 (difference 10)",
        ])
        let unchecked = try Tool.run("anslag-scb", ["--no-check", "--to", "csv", file])
        #expect(unchecked.status == 0)
        #expect(unchecked.stderr == "")
    }

    @Test func warningsDoNotFail() throws {
        let r = try Tool.run("anslag-scb", ["--to", "csv", Tool.fixture("scb/lost-zeros-cp1252.csv")])
        #expect(r.status == 0)
        #expect(r.stderr.split(separator: "\n").count == 3)
        #expect(r.stdout.hasPrefix("region,region_name,value,symbol\r\n0114,Upplands Väsby,45543,\r\n"))
    }

    @Test func unreadableInputExitsTwoAndWritesNothing() throws {
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        let r = try Tool.run("anslag-scb", [Tool.fixture("scb/no-numbers.csv"), "-o", dir + "/out.json"])
        #expect(r.status == 2)
        #expect(r.stderr == "anslag-scb: \(Tool.fixture("scb/no-numbers.csv")): line 1: no column holds numbers; the header does not match the data\n")
        #expect(access(dir + "/out.json", F_OK) != 0)
        let xlsx = try Tool.run("anslag-scb", [Tool.fixture("xlsx/basic.xlsx")])
        #expect(xlsx.status == 2)
        #expect(xlsx.stderr == "anslag-scb: \(Tool.fixture("xlsx/basic.xlsx")): a spreadsheet, not an SCB export; convert it with anslag-convert first, or download the table as CSV or PX\n")
    }

    @Test func standardInputAndEncodingOverride() throws {
        let bytes = try FileInput.read(path: Tool.fixture("scb/lost-zeros-cp1252.csv"))
        let r = try Tool.run("anslag-scb", ["-", "--encoding", "latin1", "--to", "csv", "--no-check"], input: bytes)
        #expect(r.status == 0)
        #expect(r.stdout.contains("0180,Stockholm,975551,"))
    }

    /// Every generated shape, with the exit status its content calls for.
    static let shapes: [(String, Int32)] = [
        ("web-title-latin1-comma.csv", 0), ("api-v2-includetitle-utf8bom-semicolon.csv", 0), ("long-codes-tab.csv", 0),
        ("english-labels.csv", 0), ("code-dash-text-space.csv", 0), ("lost-zeros-cp1252.csv", 0), ("symbols-footnotes.csv", 0),
        ("inconsistent.csv", 1), ("ckm-2025.csv", 0), ("ckm-labels-2024.csv", 0), ("blekinge-cp1252.px", 0),
        ("keys-sparse.px", 0), ("monthly-tlist.px", 0), ("api-v2.jsonstat.json", 0), ("api-v1.jsonstat.json", 0),
        ("names-and-unknown.csv", 1), ("ragged.csv", 1),
    ]

    @Test(arguments: shapes)
    func everyShapeConvertsWithItsExitStatus(name: String, status: Int32) throws {
        let csv = try Tool.run("anslag-scb", ["--to", "csv", Tool.fixture("scb/" + name)])
        #expect(csv.status == status, "\(name): \(csv.stderr)")
        #expect(csv.stdout.hasPrefix("region,region_name,"))
        #expect(csv.stdout.hasSuffix("\r\n"))
    }

    @Test(.enabled(if: jsonSchemaAvailable, "python3 with jsonschema is not installed"), arguments: shapes.map(\.0))
    func jsonMatchesTheSchema(name: String) throws {
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        let r = try Tool.run("anslag-scb", [Tool.fixture("scb/" + name), "-o", dir + "/out.json"])
        #expect(r.status == 0 || r.status == 1)
        let v = try Tool.validate(json: dir + "/out.json", schema: "population.schema.json")
        #expect(v.status == 0, "\(v.stderr)")
    }
}

@Suite("anslag-scb queries end to end")
struct ScbQueryEndToEndTests {
    @Test func byLanForAPeriod() throws {
        let r = try Tool.run("anslag-scb", ["--to", "csv", "--period", "2023", "--by", "lan", Tool.fixture("scb/web-title-latin1-comma.csv")])
        #expect(r.status == 0)
        #expect(r.stdout == "region,region_name,period,value,symbol\r\n10,Blekinge län,2023,874878,\r\n")
    }

    @Test func impossibleQueryExitsTwo() throws {
        let file = Tool.fixture("scb/ckm-2025.csv")
        let r = try Tool.run("anslag-scb", ["--age", "0-5", file])
        #expect(r.status == 2)
        #expect(r.stderr == "anslag-scb: \(file): the age group 2+ is open-ended; it cannot be split to fit 0-5; the table's ages are 0–1, 2+, total\n")
        let bad = try Tool.run("anslag-scb", ["--age", "young", file])
        #expect(bad.status == 2)
        #expect(bad.stderr == "anslag-scb: --age takes a band like 0-25, 65+ or 7, not \"young\"\n")
    }

    /// A value an option's type refuses at parse time is worded as the tool words it, one line,
    /// exit 2; a value ArgumentParser refuses by itself keeps its own sentence and the pointer to --help.
    @Test func refusedOptionValuesInTheToolsWords() throws {
        let file = Tool.fixture("scb/ckm-2025.csv")
        let cases: [(String, [String], String)] = [
            ("anslag-scb", ["--encoding", "klingon", file], "anslag-scb: unknown --encoding \"klingon\"; use utf-8, utf-8-bom or windows-1252\n"),
            ("anslag-scb", ["--delimiter", "ab", file], "anslag-scb: --delimiter takes one ASCII character (or tab, semicolon, comma, space), not \"ab\"\n"),
            ("anslag-scb", ["--by", "socken", file], "anslag-scb: --by takes kommun or lan\n"),
            ("anslag-scb", ["--sex", "x", file], "anslag-scb: --sex takes male, female or total\n"),
            ("anslag-scb", ["--format", "xml", file], "anslag-scb: unknown --format \"xml\"; use csv, px or json-stat\n"),
            ("anslag-convert", ["--input-delimiter", "xx", file], "anslag-convert: --input-delimiter takes one ASCII character (or tab, semicolon, comma), not \"xx\"\n"),
            ("anslag-convert", ["--format", "doc", file], "anslag-convert: unknown --format \"doc\"; use xlsx, ods or csv\n"),
            ("anslag-import", ["--tolerance", "abc", file], "anslag-import: --tolerance takes an amount in kronor such as 1 or 1000, not \"abc\"\n"),
            ("anslag-reconcile", ["--report", "xlsx", "--allocation", "a.json", "b"], "anslag-reconcile: --report takes text or json\n"),
            ("anslag-allocate", ["--report", "pdf", "rules.yaml"], "anslag-allocate: Error: The value 'pdf' is invalid for '--report <report>'. Please provide one of 'text', 'json' or 'xlsx'. (see anslag-allocate --help)\n"),
            ("anslag-scb", ["--to", "pdf", file], "anslag-scb: Error: The value 'pdf' is invalid for '--to <to>'. Please provide one of 'json', 'csv' or 'xlsx'. (see anslag-scb --help)\n"),
        ]
        for (tool, args, stderr) in cases {
            let r = try Tool.run(tool, args)
            #expect(r.status == 2, "\(tool) \(args)")
            #expect(r.stderr == stderr)
            #expect(r.stdout.isEmpty)
        }
    }
}
