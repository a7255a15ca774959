import Testing
@testable import AnslagCore

@Suite("xlsx reader")
struct XlsxReaderTests {
    @Test("libxlsxwriter workbook: numbers, strings, formulas, dates, merged, hidden")
    func basic() throws {
        let reader = try open("xlsx/basic.xlsx")
        #expect(reader.sheets.map(\.name) == ["Blad1", "Dold", "Tom"])
        #expect(reader.sheets.map(\.state) == [.visible, .hidden, .visible])
        let s = try reader.sheet(at: 0)
        #expect(s["A1"]?.value == .string("Post"))
        #expect(s["B2"]?.value == .number(1_200_000))
        #expect(s["B3"]?.value == .number(2_500_000.5))
        #expect(s["B4"]?.value == .number(0.1))
        // A formula keeps its text and its cached value.
        #expect(s["B5"] == Cell(.number(3_700_000.6), formula: "SUM(B2:B4)"))
        #expect(s["A6"]?.value == .bool(true))
        #expect(s["B6"]?.value == .bool(false))
        #expect(s["A7"]?.value == date(2024, 1, 31))
        #expect(s["B7"]?.value == dateTime(2023, 11, 1, 13, 30, 15))
        #expect(s["C7"]?.value == time(8, 45, 0))
        #expect(s["D7"]?.value == .duration(36 * 3600))
        // "Dag "0: the quoted literal holds d, a and y, but the format shows a number.
        #expect(s["A8"]?.value == .number(7))
        #expect(s["B8"]?.value == date(2024, 1, 31))   // built-in format 14
        #expect(s["C8"] == Cell(.string("ab"), formula: "\"a\"&\"b\""))
        #expect(s["A9"]?.value == .string("Rad 1\nRad 2"))
        #expect(s["C9"]?.value == .string("Göteborg – 1480 åäö"))
        #expect(s["A10"]?.value == .string("Sammanslagen rubrik"))
        #expect(s.rows[9].count == 1)   // the merged cells after the first hold nothing
        #expect(s.merged == [CellRange(a1: "A10:C10")!])
        #expect(s["E11"]?.value == .number(-300_000))
        #expect(s["A12"]?.value == .number(123_456_789_012.25))
        #expect(s["B12"]?.value == .number(0.00001))
        #expect(s["A13"]?.value == .string("Totalt regioner"))
        #expect(s.rows.count == 13)
        #expect(try reader.sheet(at: 1).rows == [[Cell(.string("hemlig"))]])
        #expect(try reader.sheet(at: 2).rows.isEmpty)
    }

    @Test("running counters, lying dimension, inline/rich/phonetic strings, escapes, t=\"d\", 1904, odd rels")
    func quirks() throws {
        let reader = try open("xlsx/quirks.xlsx")
        // Order from workbook.xml, not from part numbers; a backslash, odd-case and an absolute target.
        #expect(reader.sheets.map(\.name) == ["Första", "Andra", "Gömd"])
        #expect(reader.sheets.map(\.state) == [.visible, .visible, .veryHidden])
        let s = try reader.sheet(at: 0)
        #expect(values(s)[0] == [.string("Region"), .string("Västra Götaland"), .string("東京")])
        #expect(values(s)[1] == [.string("inline"), .string("rich"), .string("Rad\r\nslut _x0041_ A")])
        // date1904: serial 1 (built-in format 14) is 1904-01-02; serial 0, below one day, is a
        // time of day; "[Red]General" is a number.
        #expect(values(s)[2] == [time(0, 0, 0), date(1904, 1, 2), .number(42)])
        #expect(values(s)[3] == [date(2024, 1, 31), dateTime(2024, 1, 31, 10, 20, 30), .error("#DIV/0!"),
                                 .bool(true), .string("Region!")])
        #expect(s["E4"]?.formula == "A1&\"!\"")
        #expect(values(s)[6] == [.empty, .empty, .number(3.5), .number(-2)])
        #expect(values(s)[7] == [.number(1.0000000000000002), .number(1e20)])
        #expect(s.merged == [CellRange(a1: "A9:C10")!])
        #expect(values(try reader.sheet(at: 1)) == [[], [.empty, .number(2)]])
        #expect(values(try reader.sheet(at: 2)) == [[.string("gömd")]])
    }

    @Test("Strict OOXML and the 1900 leap-year bug")
    func strict() throws {
        let s = try open("xlsx/strict.xlsx").sheet(at: 0)
        // Serial 61 is 1900-03-01; 59 is 1900-02-28 (Excel counts a 1900-02-29 between them).
        #expect(values(s) == [[.string("År"), date(1900, 3, 1), date(1900, 2, 28), .number(2024)]])
    }

    @Test("streaming delivers every row in order without keeping them")
    func streaming() throws {
        let reader = try open("xlsx/rows.xlsx")
        var count = 0, sum = 0.0, lastIndex = -1
        try reader.readSheet(at: 0) { index, cells in
            #expect(index == lastIndex + 1)
            lastIndex = index
            count += 1
            if case .number(let v) = cells[1].cell.value { sum += v }
            if index == 19_999 { #expect(cells[0].cell.value == .string("Rad 20000")) }
        }
        #expect(count == 20_000)
        #expect(sum == 20_000 * 20_001 / 2)
    }

    @Test("sheet lookup by name, case-insensitive name and number")
    func sheetLookup() throws {
        let reader = try open("xlsx/basic.xlsx")
        #expect(try reader.sheetIndex("Dold") == 1)
        #expect(try reader.sheetIndex("tom") == 2)
        #expect(try reader.sheetIndex("1") == 0)
        #expect(throws: ReadError.noSuchSheet(file: fixture("xlsx/basic.xlsx"), sheet: "Saknas", available: ["Blad1", "Dold", "Tom"])) {
            try reader.sheetIndex("Saknas")
        }
    }

    @Test("standard input bytes read like the file")
    func fromBytes() throws {
        let bytes = try FileInput.read(path: fixture("xlsx/basic.xlsx"))
        let a = try openSpreadsheet(.bytes(bytes, name: "<stdin>")).workbook()
        let b = try open("xlsx/basic.xlsx").workbook()
        #expect(a == b)
    }
}
