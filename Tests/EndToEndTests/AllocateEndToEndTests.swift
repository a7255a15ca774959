import Testing
import AnslagCore
#if canImport(Glibc)
import Glibc
#endif

/// (rule, name or code, amount) rows of `anslag-allocate --to csv`.
private func amounts(_ rulesFile: String) throws -> [String: Int64] {
    let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/" + rulesFile), "--to", "csv"])
    #expect(r.status == 0, "\(rulesFile): \(r.stderr)")
    var out: [String: Int64] = [:]
    for line in r.stdout.split(separator: "\r\n").dropFirst() {
        // rule,code,name,members,basis,share,fixed,quota,quota_exact,amount,rounding (no quoted commas here)
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        out[f[1].isEmpty ? f[2] : f[1]] = Int64(f[9])
    }
    return out
}

private let pythonAvailable: Bool = (try? Tool.runAny("python3", ["-c", "import json"]).status) == 0

@Suite("anslag-allocate end to end")
struct AllocateEndToEndTests {
    // Hand-checked examples, one per key kind (Fixtures/rules/).

    @Test func equalThirdsOfTenMillion() throws {
        // 10 000 000 / 3 = 3 333 333 1/3 each; one krona left; equal remainders and bases, so the
        // lowest code — here the name, no codes — gets it: "Kommunalförbunden".
        #expect(try amounts("equal-thirds.yaml") == ["Kommunalförbunden": 3_333_334, "Vårdsamverkan": 3_333_333, "Regionen": 3_333_333])
    }

    @Test func floorRoundingReportsTheResidual() throws {
        #expect(try amounts("floor-residual.yaml") == ["Kommunalförbunden": 3_333_333, "Vårdsamverkan": 3_333_333, "Regionen": 3_333_333])
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/floor-residual.yaml")])
        #expect(r.stdout.contains("\"sum\": 9999999,\n      \"residual\": 1,"))
    }

    @Test func columnBasis() throws {
        // 100 × 1/7 = 14.29, × 2/7 = 28.57, × 4/7 = 57.14: floors 14 + 28 + 57 = 99; the largest
        // remainder (4/7, B's) gets the last krona.
        #expect(try amounts("column-basis.yaml") == ["A": 14, "B": 29, "C": 57])
    }

    @Test func sharesAsWritten() throws {
        // 1 001 × 1/2 = 500.5, × 1/4 = 250.25 twice: floors 1 000; the krona goes to the half.
        #expect(try amounts("shares.yaml") == ["Regionen": 501, "Kommunerna": 250, "Civilsamhället": 250])
    }

    @Test func fixedPerLanWithStorstadsExceptions() throws {
        let a = try amounts("fixed-exceptions.yaml")
        #expect(a.count == 21)
        #expect(a["01"] == 2_000_000 && a["12"] == 2_000_000 && a["14"] == 2_000_000)
        #expect(a.filter { !["01", "12", "14"].contains($0.key) }.allSatisfy { $0.value == 1_000_000 })
        #expect(a.values.reduce(0, +) == 24_000_000)
    }

    @Test func fixedAmountFirstThenEqual() throws {
        // 10 000 000 − 1 500 000 = 8 500 000; thirds 2 833 333 1/3; the krona to the lowest name.
        #expect(try amounts("fixed-first.yaml") == ["Civilsamhället": 1_500_000, "Kommunalförbunden": 2_833_334,
                                                    "Vårdsamverkan": 2_833_333, "Regionen": 2_833_333])
    }

    /// The population-based examples against expected.json, which Scripts/fixtures/rules.py
    /// computes with Python's exact fractions, independently of Anslag.
    @Test(.enabled(if: pythonAvailable, "needs python3 for the independent oracle"),
          arguments: ["population.yaml", "age-band.yaml", "base-rest.yaml", "kommuner-in.yaml", "nested.yaml"])
    func populationKeysMatchTheIndependentOracle(_ file: String) throws {
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/" + file), "--to", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let check = try Tool.runAny("python3", ["-c", """
            import csv, io, json, sys
            expected = json.load(open(sys.argv[1]))[sys.argv[2]]
            rows = list(csv.DictReader(io.StringIO(sys.stdin.read())))
            if sys.argv[2] == "nested.yaml":
                got = {"Västra Götaland": {r["name"]: int(r["amount"]) for r in rows if r["rule"] == "Västra Götaland"},
                       "Kommunalförbunden": {r["name"]: int(r["amount"]) for r in rows if r["rule"] != "Västra Götaland"},
                       "bases": {r["name"]: int(r["basis"]) for r in rows if r["rule"] != "Västra Götaland"}}
                members = {r["name"]: r["members"].split() for r in rows if r["rule"] != "Västra Götaland"}
                assert "1384" not in members["Göteborgsregionen (GR)"], "Kungsbacka counted within Västra Götaland"
                assert len(members["Göteborgsregionen (GR)"]) == 12
            else:
                got = {r["code"]: int(r["amount"]) for r in rows}
            assert got == expected, (got, expected)
            print("ok")
            """, Tool.fixture("rules/expected.json"), file], stdin: r.stdout)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout == "ok\n")
    }

    @Test(.enabled(if: jsonSchemaAvailable, "needs python3 with jsonschema"),
          arguments: ["equal-thirds.yaml", "nested.yaml", "fixed-exceptions.yaml", "shares.yaml", "base-rest.yaml"])
    func jsonOutputMatchesTheSchema(_ file: String) throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/" + file), "-o", dir + "/a.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try Tool.validate(json: dir + "/a.json", schema: "allocation.schema.json")
        #expect(v.status == 0, "\(v.stderr)")
    }

    @Test(.enabled(if: (try? Tool.runAny("python3", ["-c", "import yaml, jsonschema"]).status) == 0, "needs python3 with yaml and jsonschema"))
    func everyRuleFixtureMatchesTheRuleSchema() throws {
        let r = try Tool.runAny("python3", ["-c", """
            import glob, json, sys, yaml, jsonschema
            schema = json.load(open(sys.argv[1]))
            files = sorted(glob.glob(sys.argv[2] + "/*.yaml"))
            for f in files:
                jsonschema.validate(yaml.safe_load(open(f)), schema)
            print(len(files))
            """, Tool.root + "/Schemas/allocation-rules.schema.json", Tool.fixture("rules")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "11\n")
    }

    @Test func explainShowsTheArithmetic() throws {
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/column-basis.yaml"), "--explain"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("  A  100 × 1 / 7 = 14.2857… → 14 = 14 kr\n  B  100 × 2 / 7 = 28.5714… → 28 + 1 = 29 kr\n"))
        #expect(r.stdout.contains("The 1 krona left after rounding down went to: B."))
    }

    @Test func xlsxHasLiveSumsTheChartAndReadsBack() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        // The run date injected as reproducible builds do (1 764 633 600 s = 2025-12-02).
        let r = try Tool.runAny("SOURCE_DATE_EPOCH=1764633600",
                                [Tool.binDirectory + "/anslag-allocate", Tool.fixture("rules/nested.yaml"), "-o", dir + "/n.xlsx", "--chart"])
        #expect(r.status == 0, "\(r.stderr)")
        let unzip = try Tool.runAny("unzip", ["-l", dir + "/n.xlsx"])
        #expect(unzip.stdout.contains("xl/charts/chart1.xml"))
        #expect(unzip.stdout.contains("xl/charts/chart2.xml"))   // every level its chart
        // The provenance block on top (rows 1–4), a blank row, the header on row 6, the lines from row 7.
        let sheet = try Tool.runAny("unzip", ["-p", dir + "/n.xlsx", "xl/worksheets/sheet1.xml"])
        #expect(sheet.stdout.contains("<f>SUM(G7:G9)</f><v>30000000</v>"))
        let strings = try Tool.runAny("unzip", ["-p", dir + "/n.xlsx", "xl/sharedStrings.xml"]).stdout
        let version = try Tool.run("anslag-allocate", ["--version"]).stdout.filter { $0 != "\n" }
        for text in ["Västra Götaland: 30 000 000 kr, lika delar", "Regel: Västra Götaland (\(Tool.fixture("rules/nested.yaml")))",
                     "Befolkning: \(Tool.fixture("rules/population-2023.csv")), referensperiod 2023M10",
                     "Skapad av anslag-allocate \(version), körd 2025-12-02",
                     "Västra Götaland › Kommunalförbunden (Inom Västra Götaland): 10 000 000 kr, efter befolkning vid 2023M10"] {
            #expect(strings.contains("<t>\(text)</t>"), "\(text)")
        }
        // Checking the workbook Anslag wrote against the same rule finds nothing.
        let check = try Tool.run("anslag-allocate", [Tool.fixture("rules/nested.yaml"), "--check", dir + "/n.xlsx"])
        #expect(check.status == 0)
        #expect(check.stdout.hasPrefix("\(dir)/n.xlsx: valid — 0 errors, 0 warnings, 0 info; 1 table\n"))
    }

    // Check mode.

    @Test func checkFindsTheRoundedDownThird() throws {
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/equal-thirds.yaml"), "--check", Tool.fixture("rules/stated-thirds.csv"), "--report", "json"])
        #expect(r.status == 1)
        let file = Tool.fixture("rules/stated-thirds.csv")
        #expect(r.stdout == """
            {
              "file": "\(file)",
              "valid": false,
              "findings": [
                {"code": "allocation-mismatch", "severity": "error", "file": "\(file)", "sheet": "stated-thirds", "cell": "B2", "stated": 3333333, "computed": 3333334, "delta": -1, "lines": null, "message": "Kommunalförbunden: stated 3 333 333 kr, the rule gives 3 333 334 kr; it looks like the share was rounded down, where largest remainder gives this recipient the extra krona"},
                {"code": "allocation-residual", "severity": "warning", "file": "\(file)", "sheet": "stated-thirds", "cell": "B5", "stated": 10000000, "computed": 9999999, "delta": 1, "lines": "B2:B4", "message": "the parts sum to 9 999 999 kr, 1 kr less than the total 10 000 000 kr; it looks like each share was rounded down and the residual left unallocated"}
              ],
              "tables": 1
            }

            """)
        // Against the floor rule the same table only shows the residual, a warning: exit 0.
        let floor = try Tool.run("anslag-allocate", [Tool.fixture("rules/floor-residual.yaml"), "--check", Tool.fixture("rules/stated-thirds.csv")])
        #expect(floor.status == 0)
        #expect(floor.stdout.contains("warning   'stated-thirds'!B5  allocation-residual"))
    }

    @Test func checkFindsTheWrongLan() throws {
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/population.yaml"), "--check", Tool.fixture("rules/stated-lan.csv"), "--report", "json"])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").filter { $0.contains("\"code\"") }
        #expect(lines.count == 2)
        #expect(lines[0].contains("\"code\": \"allocation-mismatch\", \"severity\": \"error\"") && lines[0].contains("\"cell\": \"B3\"")
                && lines[0].contains("\"delta\": 1000") && lines[0].contains("03 Uppsala län"))
        #expect(lines[1].contains("\"code\": \"allocation-residual\"") && lines[1].contains("\"cell\": \"B23\"") && lines[1].contains("\"delta\": -1000"))
    }

    @Test(.enabled(if: jsonSchemaAvailable, "needs python3 with jsonschema"))
    func reportMatchesTheSchema() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/population.yaml"), "--check", Tool.fixture("rules/stated-lan.csv"),
                                                 "--report", "json", "-o", dir + "/r.json"])
        #expect(r.status == 1)
        let v = try Tool.validate(json: dir + "/r.json", schema: "report.schema.json")
        #expect(v.status == 0, "\(v.stderr)")
    }

    // Bad input: exit 2, one line naming the rule and field, nothing written.

    @Test func badRulesExitTwoAndWriteNothing() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let rules = dir + "/bad.yaml"
        Tool.write(rules, "name: Fel\ntotal: 100\nrecipients: ['01', '77']\nkey: equal\n")
        let r = try Tool.run("anslag-allocate", [rules, "-o", dir + "/out.json"])
        #expect(r.status == 2)
        #expect(r.stderr == "anslag-allocate: \(rules):3: rule \"Fel\": recipients[1]: unknown recipient code 77 (not a län or kommun code)\n")
        #expect(!Tool.exists(dir + "/out.json"))
        let p = try Tool.run("anslag-allocate", [Tool.fixture("rules/population.yaml"), "--population", Tool.fixture("rules/basis-small.csv")])
        #expect(p.status == 2)
        #expect(p.stderr.hasPrefix("anslag-allocate: "))
    }

    /// The core says what is missing; the tool says how to give it (AnslagCLI's `worded`).
    @Test func aPopulationKeyWithoutPopulationNamesTheOption() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let rules = dir + "/pop.yaml"
        Tool.write(rules, "name: A\ntotal: 100\nrecipients: lan\nkey: population\n")
        let r = try Tool.run("anslag-allocate", [rules])
        #expect(r.status == 2)
        #expect(r.stderr == "anslag-allocate: \(rules): rule \"A\": key: this key needs population figures; give --population FILE or population: in the rule file\n")
    }

    @Test func populationOptionOverridesTheRuleFile() throws {
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/kommuner-in.yaml"), "--population", Tool.fixture("rules/population-2023.csv")])
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"population_file\": \"\(Tool.fixture("rules/population-2023.csv"))\""))
    }

    @Test func exportedAllocationRoundTripsAndChecksClean() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let rules = Tool.fixture("rules/base-rest.yaml")
        #expect(try Tool.run("anslag-allocate", [rules, "-o", dir + "/a.json"]).status == 0)
        // anslag-export writes the same JSON back, an xlsx with a chart, and Swedish CSV.
        let json = try Tool.run("anslag-export", [dir + "/a.json", "--to", "json"])
        #expect(json.status == 0)
        #expect(json.stdout == String(decoding: try FileInput.read(path: dir + "/a.json"), as: UTF8.self))
        #expect(try Tool.run("anslag-export", [dir + "/a.json", "-o", dir + "/a.xlsx", "--chart"]).status == 0)
        let check = try Tool.run("anslag-allocate", [rules, "--check", dir + "/a.xlsx"])
        #expect(check.status == 0)
        #expect(check.stdout.contains("valid — 0 errors, 0 warnings"))
        let sv = try Tool.run("anslag-export", [dir + "/a.json", "--to", "csv", "--locale", "sv"])
        #expect(sv.stdout.hasPrefix("\u{FEFF}rule;code;name;members;basis;share;fixed;quota;quota_exact;amount;rounding\r\n"))
        #expect(sv.stdout.contains(";01;Stockholms län;;2206825;;5000000;18264011,228785879;57735480000000/3161161;18264011;0\r\n"))
        // The earlier run's JSON checked against the rule: clean; against another rule: findings.
        #expect(try Tool.run("anslag-allocate", [rules, "--check", dir + "/a.json"]).status == 0)
        let other = try Tool.run("anslag-allocate", [Tool.fixture("rules/population.yaml"), "--check", dir + "/a.json", "--report", "json"])
        #expect(other.status == 1)
        #expect(other.stdout.contains("\"code\": \"allocation-mismatch\""))
    }
}

@Suite("anslag-allocate --check --report xlsx")
struct AllocateCheckReportEndToEndTests {
    // stated-thirds.csv states 3 333 333 kr for Kommunalförbunden where the rule's largest
    // remainder gives 3 333 334: the table comes back with its stated value kept in B2, the
    // cell marked, and a Fynd sheet with the rule's amount and the difference of −1 kr.
    @Test func theCheckedTableComesBackMarkedWithItsStatedValuesKept() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        #expect(try Tool.run("anslag-convert", [Tool.fixture("rules/stated-thirds.csv"), "--to", "xlsx", "-o", dir + "/stated.xlsx"]).status == 0)
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/equal-thirds.yaml"), "--check", dir + "/stated.xlsx", "--report", "xlsx", "-o", dir + "/r.xlsx"])
        #expect(r.status == 1, "\(r.stderr)")
        let book = try Tool.runAny("unzip", ["-p", dir + "/r.xlsx", "xl/workbook.xml"]).stdout
        #expect(book.contains("name=\"Fynd\""))
        // B2 keeps its own value (the shared string "3 333 333 kr", index 4 as in the original)
        // with the marking style added; B3, which agrees, is untouched.
        let original = try Tool.runAny("unzip", ["-p", dir + "/stated.xlsx", "xl/worksheets/sheet1.xml"]).stdout
        let sheet = try Tool.runAny("unzip", ["-p", dir + "/r.xlsx", "xl/worksheets/sheet1.xml"]).stdout
        #expect(original.contains("<c r=\"B2\" t=\"s\"><v>4</v></c>"))
        #expect(sheet.contains("<c r=\"B2\" t=\"s\" s=\"1\"><v>4</v></c>"))
        // Read back as a table, the stated value is still the stated one: the check finds the same.
        let again = try Tool.run("anslag-allocate", [Tool.fixture("rules/equal-thirds.yaml"), "--check", dir + "/r.xlsx", "--report", "json"])
        #expect(again.stdout.contains("\"stated\": 3333333, \"computed\": 3333334, \"delta\": -1"))
        // A csv table comes back as a new workbook with the same Fynd sheet.
        let csv = try Tool.run("anslag-allocate", [Tool.fixture("rules/equal-thirds.yaml"), "--check", Tool.fixture("rules/stated-thirds.csv"), "--report", "xlsx", "-o", dir + "/c.xlsx"])
        #expect(csv.status == 1)
        #expect(try Tool.runAny("unzip", ["-p", dir + "/c.xlsx", "xl/workbook.xml"]).stdout.contains("name=\"Fynd\""))
    }
}

@Suite("--lang for the terminal")
struct LanguageEndToEndTests {
    // The text report in Swedish with --lang sv (or LANG=sv_SE…), English with --lang en; the
    // codes stay the same.
    @Test func theTextReportSpeaksTheTerminalsLanguage() throws {
        let args = [Tool.fixture("rules/equal-thirds.yaml"), "--check", Tool.fixture("rules/stated-thirds.csv")]
        let sv = try Tool.run("anslag-allocate", args + ["--lang", "sv"])
        #expect(sv.status == 1)
        #expect(sv.stdout.hasPrefix("\(Tool.fixture("rules/stated-thirds.csv")): INTE giltig — 1 fel, 1 varning, 0 info; 1 tabell\n"))
        #expect(sv.stdout.contains("allocation-mismatch") && sv.stdout.contains("stämmer inte med fördelningsregeln"))
        let en = try Tool.run("anslag-allocate", args + ["--lang", "en"])
        #expect(en.stdout.hasPrefix("\(Tool.fixture("rules/stated-thirds.csv")): NOT valid — 1 error, 1 warning, 0 info; 1 table\n"))
        let bySetting = try Tool.runAny("LANG=sv_SE.UTF-8", [Tool.binDirectory + "/anslag-allocate"] + args)
        #expect(bySetting.stdout == sv.stdout)
        let reconcile = try Tool.run("anslag-reconcile", ["--help"])
        #expect(reconcile.stdout.contains("--lang"))
    }
}
