import Testing
@testable import AnslagCore

@Suite("ods and csv readers")
struct OdsCsvTests {
    /// LibreOffice's re-save of list-wrong: the amounts B4:B9 in style ce2, whose data style
    /// N144 (styles.xml) is a number with a space embedded three digits from the right and the
    /// text " kr" (the colleague's `# ##0 "kr"`); the text cells have no format.
    @Test func odsNumberFormatsFromTheCellStyles() throws {
        let reader = try open("budget/libreoffice/list-wrong.ods")
        let formats = try #require(reader as? any NumberFormatsReading).numberFormats(at: 0)
        for row in 4...9 { #expect(formats[CellPosition(row: row - 1, column: 1)] == "#\" \"##0\" kr\"", "B\(row)") }
        #expect(formats[CellPosition(a1: "A4")!] == nil)
    }

    /// The data styles turned into Excel codes: grouping and decimals, a currency with its
    /// positive section mapped and its negative one red, a percentage, a date, an elapsed time;
    /// a cell takes its own style, else its column's default.
    @Test func odsDataStylesBecomeExcelCodes() throws {
        let content = """
            <d xmlns:number="n" xmlns:style="s" xmlns:table="t" xmlns:office="o" xmlns:fo="f">
            <number:number-style style:name="N1"><number:number number:decimal-places="2" number:min-decimal-places="2" number:min-integer-digits="1" number:grouping="true"/></number:number-style>
            <number:currency-style style:name="C0P0"><number:number number:decimal-places="0" number:min-integer-digits="1" number:grouping="true"/><number:text> </number:text><number:currency-symbol>kr</number:currency-symbol></number:currency-style>
            <number:currency-style style:name="C0"><style:text-properties fo:color="#ff0000"/><number:text>-</number:text><number:number number:decimal-places="0" number:min-integer-digits="1" number:grouping="true"/><number:text> </number:text><number:currency-symbol>kr</number:currency-symbol><style:map style:condition="value()&gt;=0" style:apply-style-name="C0P0"/></number:currency-style>
            <number:percentage-style style:name="P1"><number:number number:decimal-places="1" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
            <number:date-style style:name="D1"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
            <number:time-style style:name="T1" number:truncate-on-overflow="false"><number:hours/><number:text>:</number:text><number:minutes number:style="long"/></number:time-style>
            <style:style style:name="base" style:family="table-cell" style:data-style-name="N1"/>
            <style:style style:name="ce1" style:family="table-cell" style:parent-style-name="base"/>
            <style:style style:name="ce2" style:family="table-cell" style:data-style-name="C0"/>
            <style:style style:name="ce3" style:family="table-cell" style:data-style-name="P1"/>
            <style:style style:name="ce4" style:family="table-cell" style:data-style-name="D1"/>
            <style:style style:name="ce5" style:family="table-cell" style:data-style-name="T1"/>
            <table:table table:name="S"><table:table-column table:number-columns-repeated="5"/><table:table-column table:default-cell-style-name="ce2"/>
            <table:table-row><table:table-cell table:style-name="ce1" office:value-type="float"/><table:table-cell table:style-name="ce3" office:value-type="percentage"/>
            <table:table-cell table:style-name="ce4" office:value-type="date"/><table:table-cell table:style-name="ce5" office:value-type="time"/>
            <table:table-cell table:style-name="ce1" office:value-type="string"/><table:table-cell office:value-type="currency"/></table:table-row>
            </table:table></d>
            """
        let h = OdsFormatsHandler(target: 0)
        try XMLStream.parse(file: "t.ods", part: "content.xml", bytes: Array(content.utf8), handler: h)
        #expect(h.formats() == [
            CellPosition(a1: "A1")!: "#,##0.00",                                   // through the parent style
            CellPosition(a1: "B1")!: "0.0%",
            CellPosition(a1: "C1")!: "yyyy\"-\"mm\"-\"dd",
            CellPosition(a1: "D1")!: "[h]\":\"mm",
            CellPosition(a1: "F1")!: "#,##0\" \"\"kr\";[Red]\"-\"#,##0\" \"\"kr\"",   // the column's default style
        ])
    }

    @Test func ods() throws {
        let reader = try open("ods/book.ods")
        #expect(reader.sheets == [SheetInfo(name: "Budget", state: .visible), SheetInfo(name: "Dold", state: .hidden)])
        let s = try reader.sheet(at: 0)
        #expect(values(s) == [
            [.string("Område"), .string("Belopp")],
            // text:s c="2" is two spaces; paragraphs join with a line break; the annotation is not text.
            [.string("Två  mellanslag\nandra raden"), .number(1_500_000)],
            [], [], [],
            [.number(2), .number(2), .bool(true), date(2023, 11, 1), dateTime(2023, 11, 1, 8, 30, 0),
             time(13, 45, 0), .number(0.25), .number(1_500_000)],
            [.string("igen")], [.string("igen")],
            [.string("Rubrik")],
        ])
        #expect(s["H6"]?.formula == "SUM([.B2:.B2])")
        #expect(s.merged == [CellRange(a1: "A9:B9")!])
    }

    @Test func latin1Semicolon() throws {
        let reader = try open("csv/latin1-semicolon.csv") as! CsvReader
        #expect(reader.encoding == .windows1252)
        #expect(reader.delimiter == ";")
        #expect(values(try reader.sheet(at: 0)) == [
            [.string("Region"), .string("Folkmängd 2023")],
            [.string("1480 Göteborg"), .string("604 829")],
            [.string("1384 Kungsbacka"), .string("85 931")],
            [.string("Ålö; \"citat\"")],
        ])
    }

    @Test func utf8BOMComma() throws {
        let reader = try open("csv/utf8-bom-comma.csv") as! CsvReader
        #expect(reader.encoding == .utf8BOM)
        #expect(reader.delimiter == ",")
        #expect(values(try reader.sheet(at: 0)) == [
            [.string("Kommun"), .string("Belopp")], [.string("Malmö, stad"), .string("12,5")], [.string("två\nrader"), .string("3")],
        ])
    }

    @Test func tabSeparated() throws {
        let reader = try open("csv/tab.tsv") as! CsvReader
        #expect(reader.delimiter == "\t")
        #expect(values(try reader.sheet(at: 0)) == [[.string("år"), .string("värde")], [.string("2023"), .string("−300 000")]])
    }

    @Test func rfc4180Records() {
        #expect(CsvParser.records("a,\"b,c\",\"d\"\"e\"\r\n1,,3\n", delimiter: ",") == [["a", "b,c", "d\"e"], ["1", "", "3"]])
        #expect(CsvParser.records("x\ry", delimiter: ",") == [["x"], ["y"]])
        #expect(CsvParser.records("no newline at end", delimiter: ",") == [["no newline at end"]])
        #expect(CsvParser.sniffDelimiter("a;b;c\n1;2;3\n4;5;6\n") == ";")
        #expect(CsvParser.sniffDelimiter("a\tb\n1\t2\n") == "\t")
        #expect(CsvParser.sniffDelimiter("\"x, y\";1\n\"z, w\";2\n") == ";")
    }

    @Test func encodings() {
        #expect(TextDecoding.decode([0x47, 0xF6, 0x74, 0x65, 0x62, 0x6F, 0x72, 0x67]).0 == "Göteborg")
        #expect(TextDecoding.decode([0x80, 0x96]).0 == "€–")
        #expect(TextDecoding.decode(Array("Göteborg".utf8)).1 == .utf8)
        #expect(TextDecoding.decode([0xEF, 0xBB, 0xBF, 0x61]) == ("a", .utf8BOM))
        #expect(TextEncoding(name: "latin1") == .windows1252)
    }
}
