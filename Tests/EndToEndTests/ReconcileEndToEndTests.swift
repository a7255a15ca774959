import Testing
import AnslagCore
#if canImport(Glibc)
import Glibc
#endif

@Suite("anslag-reconcile end to end")
struct ReconcileEndToEndTests {
    static let batch = Tool.fixture("reconcile/batch")
    static let allocation = Tool.fixture("reconcile/allocation.csv")

    @Test func theBatchHasExactlyTheDeliberateProblems() throws {
        let r = try Tool.run("anslag-reconcile", ["--allocation", Self.allocation, Self.batch, "--report", "json", "--jobs", "2"])
        #expect(r.status == 1)
        // code, file (last component), sheet!cell, stated, computed — and nothing else.
        let check = try Tool.runAny("python3", ["-c", """
            import json, sys
            r = json.load(sys.stdin)
            for f in r["findings"]:
                name = (f["file"] or "").rsplit("/", 1)[-1]
                print(f["severity"], f["code"], name, f"{f['sheet']}!{f['cell']}" if f["cell"] else "-", f["stated"], f["computed"])
            rows = {x["name"]: x["status"] for x in r["recipients"]}
            print(len(r["recipients"]), rows["Töreboda"], rows["Alingsås"], rows["Borås"], rows["Göteborg"], rows["Lerum"], rows["Ale"])
            """], stdin: r.stdout)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout == """
            error budget-exceeds-allocation Alingsås budget 2025.xlsx Budget!B9 459000 434000
            info recipient-matched-loosely Göteborg budget 2025.xlsx - None None
            info recipient-matched-loosely Göteborg återrapportering 2025.xlsx - None None
            info recipient-matched-loosely Lerum återrapportering 2025.xlsx - None None
            info recipient-matched-loosely budget_final_v3 (2).xlsx - None None
            error unused-mismatch Borås återrapportering 2025.xlsx Återrapportering!B6 12000 10000
            error file-unreadable Skövde budget 2025.xlsx - None None
            error recipient-missing  - None 418000
            49 missing mismatch mismatch ok ok ok

            """)
    }

    @Test func oneJobAndTwoJobsGiveTheSameReport() throws {
        let one = try Tool.run("anslag-reconcile", ["--allocation", Self.allocation, Self.batch, "--report", "json", "--jobs", "1"])
        let two = try Tool.run("anslag-reconcile", ["--allocation", Self.allocation, Self.batch, "--report", "json", "--jobs", "2"])
        #expect(one.stdout == two.stdout)
        #expect(one.stderr == "" && two.stderr == "")   // no progress bar when stderr is not a terminal
    }

    @Test(.enabled(if: jsonSchemaAvailable, "needs python3 with jsonschema"))
    func jsonMatchesTheSchema() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let r = try Tool.run("anslag-reconcile", ["--allocation", Self.allocation, Self.batch, "-o", dir + "/r.json"])
        #expect(r.status == 1)
        let v = try Tool.validate(json: dir + "/r.json", schema: "reconcile.schema.json")
        #expect(v.status == 0, "\(v.stderr)")
    }

    @Test func summaryWorkbook() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        let r = try Tool.run("anslag-reconcile", ["--allocation", Self.allocation, Self.batch, "-o", dir + "/s.xlsx"])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("96 files: NOT valid — 4 errors, 0 warnings, 4 info; 95 tables\n"))
        let reader = try openSpreadsheet(.path(dir + "/s.xlsx"))
        #expect(reader.sheets.map(\.name) == ["Avstämning", "Fynd"])
        let s = try reader.sheet(at: 0)
        // The provenance block (what was reconciled, against which allocation, the files read,
        // the tool), a blank row, the header on row 6, the 49 recipients on rows 7–55.
        #expect(s["A1"]?.value == .string("Avstämning: 49 mottagare"))
        #expect(s["A2"]?.value == .string("Fördelning: \(Self.allocation)"))
        #expect(s["A3"]?.value == .string("Underlag: \(Self.batch) (96 filer)"))
        #expect(s["A4"].map { "\($0.value)".contains("Skapad av anslag-reconcile ") } == true)
        #expect(s["B6"]?.value == .string("Mottagare"))
        #expect(s["C56"] == Cell(.number(21_849_000), formula: "SUM(C7:C55)"))   // the allocation table's own Summa
        #expect(s["I8"]?.value == .string("avvikelse") && s["B8"]?.value == .string("Alingsås"))
        let fynd = try reader.sheet(at: 1)
        #expect(fynd["A1"]?.value == .string("Avstämning: 49 mottagare"))
        #expect(fynd.rows.contains { $0.count > 9 && $0[9].value == .string("B8") })   // Alingsås's finding links to its row
        let parts = try Tool.runAny("unzip", ["-l", dir + "/s.xlsx"])
        #expect(parts.stdout.contains("xl/charts/chart1.xml"))
        if ssconvert != nil { #expect(try recalculatedMismatches(dir + "/s.xlsx") == []) }
    }

    @Test func otherAllocationSourcesAndTheMap() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        // A file the matching cannot place, placed by the map.
        _ = system("cp '\(Self.batch)/Sjuhärad/Borås budget 2025.xlsx' '\(dir)/scan0001.xlsx'")
        let unmatched = try Tool.run("anslag-reconcile", ["--allocation", Self.allocation, dir + "/scan0001.xlsx", "--report", "json"])
        #expect(unmatched.stdout.contains("\"code\": \"budget-below-allocation\"") == false)
        Tool.write(dir + "/map.csv", "fil;mottagare\nscan0001.xlsx;1490\n")
        let mapped = try Tool.run("anslag-reconcile", ["--allocation", Self.allocation, dir + "/scan0001.xlsx", "--map", dir + "/map.csv", "--report", "json"])
        #expect(mapped.stdout.contains("\"name\": \"Borås\", \"allocated\": 435000, \"budgeted\": 435000"))
        // The allocation as Anslag's JSON.
        _ = try Tool.run("anslag-allocate", [Tool.fixture("rules/nested.yaml"), "-o", dir + "/a.json"])
        let fromJSON = try Tool.run("anslag-reconcile", ["--allocation", dir + "/a.json", dir + "/scan0001.xlsx", "--report", "json"])
        #expect(fromJSON.status == 1)
        #expect(fromJSON.stdout.contains("\"code\": \"recipient-unmatched\""))
        #expect(fromJSON.stdout.contains("\"name\": \"Kommunalförbunden\", \"allocated\": 10000000"))
    }

    @Test func anslagBudgetJSONIsAnInputToo() throws {
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        _ = try Tool.run("anslag-import", [Self.batch + "/Sjuhärad/Borås budget 2025.xlsx", "-o", dir + "/Borås budget.json"])
        let r = try Tool.run("anslag-reconcile", ["--allocation", Self.allocation, dir + "/Borås budget.json", "--report", "json"])
        #expect(r.stdout.contains("{\"code\": \"1490\", \"name\": \"Borås\", \"allocated\": 435000, \"budgeted\": 435000, \"grant\": null"))
    }

    @Test func badArgumentsExitTwo() throws {
        let r = try Tool.run("anslag-reconcile", ["--allocation", Tool.fixture("reconcile/nope.csv"), Self.batch])
        #expect(r.status == 2)
        let missing = try Tool.run("anslag-reconcile", ["--allocation", Self.allocation, Tool.fixture("reconcile/no-such-folder")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-folder"))
    }
}
