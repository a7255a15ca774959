import Testing
#if canImport(Glibc)
import Glibc
#endif
import AnslagCore

/// Gnumeric's ssconvert, which recalculates every formula (`--recalc`); Scripts/test installs it.
let ssconvert: String? = ["/usr/bin/ssconvert", "/usr/local/bin/ssconvert"].first { access($0, X_OK) == 0 }

/// Converts `xlsx` with a real spreadsheet application that recalculates, and compares every
/// cell with what Anslag's reader reads from the file (the values Anslag wrote, formulas'
/// cached values included). Returns the cells that differ.
func recalculatedMismatches(_ xlsx: String) throws -> [String] {
    let dir = Tool.temporaryDirectory()
    defer { _ = system("rm -rf '\(dir)'") }
    let r = try Tool.run(ssconvert!, ["--recalc", "-S", xlsx, dir + "/out.csv"], absolute: true)
    #expect(r.status == 0, "ssconvert: \(r.stderr)")
    let reader = try openSpreadsheet(.path(xlsx))
    var mismatches: [String] = []
    for (i, info) in reader.sheets.enumerated() where info.kind == .worksheet {
        let text = String(decoding: try FileInput.read(path: dir + "/out.csv.\(i)"), as: UTF8.self)
        let theirs = CsvParser.records(text, delimiter: ",")
        let mine = try reader.sheet(at: i)
        for (r, row) in mine.rows.enumerated() {
            for (c, cell) in row.enumerated() {
                let other = r < theirs.count && c < theirs[r].count ? theirs[r][c] : ""
                if !agrees(cell.value, other) {
                    mismatches.append("\(info.name)!\(CellPosition(row: r, column: c).a1): Anslag \(cell.value), recalculated \"\(other)\"")
                }
            }
        }
    }
    return mismatches
}

func agrees(_ v: CellValue, _ text: String) -> Bool {
    func seconds(_ t: String) -> Double? {
        let p = t.split(separator: ":").compactMap { Double($0) }
        return p.count == 3 ? p[0] * 3600 + p[1] * 60 + p[2] : nil
    }
    switch v {
    case .empty: return text.isEmpty
    case .string(let s), .error(let s): return s == text
    case .bool(let b): return text == (b ? "TRUE" : "FALSE")
    case .number(let d):
        guard let o = Double(text) else { return false }
        return abs(o - d) <= 1e-9 * max(1, abs(d))
    case .dateTime(let dt):
        return String(text.map { $0 == "/" ? "-" : $0 == " " ? "T" : $0 }) == dt.iso
    case .duration(let s):
        return seconds(text).map { abs($0 - s) < 0.001 } ?? false
    }
}

@Suite("real client: Gnumeric recalculates Anslag's workbooks", .enabled(if: ssconvert != nil, "Gnumeric's ssconvert is not installed"))
struct RealClientTests {
    @Test func theRecalculationIsReal() throws {
        // A workbook whose cached SUM is wrong must show the difference.
        let m = try recalculatedMismatches(Tool.fixture("xlsx/wrong-cached-total.xlsx"))
        #expect(m == ["Summa!A3: Anslag number(999.0), recalculated \"3\""])
    }

    @Test func convertedWorkbookWithLiveFormulas() throws {
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        let r = try Tool.run("anslag-convert", ["--all-sheets", "--to", "xlsx", Tool.fixture("xlsx/basic.xlsx"), "-o", dir + "/b.xlsx"])
        #expect(r.status == 0)
        // The SUM stays a live formula with its cached value.
        let back = try openSpreadsheet(.path(dir + "/b.xlsx")).sheet(at: 0)
        #expect(back["B5"] == Cell(.number(3_700_000.6), formula: "SUM(B2:B4)"))
        #expect(try recalculatedMismatches(dir + "/b.xlsx") == [])
    }

    @Test func populationWorkbookAndExport() throws {
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        _ = try Tool.run("anslag-scb", [Tool.fixture("scb/inconsistent.csv"), "-o", dir + "/p.xlsx"])
        #expect(try recalculatedMismatches(dir + "/p.xlsx") == [])
        _ = try Tool.run("anslag-scb", [Tool.fixture("scb/web-title-latin1-comma.csv"), "-o", dir + "/w.json"])
        let e = try Tool.run("anslag-export", [dir + "/w.json", "-o", dir + "/w.xlsx"])
        #expect(e.status == 0)
        #expect(try recalculatedMismatches(dir + "/w.xlsx") == [])
    }

    @Test(arguments: ["nested.yaml", "floor-residual.yaml", "base-rest.yaml"])
    func allocationWorkbooks(_ rules: String) throws {
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        let r = try Tool.run("anslag-allocate", [Tool.fixture("rules/" + rules), "-o", dir + "/a.xlsx", "--chart"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try recalculatedMismatches(dir + "/a.xlsx") == [])
    }

    @Test(arguments: ["sectioned-ok.xlsx", "list-ok.xlsx", "matrix-ok.xlsx"])
    func budgetWorkbooks(_ fixture: String) throws {
        let dir = Tool.temporaryDirectory()
        defer { _ = system("rm -rf '\(dir)'") }
        #expect(try Tool.run("anslag-import", [Tool.fixture("budget/" + fixture), "-o", dir + "/b.json"]).status == 0)
        #expect(try Tool.run("anslag-export", [dir + "/b.json", "-o", dir + "/long.xlsx"]).status == 0)
        #expect(try Tool.run("anslag-export", [dir + "/b.json", "-o", dir + "/tables.xlsx", "--layout", "per-table", "--chart"]).status == 0)
        #expect(try recalculatedMismatches(dir + "/long.xlsx") == [])
        #expect(try recalculatedMismatches(dir + "/tables.xlsx") == [])
        // The fixture itself, with its SUM formulas, recalculates to what it states.
        #expect(try recalculatedMismatches(Tool.fixture("budget/" + fixture)) == [])
    }

    @Test func aWrongCachedTotalInABudgetShowsUp() throws {
        #expect(try recalculatedMismatches(Tool.fixture("budget/list-wrong.xlsx")) == ["Budget 2024!B9: Anslag number(4550001.0), recalculated \"4550000\""])
    }
}
