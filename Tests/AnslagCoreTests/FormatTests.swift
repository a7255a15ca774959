import Testing
@testable import AnslagCore

@Suite("number formats, dates, text")
struct FormatTests {
    @Test(arguments: [
        ("General", NumberKind.number), ("0.00", .number), ("# ##0 \"kr\"", .number), ("#,##0\\ \"tkr\"", .number),
        ("\"Dag \"0", .number), ("[Red][<-25]General;[Blue]General", .number), ("0%", .number), ("@", .number),
        ("yyyy-mm-dd", .date), ("d/m/yy h:mm", .date), ("[$-41D]d\\ mmmm\\ yyyy;@", .date), ("hh:mm:ss AM/PM", .date),
        ("[h]:mm:ss", .duration), ("[mm]:ss", .duration), ("[Red]#,##0", .number), ("_-* #,##0_-", .number),
    ])
    func classify(code: String, kind: NumberKind) {
        #expect(NumberKind.of(formatCode: code) == kind)
    }

    @Test func builtinIds() {
        #expect(NumberKind.builtin(14) == .date)
        #expect(NumberKind.builtin(22) == .date)
        #expect(NumberKind.builtin(46) == .duration)
        #expect(NumberKind.builtin(3) == .number)
    }

    @Test func serials() {
        #expect(SerialDate.dateTime(serial: 45322, date1904: false)?.iso == "2024-01-31")
        #expect(SerialDate.dateTime(serial: 45322.5, date1904: false)?.iso == "2024-01-31T12:00:00")
        #expect(SerialDate.dateTime(serial: 0.25, date1904: false)?.iso == "06:00:00")
        #expect(SerialDate.dateTime(serial: 1, date1904: false)?.iso == "1900-01-01")
        #expect(SerialDate.dateTime(serial: 59, date1904: false)?.iso == "1900-02-28")
        #expect(SerialDate.dateTime(serial: 61, date1904: false)?.iso == "1900-03-01")
        #expect(SerialDate.dateTime(serial: 0, date1904: true)?.iso == "00:00:00")
        #expect(SerialDate.dateTime(serial: 1, date1904: true)?.iso == "1904-01-02")
        #expect(SerialDate.dateTime(serial: 0.5631388888888889, date1904: false)?.iso == "13:30:55.200000")
        #expect(SerialDate.dateTime(serial: -1.2, date1904: false)?.iso == "19:12:00")
        #expect(SerialDate.dateTime(serial: 1e12, date1904: false) == nil)
    }

    @Test func isoText() {
        #expect(SerialDate.parseISO("2024-01-31")?.iso == "2024-01-31")
        #expect(SerialDate.parseISO("2014-02-14T08:27:48.765Z")?.iso == "2014-02-14T08:27:48.765000")
        #expect(SerialDate.parseISO("10:10:10")?.iso == "10:10:10")
        #expect(SerialDate.parseISO("2024-13-01") == nil)
        #expect(parseISODuration("PT12H30M05.5S") == 45005.5)
    }

    @Test func ooxmlEscapes() {
        #expect(decodeOOXMLText(Array("a_x000D_b".utf8)) == "a\rb")
        #expect(decodeOOXMLText(Array("_x005F_x0041_".utf8)) == "_x0041_")
        #expect(decodeOOXMLText(Array("_xD83D__xDE00_".utf8)) == "😀")
        #expect(decodeOOXMLText(Array("_xFFFE_".utf8)) == "_xFFFE_")
        #expect(decodeOOXMLText(Array("_x12_ plain".utf8)) == "_x12_ plain")
    }

    @Test func cellReferences() {
        #expect(CellPosition(a1: "A1") == CellPosition(row: 0, column: 0))
        #expect(CellPosition(a1: "$AB$12") == CellPosition(row: 11, column: 27))
        #expect(CellPosition(a1: "XFD1048576") == CellPosition(row: 1_048_575, column: 16_383))
        #expect(CellPosition(a1: "XFE1") == nil)
        #expect(CellPosition(row: 6, column: 2).a1 == "C7")
        #expect(CellPosition.columnName(701) == "ZZ")
    }

    @Test func numberText() {
        #expect(CellText.number(3) == "3")
        #expect(CellText.number(-0.0) == "0")
        #expect(CellText.number(0.1) == "0.1")
        #expect(CellText.number(2_500_000.5) == "2500000.5")
        #expect(CellText.number(1e-5) == "1e-05")
        #expect(CellText.number(1e20) == "1e+20")
        #expect(CellText.duration(48655.2) == "PT48655.2S")
    }
}
