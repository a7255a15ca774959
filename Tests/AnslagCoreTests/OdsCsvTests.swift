import Testing
@testable import AnslagCore

@Suite("ods and csv readers")
struct OdsCsvTests {
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
