import Testing
@testable import AnslagCore

// The layouts of real published tables (Scripts/conformance_real.py measures them on the
// rebuilt tables; these pin each point on a small sheet, the expected figures worked out by
// hand in the comments).

private func t(_ s: String) -> Cell { Cell(.string(s)) }
private func n(_ d: Double, _ f: String? = nil) -> Cell { Cell(.number(d), formula: f) }
private let e = Cell(.empty)

private func read(_ rows: [[Cell]], name: String = "S") -> BudgetRecognizer.Result {
    BudgetRecognizer().read(Workbook(sheets: [Sheet(info: SheetInfo(name: name, state: .visible), rows: rows)]), file: "s.xlsx")
}

private func errors(_ r: BudgetRecognizer.Result) -> [String] {
    r.findings.filter { $0.severity == .error }.map { "\($0.cell ?? "") \($0.stated.map { "\($0)" } ?? "") \($0.computed.map { "\($0)" } ?? "")" }
}

@Suite("anslag-import: layouts of real published tables")
struct RealLayoutTests {
    // 1. A unit stated in the header cell applies to every block below, across blank rows and
    //    headings; a unit in words ("i kronor") is stated.
    @Test func unitsHaveAScope() throws {
        let r = read([
            [t("Balansräkning")],
            [t("Belopp i mnkr"), t("2018")],
            [t("Anläggningar"), n(5)],
            [t("Summa anläggningar"), n(5)],
            [],
            [t("OMSÄTTNING")],
            [t("Kassa"), n(3)],
            [t("Summa omsättning"), n(3)],
        ])
        #expect(r.findings.isEmpty)
        let amounts = r.budget.tables.flatMap(\.lines).compactMap(\.amount)
        #expect(amounts == [5, 5, 3, 3].map { Money(kronor: $0 * 1_000_000) })
        let kronor = read([[t("Medel 2023 i kronor")], [t("Län"), t("Medel")], [t("Uppsala"), n(10)], [t("Totalt"), n(10)]])
        #expect(kronor.findings.isEmpty)   // no unit-assumed
    }

    // 2–3. Years written as numbers in the header row head columns; a Not column holds note
    //      numbers ("6, 7" too), never amounts. Every line carries its column.
    @Test func yearHeadsAndNoteColumns() throws {
        let r = read([
            [t("Resultaträkning (mnkr)")],
            [e, t("Not"), n(2018), n(2017)],
            [t("Nettoomsättning"), n(1), n(972), n(928)],
            [t("Övriga intäkter"), t("6, 7"), n(44), n(28)],
            [t("Summa intäkter"), e, n(1_016), n(956)],   // 972 + 44 = 1 016; 928 + 28 = 956
        ])
        #expect(r.findings.isEmpty)
        let lines = r.budget.tables[0].lines.filter { $0.amount != nil }
        #expect(lines.map(\.cell) == ["'S'!C3", "'S'!D3", "'S'!C4", "'S'!D4", "'S'!C5", "'S'!D5"])
        #expect(lines[0].column == BudgetLine.Column(head: "2018", year: 2018, kind: nil))
        let b = read([[t("mnkr"), t("Not"), t("Bokslut 2023"), t("Budget 2025")], [t("Skatt"), n(1), n(10), n(11)], [t("Summa"), e, n(10), n(11)]])
        let cols = b.budget.tables[0].lines.compactMap(\.column)
        #expect(cols.first == BudgetLine.Column(head: "Bokslut 2023", year: 2023, kind: .outcome))
        #expect(cols.dropFirst().first == BudgetLine.Column(head: "Budget 2025", year: 2025, kind: .budget))
    }

    // A super-header is joined in front of the heads below it.
    @Test func superHeaders() throws {
        let r = read([
            [e, e, t("Kommunen"), e, t("Koncernen")],
            [t("Belopp i mnkr"), t("Not"), n(2018), n(2017), n(2018)],
            [t("Kassa"), e, n(1), n(2), n(3)],
            [t("Summa"), e, n(1), n(2), n(3)],
        ])
        #expect(r.findings.isEmpty)
        let heads = r.budget.tables[0].lines.compactMap(\.column?.head)
        #expect(heads.prefix(3) == ["Kommunen 2018", "Kommunen 2017", "Koncernen 2018"])
    }

    // 4. A total spans the subtotals of its blocks and the lines outside them; a total wrong
    //    against its visible parts but right against all the lines under them is not reported.
    @Test func totalsHaveStructure() throws {
        let r = read([
            [t("Belopp i mnkr"), t("2017")],
            [t("EGET KAPITAL"), n(100)],
            [t("– varav årets resultat"), n(7)],       // a breakdown: never added
            [t("MINORITET"), t("-")],                  // nothing
            [],
            [t("AVSÄTTNINGAR")],
            [t("Pension"), n(20)],
            [t("Övriga"), n(5)],
            [t("Summa avsättningar"), n(25)],
            [],
            [t("SKULDER")],
            [t("Långa"), n(30)],
            [t("Summa skulder"), n(30)],
            [],
            [t("Summa eget kapital och skulder"), n(156)],   // 100 + 0 + 25 + 30 = 155
        ])
        #expect(errors(r) == ["B15 156 000 000 kr 155 000 000 kr"])
        #expect(r.budget.tables.flatMap(\.lines).contains { $0.role == .breakdown && $0.amount == Money(kronor: 7_000_000) })
    }

    // 5. Result rows are running totals of what stands above them since the previous result.
    @Test func resultRowsAreRunningTotals() throws {
        let r = read([
            [t("tkr"), t("2019")],
            [t("Verksamhetens intäkter"), n(100)],
            [t("Verksamhetens kostnader"), n(-400)],
            [t("VERKSAMHETENS NETTOKOSTNADER"), n(-300)],    // 100 − 400
            [t("Skatteintäkter"), n(310)],
            [t("Verksamhetens resultat"), n(10)],            // −300 + 310
            [t("Finansiella kostnader"), n(-3)],
            [t("Resultat efter finansiella poster"), n(8)],  // 10 − 3 = 7: wrong by 1 tkr
            [t("Årets resultat"), n(8)],                     // agrees with the row above
        ])
        #expect(errors(r) == ["B8 8 000 kr 7 000 kr"])
    }

    // 6. A SUM with no stored result states what the formula says, and an info says so.
    @Test func formulasWithoutAStoredResult() throws {
        let r = read([
            [t("Post"), t("Belopp")],
            [t("A"), n(100)],
            [t("B"), n(50)],
            [t("Summa"), Cell(.empty, formula: "=SUM(B2:B3)")],
            [t("Avgår"), n(-20)],
            [t("Netto"), Cell(.empty, formula: "=B4+B5")],   // 150 − 20 = 130
        ])
        #expect(r.findings.filter { $0.code == .formulaEvaluated }.map(\.cell) == ["B4", "B6"])
        #expect(errors(r).isEmpty)
        #expect(r.budget.tables[0].lines.last?.amount == Money(kronor: 130))
    }

    // 7. A workbook in which no table has a total: a warning, not a silent "valid".
    @Test func nothingCheckedIsSaid() throws {
        let r = read([[t("Post"), t("Belopp")], [t("A"), n(1)], [t("B"), n(2)]])
        #expect(r.findings.map(\.code) == [.unitAssumed, .noTotalFound])
    }

    // A row-total column (D = B + C) is checked per row.
    @Test func rowTotalColumns() throws {
        let r = read([
            [t("Landsting"), t("Summa primärvård"), t("Summa förlossning"), t("Summa")],
            [t("Stockholm"), n(26_576_108), n(84_725_537), n(111_301_645)],
            [t("Uppsala"), n(4_227_131), n(13_476_238), n(17_703_368)],   // 17 703 369
        ])
        #expect(errors(r) == ["D3 17 703 368 kr 17 703 369 kr"])
    }

    // A summary block restates section totals: each checked against the section it names.
    @Test func summaryBlocksNameTheirSections() throws {
        let r = read([
            [t("Mottagare"), t("Belopp")],
            [t("Region A"), n(10)],
            [t("Region B"), n(20)],
            [t("Totalt regioner"), n(30)],
            [t("Kommun C"), n(5)],
            [t("Totalt kommuner"), n(5)],
            [t("Totalt")],
            [t("Totalt regioner"), n(31)],        // the section says 30
            [t("Totalt kommuner"), n(5)],
            [t("Totalt överenskommelsen"), n(35)],
        ])
        #expect(errors(r) == ["B8 31 kr 30 kr"])
    }

    // Parent rows above their parts, and columns that are two others' sum or difference.
    @Test func parentRowsAboveTheirParts() throws {
        let r = read([
            [t("tkr"), t("Utfall"), t("Budget")],
            [t("Kommunstyrelsen"), n(-300), n(-310)],   // parts: -100 - 150 - 51 = -301 (stated -300); budget -105 - 155 - 50 = -310
            [t("Kansli"), n(-100), n(-105)],
            [t("IT"), n(-150), n(-155)],
            [t("Ekonomi"), n(-51), n(-50)],
            [t("Socialnämnden"), n(-500), n(-520)],     // parts: -200 - 300 = -500; -220 - 300 = -520
            [t("Äldreomsorg"), n(-200), n(-220)],
            [t("Individ och familj"), n(-300), n(-300)],
            [t("Summa"), n(-800), n(-830)],            // over the parents: -300 - 500 = -800; -310 - 520 = -830
        ])
        #expect(errors(r) == ["B2 -300 000 kr -301 000 kr"])
        let roles = r.budget.tables[0].lines.filter { $0.label == "Kommunstyrelsen" }.map(\.role)
        #expect(roles == [.subtotal, .subtotal])
        // Lines that merely sit together are no parent: 10 ≠ 4 + 5 in both columns.
        let plain = read([[t("kr"), t("A"), t("B")], [t("x"), n(10), n(20)], [t("y"), n(4), n(8)], [t("z"), n(5), n(9)], [t("Summa"), n(19), n(37)]])
        #expect(plain.findings.isEmpty)
    }

    @Test func rowRelationsOfAvvikelseColumns() throws {
        // Avvikelse = Utfall − Budget on every row but the third: 7 − 9 = −2, stated −1.
        let r = read([
            [t("tkr"), t("Utfall 2023"), t("Budget 2023"), t("Avvikelse")],
            [t("A"), n(10), n(12), n(-2)],
            [t("B"), n(20), n(15), n(5)],
            [t("C"), n(7), n(9), n(-1)],
            [t("D"), n(30), n(26), n(4)],
            [t("E"), n(8), n(3), n(5)],
        ])
        #expect(errors(r) == ["D4 -1 000 kr -2 000 kr"])
        // Too little evidence (two rows): nothing is said.
        let few = read([[t("tkr"), t("Utfall"), t("Budget"), t("Avvikelse")], [t("A"), n(10), n(12), n(-2)], [t("B"), n(20), n(15), n(6)]])
        #expect(errors(few).isEmpty)
    }

    @Test func aBareRowUnderItsBlockOnceTheTableHasOne() throws {
        let r = read([
            [t("tkr"), t("2022")],
            [t("Rörelsens intäkter")],
            [t("Hyror"), n(100)],
            [t("Övrigt"), n(20)],
            [e, n(120)],                 // 100 + 20: a bare subtotal
            [],
            [t("Rörelsens kostnader")],
            [t("Drift"), n(-30)],
            [t("Underhåll"), n(-40)],
            [t("Skatt"), n(-5)],
            [e, n(-45)],                 // -30 - 40 - 5 = -75, stated -45 (only the last two)
            [],
            [t("Rörelseresultat"), n(75)],   // 120 - 45 = 75: agrees with the stated subtotal
        ])
        #expect(errors(r) == ["B11 -45 000 kr -75 000 kr"])
    }

    // Two blocks side by side under one head row (B + C = D, F + G = H). On row 3 the right
    // block restates its heads (v3, v4, v5 in F, G, H), so below it H is no total column:
    // row 4's 9 + 7 against 20 is not checked, while the left block's D still is (4 + 6 = 10).
    // The same sheet without the restated heads reports H3: 20 stated, 9 + 7 = 16 computed.
    @Test func aRestatedHeadEndsATotalColumn() throws {
        let r = read([
            [t("Vecka"), t("v1"), t("v2"), t("Total"), e, t("v1"), t("v2"), t("Total")],
            [t("Gas"), n(1), n(2), n(3), t("Kol"), n(5), n(5), n(10)],
            [t("El"), n(4), n(6), n(10), e, t("v3"), t("v4"), t("v5")],
            [t("Olja"), n(4), n(6), n(10), t("Ny"), n(9), n(7), n(20)],
        ])
        #expect(errors(r).isEmpty)
        let unrestated = read([
            [t("Vecka"), t("v1"), t("v2"), t("Total"), e, t("v1"), t("v2"), t("Total")],
            [t("Gas"), n(1), n(2), n(3), t("Kol"), n(5), n(5), n(10)],
            [t("Olja"), n(4), n(6), n(10), t("Ny"), n(9), n(7), n(20)],
        ])
        #expect(errors(unrestated) == ["H3 20 kr 16 kr"])
    }

    // 5. A running result carries the result above it on: "Resultat efter finansiella
    //    poster" stating only the finance net (5 − 3 = 2) instead of 20 + 5 − 3 = 22 is an
    //    error (Region Blekinge's resultatbudget 2023 has one). A bare "Resultat" right under
    //    it is the last result row: 22 against the 2 above it, but it agrees with all the lines
    //    under it, so it is not reported again. "Resultat" under "Eget kapital" is the year's
    //    result, a line of the balance sheet.
    @Test func aRunningResultIsNotTheNetOfItsLastLines() throws {
        let r = read([
            [t("tkr"), t("2023")],
            [t("Verksamhetens intäkter"), n(100)], [t("Verksamhetens kostnader"), n(-80)],
            [t("Verksamhetens resultat"), n(20)],
            [t("Finansiella intäkter"), n(5)], [t("Finansiella kostnader"), n(-3)],
            [t("Resultat efter finansiella poster"), n(2)],
            [t("Resultat"), n(22)],
        ])
        #expect(errors(r) == ["B7 2 000 kr 22 000 kr"])
        #expect(r.budget.tables.flatMap(\.lines).first { $0.label == "Resultat" }?.role == .total)
        let balance = read([
            [t("tkr"), t("2023")], [t("Eget kapital")],
            [t("Resultat"), n(5)], [t("Övrigt eget kapital"), n(95)], [t("Summa eget kapital"), n(100)],
        ])
        #expect(errors(balance).isEmpty)
        #expect(balance.budget.tables.flatMap(\.lines).first { $0.label == "Resultat" }?.role == .line)
    }

    @Test func forandringAvLagerIsALine() throws {
        let r = read([[t("tkr"), t("2019")], [t("Nettoomsättning"), n(100)], [t("Förändring av lager"), n(-5)], [t("Summa intäkter"), n(95)]])
        #expect(r.findings.isEmpty)
    }
}

private func readSheets(_ sheets: [(String, [[Cell]])]) -> BudgetRecognizer.Result {
    BudgetRecognizer().read(Workbook(sheets: sheets.map { Sheet(info: SheetInfo(name: $0.0, state: .visible), rows: $0.1) }), file: "s.xlsx")
}

// 8. An overview sheet's rows state the totals of the area sheets they name.
@Suite("anslag-import: totals across sheets")
struct CrossSheetTests {
    // Kommunstyrelsen: 1 000 + 200 = 1 200 tkr, as the overview says. Socialnämnden:
    // 2 000 + 501 = 2 501 tkr, its own Summa right, the overview's 2 500 one tkr short.
    static let areas: [(String, [[Cell]])] = [
        ("Kommunstyrelsen", [[t("tkr"), t("Budget 2025")], [t("Löner"), n(1000)], [t("Lokaler"), n(200)], [t("Summa"), n(1200)]]),
        ("Socialnämnden", [[t("tkr"), t("Budget 2025")], [t("Löner"), n(2000)], [t("Övrigt"), n(501)], [t("Summa"), n(2501)]]),
    ]

    @Test func anOverviewRowThatDisagreesWithItsSheetIsReported() throws {
        let r = readSheets([("Sammanställning", [
            [t("Driftbudget per nämnd, tkr")], [t("Nämnd"), t("Budget 2025")],
            [t("Kommunstyrelsen"), n(1200)], [t("Socialnämnden"), n(2500)], [t("Summa"), n(3700)]])] + Self.areas)
        let errs = r.findings.filter { $0.severity == .error }
        #expect(errs.count == 1)
        let f = try #require(errs.first)
        #expect(f.code == .crossSheetMismatch)
        #expect(f.sheet == "Sammanställning" && f.cell == "B4")
        #expect(f.stated == Money(kronor: 2_500_000) && f.computed == Money(kronor: 2_501_000) && f.delta == Money(kronor: -1_000))
        #expect(f.lines == "'Socialnämnden'!B4")
    }

    // Two year columns on each side, in the opposite order: matched by year, not by place.
    // 2024: Kommunstyrelsen 1 100 (overview 1 100), Socialnämnden 2 400 (overview 2 400);
    // 2025: 1 200 and 2 501 against 1 200 and 2 501: everything agrees.
    @Test func columnsAreMatchedByYear() throws {
        let r = readSheets([
            ("Översikt", [[t("tkr"), t("Budget 2024"), t("Budget 2025")],
                          [t("Kommunstyrelsen"), n(1100), n(1200)], [t("Socialnämnden"), n(2400), n(2501)],
                          [t("Summa"), n(3500), n(3701)]]),
            ("Kommunstyrelsen", [[t("tkr"), t("Budget 2025"), t("Budget 2024")], [t("Löner"), n(1000), n(900)],
                                 [t("Lokaler"), n(200), n(200)], [t("Summa"), n(1200), n(1100)]]),
            ("Socialnämnden", [[t("tkr"), t("Budget 2025"), t("Budget 2024")], [t("Löner"), n(2000), n(2000)],
                               [t("Övrigt"), n(501), n(400)], [t("Summa"), n(2501), n(2400)]]),
        ])
        #expect(r.findings.filter { $0.severity == .error }.isEmpty)
        // The same overview with 2024 and 2025 swapped for Socialnämnden: two errors, B3 and C3.
        let swapped = readSheets([
            ("Översikt", [[t("tkr"), t("Budget 2024"), t("Budget 2025")],
                          [t("Kommunstyrelsen"), n(1100), n(1200)], [t("Socialnämnden"), n(2501), n(2400)],
                          [t("Summa"), n(3601), n(3600)]]),
        ] + [("Kommunstyrelsen", [[t("tkr"), t("Budget 2025"), t("Budget 2024")], [t("Löner"), n(1000), n(900)],
                                   [t("Lokaler"), n(200), n(200)], [t("Summa"), n(1200), n(1100)]]),
              ("Socialnämnden", [[t("tkr"), t("Budget 2025"), t("Budget 2024")], [t("Löner"), n(2000), n(2000)],
                                 [t("Övrigt"), n(501), n(400)], [t("Summa"), n(2501), n(2400)]])])
        #expect(swapped.findings.filter { $0.severity == .error }.map { "\($0.cell ?? "") \($0.stated!) \($0.computed!)" }
                == ["B3 2 501 000 kr 2 400 000 kr", "C3 2 400 000 kr 2 501 000 kr"])
    }

    // An overview in mnkr with one decimal against sheets in tkr: 1 200 tkr is 1,2 mnkr and
    // 2 501 tkr rounds to 2,5 mnkr: both agree. 2,6 mnkr would not.
    @Test func aCoarserOverviewIsComparedAsRounded() throws {
        let ok = readSheets([("Översikt", [[t("mnkr"), t("Budget 2025")], [t("Kommunstyrelsen"), n(1.2)],
                                            [t("Socialnämnden"), n(2.5)], [t("Summa"), n(3.7)]])] + Self.areas)
        #expect(ok.findings.filter { $0.severity == .error }.isEmpty)
        let wrong = readSheets([("Översikt", [[t("mnkr"), t("Budget 2025")], [t("Kommunstyrelsen"), n(1.2)],
                                               [t("Socialnämnden"), n(2.6)], [t("Summa"), n(3.8)]])] + Self.areas)
        #expect(wrong.findings.filter { $0.severity == .error }.map { "\($0.cell ?? "") \($0.stated!) \($0.computed!)" }
                == ["B3 2 600 000 kr 2 501 000 kr"])
    }

    // Area sheets with two unnamed columns: which one the overview means is a guess, so no
    // comparison is made (and no error).
    @Test func noGuessWhenColumnsCannotBeMatched() throws {
        let r = readSheets([
            ("Översikt", [[t("tkr")], [t("Kommunstyrelsen"), n(999)], [t("Summa"), n(999)]]),
            ("Kommunstyrelsen", [[t("tkr")], [t("Löner"), n(1000), n(900)], [t("Summa"), n(1000), n(900)]]),
        ])
        #expect(r.findings.filter { $0.severity == .error }.isEmpty)
    }
}
