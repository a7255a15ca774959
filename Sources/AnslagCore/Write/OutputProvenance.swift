/// Who wrote a workbook and when, for the provenance block of its sheets: the tool and its
/// version, and the run date (`SOURCE_DATE_EPOCH` when set, so that outputs are reproducible).
public struct OutputProvenance: Sendable, Equatable {
    public var tool: String
    public var version: String
    /// `2026-12-02`.
    public var runDate: String
    public init(tool: String, version: String, runDate: String) {
        self.tool = tool; self.version = version; self.runDate = runDate
    }

    /// The civil date (UTC) of `seconds` since 1970, `YYYY-MM-DD`.
    public static func date(secondsSince1970 seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (y, m, d) = SerialDate.civil(fromDays: Int(days))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }
}

/// The provenance block on top of every generated sheet: a bold title, then one text per row
/// (so that reading the workbook back sees titles, not figures) saying what the sheet came from
/// (the source file, the rule, the population and its reference period, whichever apply) and
/// who made it when, then a blank row. Every writer builds its block with these steps and
/// writes it with `write(on:)`; the annotated xlsx report renders the same lines as XML.
struct ProvenanceBlock {
    var lines: [(text: String, bold: Bool)] = []
    let language: Language

    init(title: String?, language: Language = .sv) {
        self.language = language
        if let title { lines.append((title, true)) }
    }

    /// `Källfil: budget.xlsx`: the key's text, a colon, the value.
    mutating func add(_ key: TextKey, _ value: String) {
        lines.append(("\(Messages.text(key, language)): \(value)", false))
    }

    /// The population and the date it refers to: `Befolkning: FILE, tabell T, referensperiod P[,
    /// perioder …][, uppdaterad U]` (`key` names what it is on this sheet).
    mutating func add(population p: PopulationProvenance, as key: TextKey = .provenancePopulation) {
        let lang = language
        func t(_ key: TextKey) -> String { Messages.text(key, lang) }
        var text = "\(t(key)): \(p.source)"
        if let id = p.tableId { text += ", \(t(.provenanceTable)) \(id)" }
        text += ", \(t(.provenanceReferencePeriod)) \(p.referencePeriod ?? t(.provenanceUnknown))"
        if !p.periods.isEmpty && p.periods != [p.referencePeriod ?? ""] { text += ", \(t(.provenancePeriods)) \(p.periods.joined(separator: ", "))" }
        if let u = p.updated { text += ", \(t(.provenanceUpdated)) \(u)" }
        lines.append((text, false))
    }

    /// `Skapad av anslag-export 0.15.0, körd 2026-12-02`.
    mutating func add(made: OutputProvenance?) {
        guard let made else { return }
        lines.append(("\(Messages.text(.provenanceTool, language)) \(made.tool) \(made.version), \(Messages.text(.provenanceRunDate, language).lowercased()) \(made.runDate)", false))
    }

    /// Rows the block takes with the blank row after it (the first row the sheet's own content may use).
    var height: Int { lines.isEmpty ? 0 : lines.count + 1 }

    /// Writes the block from row 0 of column A. The texts overflow to the right over the empty
    /// cells beside them and are not measured for the column's width, so a long file name never
    /// widens column A. Returns `height`.
    @discardableResult
    func write(on sheet: XlsxSheet) throws -> Int {
        for (row, line) in lines.enumerated() {
            try sheet.write(row, 0, overflowing: line.text, line.bold ? .bold : .plain)
        }
        return height
    }
}

extension Messages {
    /// `2 fel, 1 varning, 6 info` (`2 errors, 1 warning, 6 info`).
    static func findingCounts(_ r: FindingsReport, _ lang: Language = .sv) -> String {
        let info = r.findings.count - r.errors - r.warnings
        return "\(r.errors) \(text(r.errors == 1 ? .error : .errors, lang)), \(r.warnings) \(text(r.warnings == 1 ? .warning : .warnings, lang)), \(info) \(text(.info, lang))"
    }
}
