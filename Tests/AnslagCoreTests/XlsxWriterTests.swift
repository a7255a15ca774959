import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import AnslagCore

func temporaryPath(_ name: String) -> String {
    var template = Array("/tmp/anslag-xlsx-XXXXXX".utf8CString)
    let dir = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
    return dir + "/" + name
}

@Suite("xlsx writer")
struct XlsxWriterTests {
    @Test func sheetNamesExcelAccepts() {
        #expect(XlsxWorkbook.sheetName("Budget 2024/2025: [utkast]?", taken: []) == "Budget 2024_2025_ _utkast__")
        #expect(XlsxWorkbook.sheetName(String(repeating: "x", count: 40), taken: []).count == 31)
        #expect(XlsxWorkbook.sheetName("Blad1", taken: ["blad1"]) == "Blad1 (2)")
        #expect(XlsxWorkbook.sheetName("", taken: []) == "Blad")
    }

    @Test func excelSerials() {
        #expect(DateTimeValue(year: 2024, month: 1, day: 31, kind: .date).excelSerial == 45_322)
        #expect(DateTimeValue(year: 1900, month: 1, day: 1, kind: .date).excelSerial == 1)
        #expect(DateTimeValue(year: 1900, month: 3, day: 1, kind: .date).excelSerial == 61)
        #expect(DateTimeValue(year: 0, month: 0, day: 0, hour: 6, kind: .time).excelSerial == 0.25)
    }

    @Test func gridRoundTrip() throws {
        let original = try open("xlsx/basic.xlsx").workbook()
        let path = temporaryPath("grid.xlsx")
        try GridXlsxWriter.write(original.sheets, to: path)
        let back = try openSpreadsheet(.path(path)).workbook()
        #expect(back.sheets.map(\.info) == original.sheets.map(\.info))
        // Values survive; formula text does not (values only).
        #expect(back.sheets.map { values($0) } == original.sheets.map { values($0) })
    }

    @Test func populationWorkbook() throws {
        let r = try importFixture("inconsistent.csv")
        let findings = PopulationChecks.run(r.table)
        let path = temporaryPath("p.xlsx")
        try PopulationXlsxWriter.write(r.table, findings: findings, to: path)
        let reader = try openSpreadsheet(.path(path))
        #expect(reader.sheets.map(\.name) == ["Befolkning", "Fynd"])
        let data = try reader.sheet(at: 0)
        // The provenance block (the title, the source and its reference period), a blank row,
        // then the header on row 4 and the observations below it.
        #expect(values(data)[0] == [.string("Befolkning")])
        #expect(values(data)[1] == [.string("Källfil: \(r.table.metadata.source), referensperiod 2023")])
        #expect(values(data)[2].isEmpty)
        // Heads and the sex codes in Swedish (the JSON and CSV keep the codes).
        #expect(values(data)[3] == ["Region", "Regionnamn", "Kön", "Period", "Antal", "Symbol"].map { CellValue.string($0) })
        // Codes stay text with their zeros; values are numbers.
        #expect(values(data)[6] == [.string("10"), .string("Blekinge län"), .string("totalt"), .string("2023"), .number(874_889)])
        let f = try reader.sheet(at: 1)
        #expect(values(f)[0] == [.string("Befolkning")])
        #expect(f.rows.count == 7)
        // Swedish heads and severity on the findings sheet, as on every sheet a reader sees.
        #expect(values(f)[3] == ["Allvarlighet", "Kod", "Plats", "Förväntat", "Faktiskt", "Cell", "Meddelande"].map { CellValue.string($0) })
        #expect(f["A5"]?.value == .string("fel"))
        #expect(f["F5"]?.value == .string("E7"))   // the link to the total that disagrees
        #expect(f["D5"]?.value == .number(874_878))
    }

    /// Columns of amounts are measured as the format shows them: `25 000 kr` (9 characters),
    /// `21 849 000 kr` (13), `6 469 843,33` (12), never narrower, so the next column's text does
    /// not run into them.
    @Test func amountsAreMeasuredAsTheyShow() {
        #expect(XlsxSheet.shown(25_000, .kronor).count >= 9)
        #expect(XlsxSheet.shown(25_000, .highlighted(.kronor)).count >= 9)
        #expect(XlsxSheet.shown(21_849_000, .kronor).count >= 13)
        #expect(XlsxSheet.shown(6_469_843.33, .decimal).count >= 12)
        #expect(XlsxSheet.shown(7, .plain).count == 4)   // "7" and the room to spare, as before
    }

    @Test func normalizedJSONErrorsNameThePath() {
        func failure(_ text: String) -> String? {
            do { _ = try NormalizedJSON.read(bytes: Array(text.utf8), file: "in.json"); return nil } catch { return "\(error)" }
        }
        #expect(failure("{\"kind\":\"population\",\"source\":\"s\",\"dimensions\":[\"region\"],\"observations\":[{\"value\":1}]}")
                == "in.json: $.observations[0].region: expected text")
        #expect(failure("{\"kind\":\"population\",\"source\":\"s\",\"dimensions\":[\"region\"],\"observations\":[{\"region\":\"01\",\"value\":null}]}")
                == "in.json: $.observations[0].symbol: a null value needs its symbol")
        #expect(failure("[1]") == "in.json: $: expected an object")
        #expect(failure("{\"sheets\":[{\"name\":\"a\",\"rows\":[[{}]]}]}") == "in.json: $.sheets[0].rows[0][0]: expected a number, text, true/false or null")
        #expect(failure("{\"a\":") == "in.json: $: not valid JSON at byte 5: unexpected end")
    }
}
