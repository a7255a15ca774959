import Testing
@testable import AnslagCore

@Suite("money and amounts in text")
struct MoneyTests {
    @Test(arguments: [
        ("2 000 000 kr", Int64(2_000_000_00), AmountUnit?.some(.kronor)),
        ("12\u{00A0}345\u{00A0}600 kr", 12_345_600_00, .kronor),
        ("+4 321 000", 4_321_000_00, nil),
        ("\u{2212}300\u{202F}000", -300_000_00, nil),
        ("-300 000 kronor", -300_000_00, .kronor),
        ("(300 000)", -300_000_00, nil),
        ("1 234,50", 1_234_50, nil),
        ("1 234,5 kr", 1_234_50, .kronor),
        ("250 tkr", 250_000_00, .tkr),
        ("1,5 mnkr", 1_500_000_00, .mnkr),
        ("500 000:-", 500_000_00, .kronor),
        ("1.234.567", 1_234_567_00, nil),
        ("1.234,50", 1_234_50, nil),
        ("2500000.5", 2_500_000_50, nil),
        ("0,05 kr", 5, .kronor),
    ])
    func parses(text: String, ore: Int64, unit: AmountUnit?) {
        #expect(AmountText.parse(text) == AmountText.Parsed(amount: Money(ore: ore), unit: unit))
    }

    @Test func notAmounts() {
        for text in ["Respektive part har fått medel", "", "kr", "1/3", "12 år", "0,001", "1,2,3 mnkr x"] {
            #expect(AmountText.parse(text) == nil, "\(text)")
        }
    }

    @Test func tablesInThousands() {
        #expect(AmountText.parse("1 234", defaultUnit: .tkr)?.amount == Money(kronor: 1_234_000))
        #expect(AmountText.parse("1 234,5", defaultUnit: .tkr)?.amount == Money(kronor: 1_234_500))
        // A unit in the text wins over the table's.
        #expect(AmountText.parse("7 kr", defaultUnit: .tkr)?.amount == Money(kronor: 7))
    }

    @Test func spreadsheetNumbersAreExact() {
        #expect(Money(spreadsheetNumber: 2_500_000.5) == Money(ore: 250_000_050))
        #expect(Money(spreadsheetNumber: 0.1 + 0.2) == nil)   // 0.30000000000000004 is not whole öre
        #expect(Money(spreadsheetNumber: 0.3) == Money(ore: 30))
        #expect(Money(spreadsheetNumber: 1234.5, unit: .tkr) == Money(kronor: 1_234_500))
        #expect(Money(spreadsheetNumber: 1e20) == nil)
    }

    @Test func sumsAndText() {
        #expect(Money.sum([Money(kronor: 3_333_333), Money(kronor: 3_333_333), Money(kronor: 3_333_333)]) == Money(kronor: 9_999_999))
        #expect(Money.sum([Money(ore: .max), Money(ore: 1)]) == nil)
        #expect(Money(kronor: 1_234_567).description == "1 234 567 kr")
        #expect(Money(ore: -123_450).description == "-1 234,50 kr")
        #expect(Money(ore: 5).description == "0,05 kr")
    }
}
