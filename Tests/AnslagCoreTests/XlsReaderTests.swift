import Testing
@testable import AnslagCore

@Suite("xls (BIFF8) reader")
struct XlsReaderTests {
    @Test func budgetWorkbook() throws {
        let reader = try open("xls/budget.xls")
        #expect(reader.sheets == [SheetInfo(name: "Budget", state: .visible), SheetInfo(name: "Dold", state: .hidden)])
        let s = try reader.sheet(at: 0)
        #expect(values(s) == [
            // The third shared string continues in a CONTINUE record.
            [.string("Region"), .string("Västra Götaland"), .string("Lång text som fortsätter i nästa post")],
            // NUMBER, RK integer, RK divided by 100.
            [.number(2_500_000.5), .number(1_200_000), .number(123.45)],
            [.number(1), .number(2), .number(3)],   // MULRK
            [date(2024, 1, 31), dateTime(2023, 11, 1, 12, 0, 0), .duration(36 * 3600)],
            [.bool(true), .error("#DIV/0!"), .string("Malmö stad")],
            // Formula results: a number, a string from the STRING record, a boolean.
            [.number(3_700_000.5), .string("Summa"), .bool(true)],
            // The embedded chart's cached NUMBER at J10 is not a cell; A7:C7 is merged.
            [.string("Göteborg")],
        ])
        #expect(s.merged == [CellRange(a1: "A7:C7")!])
        #expect(values(try reader.sheet(at: 1)) == [[.number(7)]])
    }

    /// Each number cell's format from its XF (Scripts/fixtures/handmade.py: A4 built-in 14, the
    /// locale's short date, left to the writer; B4 FORMAT 164 `yyyy-mm-dd;@`; C4 165 `[h]:mm`;
    /// the rest General); the embedded chart's cached NUMBER is not a cell.
    @Test func numberFormatsFromTheXFs() throws {
        let reader = try open("xls/budget.xls")
        let formats = try #require(reader as? any NumberFormatsReading).numberFormats(at: 0)
        #expect(formats == [CellPosition(a1: "B4")!: "yyyy-mm-dd;@", CellPosition(a1: "C4")!: "[h]:mm"])
        #expect(BuiltinFormats.code(3) == "#,##0" && BuiltinFormats.code(14) == nil && BuiltinFormats.code(0) == nil)
    }

    @Test func cyclicChainsFail() {
        #expect(throws: ReadError.malformed(file: fixture("hostile/cyclic-fat.xls"), part: "compound file",
                                            detail: "the Workbook chain loops back on itself")) {
            try open("hostile/cyclic-fat.xls").workbook()
        }
    }

    @Test func compoundFileWithoutWorkbookIsNamed() {
        // The hostile legacy.xls is a bare CFB signature: not a compound file one can read.
        #expect(throws: ReadError.self) { try open("hostile/legacy.xls").workbook() }
    }

    @Test func rkNumbers() {
        #expect(BiffRecords.rk(UInt32(1_200_000 << 2 | 2)) == 1_200_000)
        #expect(BiffRecords.rk(UInt32(12345 << 2 | 3)) == 123.45)
        #expect(BiffRecords.rk(UInt32(bitPattern: Int32(-5) << 2 | 2)) == -5)
        // 1.5 as the high 30 bits of a double.
        #expect(BiffRecords.rk(UInt32(truncatingIfNeeded: 1.5.bitPattern >> 32)) == 1.5)
    }
}
