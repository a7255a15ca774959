/// The language of what Anslag writes for people: Swedish in workbooks by default, the
/// terminal's language (`--lang`, else `LANG`) on the terminal.
public enum Language: String, Sendable, CaseIterable {
    case sv, en

    /// From a locale name such as `sv_SE.UTF-8`, `en_US`, `C`: Swedish only when it says so.
    public static func fromLocale(_ name: String?) -> Language {
        guard let n = name?.lowercased(), !n.isEmpty else { return .en }
        return n.hasPrefix("sv") ? .sv : .en
    }
}

/// Texts of generated sheets, by stable key.
public enum TextKey: String, Sendable, CaseIterable {
    case severity, code, sheet, cell, stated, computed, difference, lines, message
    case error, warning, info, errors, warnings
    case findingsSheet, commentAuthor
    case role, label, year, area, key, amount, source
    case line, subtotal, total, change, note, heading, breakdown, recipient, allocation
    case computedColumn, differenceColumn, statedKept
    case provenanceTool, provenanceFile, provenanceRule, provenanceTotal, provenancePopulation, provenanceRunDate
    case provenanceTable, provenanceReferencePeriod, provenancePeriods, provenanceUpdated, provenanceUnknown
    case provenanceSheet, provenanceAllocation, provenanceInputs, provenanceFiles, budgetTitle, reconcileTitle, amountsInKronor
    case file, place, expectedCount, actualCount, reconcileRow
    case headRegion, headRegionName, headSex, headAge, headPeriod, headValue, headSymbol, sexMale, sexFemale, sexTotal, ageTotal
    case page, of
}

/// One message catalogue, Swedish and English: findings in words from their code and fields,
/// and every text Anslag writes into a workbook.
public enum Messages {
    /// Finding templates. `{stated}`, `{computed}`, `{delta}`, `{lines}`, `{cell}`, `{sheet}` (and,
    /// for counts, `{statedCount}`, `{computedCount}`, `{countDelta}`) are filled from the finding;
    /// a `[…]` segment is left out when a field it names is missing.
    public static let findings: [FindingCode: [Language: String]] = [
        .sumMismatch: [
            .sv: "Angiven summa[ {stated}] stämmer inte med raderna[ {lines}][, som ger {computed}][; differens {delta}].",
            .en: "The stated total[ {stated}] does not match the lines[ {lines}][, which add up to {computed}][; difference {delta}]."],
        .changeMismatch: [
            .sv: "Angiven förändring[ {stated}] stämmer inte med skillnaden mellan åren[ {lines}][, {computed}][; differens {delta}].",
            .en: "The stated change[ {stated}] does not match the difference between the years[ {lines}][, {computed}][; difference {delta}]."],
        .allocationResidual: [
            .sv: "Fördelningen går inte jämnt ut[: delarna {lines}][ ger {computed}][ mot angivet {stated}][; rest {delta}].",
            .en: "The allocation leaves a residual[: the parts {lines}][ add up to {computed}][ against the stated {stated}][; residual {delta}]."],
        .amountUnparsed: [
            .sv: "Texten ser ut som ett belopp men kan inte läsas exakt; den räknades inte med.",
            .en: "The text looks like an amount but cannot be read exactly; it was left out."],
        .unitAssumed: [
            .sv: "Ingen enhet angiven (som \u{201D}tkr\u{201D} eller \u{201D}i tusental kronor\u{201D}); beloppen lästes som kronor.",
            .en: "No unit stated (such as \u{201C}tkr\u{201D} or \u{201C}i tusental kronor\u{201D}); the amounts were read as kronor."],
        .formulaEvaluated: [
            .sv: "Formeln har inget sparat resultat; värdet räknades fram ur cellerna den anger[ ({computed})].",
            .en: "The formula has no stored result; its value was computed from the cells it names[ ({computed})]."],
        .noTotalFound: [
            .sv: "Ingenting kunde kontrolleras: ingen summa hittades i arbetsboken.",
            .en: "Nothing was checked: no total was found in the workbook."],
        .crossSheetMismatch: [
            .sv: "Beloppet[ {stated}] stämmer inte med samma belopp på ett annat blad[ ({computed})][; differens {delta}].",
            .en: "The amount[ {stated}] does not match the same amount on another sheet[ ({computed})][; difference {delta}]."],
        .allocationMismatch: [
            .sv: "Angivet belopp[ {stated}] stämmer inte med fördelningsregeln[, som ger {computed}][; differens {delta}].",
            .en: "The stated amount[ {stated}] does not match the allocation rule[, which gives {computed}][; difference {delta}]."],
        .totalMismatch: [
            .sv: "Angiven totalsumma[ {stated}] stämmer inte med regeln[, som ger {computed}][; differens {delta}].",
            .en: "The stated total[ {stated}] does not match the rule[, which gives {computed}][; difference {delta}]."],
        .noRecipientsFound: [
            .sv: "Ingen rad anger en mottagare i fördelningen.",
            .en: "No row names a recipient of the allocation."],
        .recipientDuplicate: [
            .sv: "Mottagaren finns på mer än en rad[ ({stated})].",
            .en: "The recipient is on more than one row[ ({stated})]."],
        .recipientMissing: [
            .sv: "En mottagare i fördelningen saknas[; regeln ger {computed}].",
            .en: "A recipient of the allocation is missing[; the rule gives {computed}]."],
        .recipientUnmatched: [
            .sv: "Raden anger en mottagare som inte finns i fördelningen[ ({stated})].",
            .en: "The row names a recipient who is not in the allocation[ ({stated})]."],
        .budgetBelowAllocation: [
            .sv: "Budgeten[ {stated}] är lägre än tilldelningen[ {computed}][; differens {delta}].",
            .en: "The budget[ {stated}] is below the allocation[ {computed}][; difference {delta}]."],
        .budgetExceedsAllocation: [
            .sv: "Budgeten[ {stated}] är högre än tilldelningen[ {computed}][; differens {delta}].",
            .en: "The budget[ {stated}] exceeds the allocation[ {computed}][; difference {delta}]."],
        .fileUnreadable: [
            .sv: "Filen kunde inte läsas.",
            .en: "The file could not be read."],
        .recipientMatchedLoosely: [
            .sv: "Mottagaren matchades ungefärligt, inte på exakt namn eller kod.",
            .en: "The recipient was matched loosely, not by the exact name or code."],
        .reportGrantMismatch: [
            .sv: "Rapporterat bidrag[ {stated}] stämmer inte med tilldelningen[ {computed}][; differens {delta}].",
            .en: "The grant reported[ {stated}] does not match the allocation[ {computed}][; difference {delta}]."],
        .unusedMismatch: [
            .sv: "Angivna medel som inte har förbrukats[ {stated}] stämmer inte med bidrag − kostnader[ {computed}][; differens {delta}].",
            .en: "The unused funds stated[ {stated}] do not match grant − costs[ {computed}][; difference {delta}]."],
        .textTotalAgrees: [
            .sv: "Summan i texten[ {stated}] stämmer med tabellen.",
            .en: "The total in the text[ {stated}] agrees with the table."],
        .textTotalDiffers: [
            .sv: "Summan i texten[ {stated}] stämmer inte med tabellen[ ({computed})][; differens {delta}].",
            .en: "The total in the text[ {stated}] does not match the table[ ({computed})][; difference {delta}]."],
        .textVaravMismatch: [
            .sv: "Beloppen efter \u{201D}varav\u{201D}[ ({computed})] stämmer inte med helheten[ {stated}][; differens {delta}].",
            .en: "The amounts after \u{201C}varav\u{201D}[ ({computed})] do not match the whole[ {stated}][; difference {delta}]."],
        .raggedRow: [
            .sv: "Raden har färre fält än rubrikraden och lästes inte.",
            .en: "The row has fewer fields than the header row and was not read."],
        .notANumber: [
            .sv: "Cellen är varken ett tal eller någon av SCB:s symboler (som \u{201D}..\u{201D}); värdet lästes inte.",
            .en: "The cell is neither a number nor one of SCB's symbols (such as \u{201C}..\u{201D}); the value was not read."],
        .encodingSwitched: [
            .sv: "Från den här raden finns tecken som inte är UTF-8; resten av filen lästes som Windows-1252.",
            .en: "From this line on there are bytes that are not UTF-8; the rest of the file was read as Windows-1252."],
        .regionCodePadded: [
            .sv: "Regionkoden hade tappat sin inledande nolla; den lästes med nollan tillagd.",
            .en: "The region code had lost its leading zero; it was read with the zero added."],
        .regionUnknown: [
            .sv: "Regionen finns inte i regionregistret.",
            .en: "The region is not in the region registry."],
        .regionNameDiffers: [
            .sv: "Kommunen har ett annat namn här än i regionregistret.",
            .en: "The municipality has another name here than in the region registry."],
        .sexSumMismatch: [
            .sv: "Män och kvinnor tillsammans[ ({computedCount})] stämmer inte med angiven totalsumma[ {statedCount}][; differens {countDelta}].",
            .en: "Men and women together[ ({computedCount})] do not match the stated total[ {statedCount}][; difference {countDelta}]."],
        .ageSumMismatch: [
            .sv: "Åldrarna tillsammans[ ({computedCount})] stämmer inte med angiven summa för alla åldrar[ {statedCount}][; differens {countDelta}].",
            .en: "The ages together[ ({computedCount})] do not match the stated total for all ages[ {statedCount}][; difference {countDelta}]."],
        .countySumMismatch: [
            .sv: "Länets kommuner tillsammans[ ({computedCount})] stämmer inte med angiven siffra för länet[ {statedCount}][; differens {countDelta}].",
            .en: "The county's municipalities together[ ({computedCount})] do not match the figure stated for the county[ {statedCount}][; difference {countDelta}]."],
        .riketSumMismatch: [
            .sv: "Länen eller kommunerna tillsammans[ ({computedCount})] stämmer inte med angiven siffra för riket[ {statedCount}][; differens {countDelta}].",
            .en: "The counties or municipalities together[ ({computedCount})] do not match the figure stated for Sweden[ {statedCount}][; difference {countDelta}]."],
        .ckmDeviation: [
            .sv: "Delarna[ ({computedCount})] avviker från totalsumman[ {statedCount}][ med {countDelta}]; SCB:s skyddsmetod (Cell Key Method) ger sådana avvikelser, och det är inget fel.",
            .en: "The parts[ ({computedCount})] deviate from the total[ {statedCount}][ by {countDelta}]; SCB's protection method (Cell Key Method) causes such deviations, and it is not an error."],
    ]

    public static let texts: [TextKey: [Language: String]] = [
        .severity: [.sv: "Allvarlighet", .en: "Severity"],
        .code: [.sv: "Kod", .en: "Code"],
        .sheet: [.sv: "Blad", .en: "Sheet"],
        .cell: [.sv: "Cell", .en: "Cell"],
        .stated: [.sv: "Angivet", .en: "Stated"],
        .computed: [.sv: "Beräknat", .en: "Computed"],
        .difference: [.sv: "Differens", .en: "Difference"],
        .lines: [.sv: "Rader", .en: "Lines"],
        .message: [.sv: "Meddelande", .en: "Message"],
        .error: [.sv: "fel", .en: "error"],
        .warning: [.sv: "varning", .en: "warning"],
        .info: [.sv: "info", .en: "info"],
        .errors: [.sv: "fel", .en: "errors"],
        .warnings: [.sv: "varningar", .en: "warnings"],
        .findingsSheet: [.sv: "Fynd", .en: "Findings"],
        .commentAuthor: [.sv: "Anslag", .en: "Anslag"],
        .role: [.sv: "Roll", .en: "Role"],
        .label: [.sv: "Post", .en: "Item"],
        .year: [.sv: "År", .en: "Year"],
        .area: [.sv: "Område", .en: "Area"],
        .key: [.sv: "Nyckel", .en: "Key"],
        .amount: [.sv: "Belopp", .en: "Amount"],
        .source: [.sv: "Källa", .en: "Source"],
        .line: [.sv: "post", .en: "line"],
        .subtotal: [.sv: "delsumma", .en: "subtotal"],
        .total: [.sv: "summa", .en: "total"],
        .change: [.sv: "förändring", .en: "change"],
        .note: [.sv: "anteckning", .en: "note"],
        .heading: [.sv: "rubrik", .en: "heading"],
        .breakdown: [.sv: "varav", .en: "breakdown"],
        .recipient: [.sv: "mottagare", .en: "recipient"],
        .allocation: [.sv: "fördelning", .en: "allocation"],
        .computedColumn: [.sv: "Beräknat", .en: "Computed"],
        .differenceColumn: [.sv: "Differens", .en: "Difference"],
        .statedKept: [.sv: "Angivet värde behållet; stämmer inte med raderna", .en: "Stated value kept; does not match its lines"],
        .provenanceTool: [.sv: "Skapad av", .en: "Made by"],
        .provenanceFile: [.sv: "Källfil", .en: "Source file"],
        .provenanceRule: [.sv: "Regel", .en: "Rule"],
        .provenanceTotal: [.sv: "Totalt", .en: "Total"],
        .provenancePopulation: [.sv: "Befolkning", .en: "Population"],
        .provenanceRunDate: [.sv: "Körd", .en: "Run"],
        .provenanceTable: [.sv: "tabell", .en: "table"],
        .provenanceReferencePeriod: [.sv: "referensperiod", .en: "reference period"],
        .provenancePeriods: [.sv: "perioder", .en: "periods"],
        .provenanceUpdated: [.sv: "uppdaterad", .en: "updated"],
        .provenanceUnknown: [.sv: "okänd", .en: "unknown"],
        .provenanceSheet: [.sv: "blad", .en: "sheet"],
        .provenanceAllocation: [.sv: "Fördelning", .en: "Allocation"],
        .provenanceInputs: [.sv: "Underlag", .en: "Files checked"],
        .provenanceFiles: [.sv: "filer", .en: "files"],
        .budgetTitle: [.sv: "Budget", .en: "Budget"],
        .amountsInKronor: [.sv: "Belopp i kronor", .en: "Amounts in kronor"],
        .file: [.sv: "Fil", .en: "File"],
        .place: [.sv: "Plats", .en: "Location"],
        .expectedCount: [.sv: "Förväntat", .en: "Expected"],
        .actualCount: [.sv: "Faktiskt", .en: "Actual"],
        .reconcileRow: [.sv: "Rad i avstämningen", .en: "Row in the reconciliation"],
        .headRegion: [.sv: "Region", .en: "Region"],
        .headRegionName: [.sv: "Regionnamn", .en: "Region name"],
        .headSex: [.sv: "Kön", .en: "Sex"],
        .headAge: [.sv: "Ålder", .en: "Age"],
        .headPeriod: [.sv: "Period", .en: "Period"],
        .headValue: [.sv: "Antal", .en: "Number"],
        .headSymbol: [.sv: "Symbol", .en: "Symbol"],
        .sexMale: [.sv: "män", .en: "men"],
        .sexFemale: [.sv: "kvinnor", .en: "women"],
        .sexTotal: [.sv: "totalt", .en: "total"],
        .ageTotal: [.sv: "totalt", .en: "total"],
        .reconcileTitle: [.sv: "Avstämning", .en: "Reconciliation"],
        .page: [.sv: "Sida", .en: "Page"],
        .of: [.sv: "av", .en: "of"],
    ]

    public static func text(_ key: TextKey, _ lang: Language = .sv) -> String {
        texts[key]?[lang] ?? texts[key]?[.en] ?? key.rawValue
    }

    public static func severity(_ s: Severity, _ lang: Language = .sv) -> String {
        switch s {
        case .error: return text(.error, lang)
        case .warning: return text(.warning, lang)
        default: return text(.info, lang)
        }
    }

    /// The finding in words from its code and fields. English falls back to the finding's own
    /// message, which names what the fields cannot (recipients, the text of a cell).
    public static func render(_ f: ReportFinding, _ lang: Language = .sv) -> String {
        if lang == .en { return f.message }
        guard let template = findings[f.code]?[lang] else { return f.message }
        return fill(template, f, lang)
    }

    /// A template filled from `f` (segments in `[…]` dropped when a field is missing).
    static func fill(_ template: String, _ f: ReportFinding, _ lang: Language) -> String {
        func value(_ name: Substring) -> String? {
            switch name {
            case "stated": return f.stated.map { amount($0, lang) }
            case "computed": return f.computed.map { amount($0, lang) }
            case "delta": return f.delta.map { amount($0, lang) }
            case "lines": return f.lines
            case "cell": return f.cell
            case "sheet": return f.sheet
            case "statedCount": return f.statedCount.map { count($0, lang) }
            case "computedCount": return f.computedCount.map { count($0, lang) }
            case "countDelta":
                guard let s = f.statedCount, let c = f.computedCount else { return nil }
                let (d, overflow) = s.subtractingReportingOverflow(c)
                return overflow ? nil : count(d, lang)
            default: return nil
            }
        }
        func expand(_ s: Substring) -> String? {
            var out = ""
            var i = s.startIndex
            while i < s.endIndex {
                if s[i] == "{", let close = s[i...].firstIndex(of: "}") {
                    guard let v = value(s[s.index(after: i)..<close]) else { return nil }
                    out += v
                    i = s.index(after: close)
                } else {
                    out.append(s[i]); i = s.index(after: i)
                }
            }
            return out
        }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "[") {
            out += expand(rest[..<open]) ?? ""
            guard let close = rest[open...].firstIndex(of: "]") else { break }
            out += expand(rest[rest.index(after: open)..<close]) ?? ""
            rest = rest[rest.index(after: close)...]
        }
        out += expand(rest) ?? ""
        return out
    }

    /// An amount as a reader of `lang` writes it: `1 500 000 kr`, `6 469 843,33 kr` (no-break
    /// spaces in Swedish); `1,500,000 kr` in English.
    public static func amount(_ m: Money, _ lang: Language = .sv) -> String {
        let a = m.ore.magnitude
        let ore = a % 100
        let decimals = ore == 0 ? "" : (lang == .sv ? "," : ".") + (ore < 10 ? "0" : "") + String(ore)
        return (m.ore < 0 ? "−" : "") + grouped(a / 100, lang) + decimals + (lang == .sv ? "\u{A0}kr" : " kr")
    }

    /// A count (persons) as a reader of `lang` writes it: `10\u{A0}551\u{A0}707`, `10,551,707`.
    public static func count(_ n: Int64, _ lang: Language = .sv) -> String {
        (n < 0 ? "−" : "") + grouped(n.magnitude, lang)
    }

    private static func grouped(_ n: UInt64, _ lang: Language) -> String {
        let whole = String(n)
        var out = ""
        for (i, ch) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { out += lang == .sv ? "\u{A0}" : "," }
            out.append(ch)
        }
        return out
    }
}

extension Messages {
    /// An allocation key in words (`AllocationNode.key`, written by the allocator in a fixed
    /// English grammar that the JSON keeps) in `lang`: `proportional to population aged 0-25 at
    /// 2023M10, after a base of 5 000 000 kr each` → `efter befolkning 0-25 år vid 2023M10, efter
    /// ett grundbelopp på 5 000 000 kr var`. A text outside that grammar (an older file) is
    /// returned as it is, never half translated.
    public static func keyText(_ key: String, _ lang: Language = .sv) -> String {
        guard lang == .sv else { return key }
        return KeyWords.swedish(key) ?? key
    }
}

/// The allocator's key grammar, read back: [fixed amounts first (X kr), then ] MAIN
/// [, after a base of X kr each][ (N exception[s])].
enum KeyWords {
    static func swedish(_ en: String) -> String? {
        var s = Substring(en)
        var out = ""
        if s.hasPrefix("fixed amounts first (") {
            s = s.dropFirst("fixed amounts first (".count)
            guard let close = s.firstRange(of: "), then ") else { return nil }
            out += "fasta belopp först (\(s[..<close.lowerBound])), sedan "
            s = s[close.upperBound...]
        }
        var suffix = ""
        if let open = s.ranges(of: " (").last, s.hasSuffix(" exception)") || s.hasSuffix(" exceptions)") {
            let inner = s[open.upperBound...].dropLast()
            guard let n = inner.split(separator: " ").first, Int(n) != nil else { return nil }
            suffix = " (\(n) undantag)"
            s = s[..<open.lowerBound]
        }
        var base = ""
        if let b = s.firstRange(of: ", after a base of ") {
            let rest = s[b.upperBound...]
            guard rest.hasSuffix(" kr each") else { return nil }
            base = ", efter ett grundbelopp på \(rest.dropLast(" each".count)) var"
            s = s[..<b.lowerBound]
        }
        guard let main = mainPart(s) else { return nil }
        return out + main + base + suffix
    }

    static func mainPart(_ s: Substring) -> String? {
        switch s {
        case "equal shares": return "lika delar"
        case "shares as written": return "andelar enligt regeln"
        default: break
        }
        if s.hasPrefix("fixed "), s.hasSuffix(" kr per recipient") {
            return "fast belopp \(s.dropFirst("fixed ".count).dropLast(" per recipient".count)) per mottagare"
        }
        if s == "proportional to population" || s.hasPrefix("proportional to population ") {
            // population[ aged A][ women|men|SEX][ k=v …][ at P]
            var words = s.dropFirst("proportional to population".count).split(separator: " ", omittingEmptySubsequences: true)[...]
            var out = "efter befolkning"
            if words.first == "aged", words.count >= 2 { out += " \(words.dropFirst().first!) år"; words = words.dropFirst(2) }
            if let w = words.first, w == "women" || w == "men" { out += w == "women" ? ", kvinnor" : ", män"; words = words.dropFirst() }
            while let w = words.first, w.contains("="), w != "at" { out += ", \(w)"; words = words.dropFirst() }
            if words.first == "at", words.count == 2 { out += " vid \(words.last!)"; words = [] }
            return words.isEmpty ? out : nil
        }
        if s.hasPrefix("proportional to "), let r = s.ranges(of: " in ").last {
            return "i proportion till \(s[s.index(s.startIndex, offsetBy: "proportional to ".count)..<r.lowerBound]) i \(s[r.upperBound...])"
        }
        return nil
    }
}
