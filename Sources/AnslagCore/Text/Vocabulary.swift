/// The Swedish words recognition looks for, all in one place. Every list holds folded text
/// (`TextFold.fold`: lower case, no diacritics, single spaces), so "Årets resultat" is
/// `arets resultat`.
enum Vocabulary {
    /// A row whose label is one of these, or starts with one followed by more words, states a
    /// total ("Summa", "Summa kostnader", "Totalt regioner").
    static let totalWords = ["summa", "totalt", "total", "totalsumma", "sammanlagt", "totala kostnader", "totala intakter"]

    /// The whole labels of a stated allocation table's total row (`anslag-allocate --check`).
    static let allocationTotalLabels: Set<String> = ["summa", "totalt", "total", "summa totalt", "totalt belopp", "summa fordelning", "totalsumma", "sum"]

    /// Result rows of a resultaträkning, resultatbudget or kassaflödesanalys: running totals of
    /// what stands above them since the previous result row (prefixes of the folded label).
    static let resultPrefixes = [
        "verksamhetens nettokostnad", "verksamhetens resultat", "verksamhetens netto",
        "rorelseresultat", "resultat efter", "resultat fore", "arets resultat", "periodens resultat",
        "bruttoresultat", "nettoresultat", "finansnetto", "balanskravsresultat", "arets balanskravsresultat",
        "justerat resultat", "arets kassaflode", "kassaflode fran", "likvida medel vid arets slut",
        "likvida medel vid periodens slut", "nettokostnad", "nettoinvestering", "skatteintakter och statsbidrag",
        "medel fran verksamheten", "medel fran den lopande verksamheten", "kassaflode efter", "arets forandring av likvida medel",
    ]
    /// Labels that are result rows only as the whole label.
    static let resultLabels = ["nettokostnader", "summa netto"]
    /// Result rows that carry the result above them on (a running total): what stands since
    /// the previous result row is added to it, never stated alone. "Finansnetto" and
    /// "Nettokostnad" are not among them: they net their own lines.
    static let runningResultPrefixes = [
        "verksamhetens resultat", "rorelseresultat", "resultat efter", "resultat fore", "arets resultat",
        "periodens resultat", "balanskravsresultat", "arets balanskravsresultat", "justerat resultat",
    ]
    static let runningResultLabels = ["resultat"]
    /// "Resultat" alone is a result row only right under another total or result row (the last
    /// row of a resultatbudget); under "Eget kapital" it is the year's result, a line.
    static let bareResult = "resultat"

    /// Breakdown rows ("varav årets resultat", "därav …"): parts of the row above, never added.
    static let breakdownPrefixes = ["varav", "darav", "av vilket", "varav:"]

    /// Change rows between years: "Förändring 2023–2024", "Differens".
    static let changePrefixes = ["forandring", "differens"]

    /// Header texts that make a table an allocation table (recipient, amount, key).
    static let allocationHeads = ["mottagare", "bidragsmottagare", "organisation", "nyckel", "fordelningsnyckel", "fordelning"]

    /// Words of a column head naming a figure computed from others in its row (checked as a
    /// sum or difference of two columns when the data show which).
    static let relationHeads = ["avvikelse", "differens", "nettokostnad", "nettointakt", "nettoinvestering", "netto "]
    /// Column heads of note references ("Not", "Noter"): the column holds note numbers, never amounts.
    static let noteHeads = ["not", "noter", "not nr", "notnr", "not.", "hanvisning"]

    /// Words in a column head and the kind of figure they name.
    /// (The kinds are `BudgetLine.ColumnKind`'s raw values.)
    static let columnKinds: [(word: String, kind: String)] = [
        ("bokslut", "outcome"), ("utfall", "outcome"), ("redovisning", "outcome"), ("ar", "outcome"),
        ("budget", "budget"), ("plan", "plan"), ("prognos", "forecast"),
        ("avvikelse", "deviation"), ("differens", "deviation"), ("forandring", "change"),
        ("summa", "total"), ("totalt", "total"), ("total", "total"),
    ]

    /// The label of the cell naming a budget's or report's recipient (reconciliation).
    static let recipientLabels: Set<String> = ["mottagare", "bidragsmottagare", "organisation", "organisationsnummer", "kommun",
                                               "kommunalforbund", "region", "sokande", "stodmottagare"]

    /// The words of a note that only states the unit ("Angivet i tusental kronor").
    static let unitNoteWords: Set<String> = [
        "angivet", "anges", "i", "belopp", "beloppen", "alla", "samtliga", "redovisas", "ar", "tusental", "tusentals", "tusen",
        "kronor", "kr", "tkr", "mnkr", "mkr", "mdkr", "sek", "ksek", "msek", "miljoner", "miljontal", "miljarder", "1000", "1", "000", "tal",
    ]

    /// The label of a header row whose only head is one year ("Belopp i mnkr | 2018").
    static let headLabels: Set<String> = ["belopp", "post", "poster", "konto", "benamning", "not", "ar", "verksamhet", "text"]
}
