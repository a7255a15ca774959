/// Excel serial numbers for calendar values (the 1900 system, with Excel's phantom leap day).
extension DateTimeValue {
    public var excelSerial: Double {
        let fraction = (Double(hour) * 3600 + Double(minute) * 60 + Double(second) + Double(microsecond) / 1e6) / 86_400
        if kind == .time { return fraction }
        var days = Double(SerialDate.daysFromCivil(year, month, day) - SerialDate.daysFromCivil(1899, 12, 30))
        if days < 61 { days -= 1 }   // before 1900-03-01 Excel counts one day fewer
        return days + fraction
    }
}

/// Writes sheets read by any reader as an xlsx workbook: numbers as numbers, dates as dates,
/// booleans as booleans, errors as their text; hidden sheets stay hidden. With `formulas`
/// (sheets read from xlsx, whose formula syntax this is) formulas stay live with their cached
/// values; otherwise (ODS syntax differs) the values are written.
public enum GridXlsxWriter {
    /// The source's number formats, sheet name → cell → code, from a reader that knows them
    /// (ods, xls); empty for the others.
    public static func sourceFormats(_ reader: any SpreadsheetReader) throws -> [String: [CellPosition: String]] {
        guard let r = reader as? any NumberFormatsReading else { return [:] }
        var out: [String: [CellPosition: String]] = [:]
        for (i, info) in reader.sheets.enumerated() where info.kind == .worksheet {
            let f = try r.numberFormats(at: i)
            if !f.isEmpty { out[info.name] = f }
        }
        return out
    }

    /// With a `report`, the cells its findings name are filled red and a findings sheet
    /// ("Fynd") lists them, each linking to its cell. `made` names the tool and the run date in
    /// the findings sheet's provenance block;
    /// `numberFormats` (sheet name → cell → code, `sourceFormats`) are the source's formats,
    /// given to its number and date cells.
    public static func write(_ sheets: [Sheet], to path: String, title: String? = nil, formulas: Bool = false,
                             report: FindingsReport? = nil, made: OutputProvenance? = nil,
                             numberFormats: [String: [CellPosition: String]] = [:]) throws {
        let cells = sheets.reduce(0) { $0 + $1.rows.reduce(0) { $0 + $1.count } }
        let book = try XlsxWorkbook(path: path, constantMemory: cells > 1_000_000, title: title)
        var flagged: [String: Set<CellPosition>] = [:]
        for f in report?.findings ?? [] where f.severity != .info {
            if let s = f.sheet, let c = f.cell, let p = CellPosition(a1: Substring(c)) { flagged[s, default: []].insert(p) }
        }
        var written: [String: String] = [:]   // sheet name in the input → name in the workbook
        for sheet in sheets {
            let ws = try book.addSheet(sheet.name)
            written[sheet.name] = ws.name
            if sheet.info.state != .visible { ws.hide() }
            try writeCells(sheet, on: ws, formulas: formulas, marks: flagged[sheet.name] ?? [], formats: numberFormats[sheet.name] ?? [:])
            ws.fitColumns()
        }
        if let report, !report.findings.isEmpty {
            try ReportWriter.writeFindingsSheet(report, into: book, sheetNames: written, made: made)
        }
        try book.close()
    }

    /// A sheet's cells: the flagged ones (`marks`) red, number and date cells in the source's
    /// format where `formats` has one, else in the writer's.
    static func writeCells(_ sheet: Sheet, on ws: XlsxSheet, formulas: Bool, marks: Set<CellPosition>, formats: [CellPosition: String]) throws {
        for (r, row) in sheet.rows.enumerated() {
            for (c, cell) in row.enumerated() {
                let mark = !marks.isEmpty && marks.contains(CellPosition(row: r, column: c))
                let source = formats.isEmpty ? nil : formats[CellPosition(row: r, column: c)]
                func style(_ base: XlsxWorkbook.Style) -> XlsxWorkbook.Style {
                    let s = source.map { XlsxWorkbook.Style.custom($0) } ?? base
                    return mark ? .highlighted(s) : s
                }
                if formulas, let f = cell.formula {
                    switch cell.value {
                    case .number(let d): try ws.write(r, c, formula: "=" + f, cached: d, style(.plain)); continue
                    case .string(let s): try ws.write(r, c, formula: "=" + f, cachedText: s); continue
                    default: break
                    }
                }
                switch cell.value {
                case .empty: continue
                case .string(let s): try ws.write(r, c, string: s, mark ? .highlighted(.plain) : .plain)
                case .number(let d): try ws.write(r, c, number: d, style(.plain))
                case .bool(let b): try ws.write(r, c, bool: b)
                case .error(let e): try ws.write(r, c, string: e)
                case .dateTime(let dt):
                    try ws.write(r, c, number: dt.excelSerial, style(dt.kind == .date ? .date : dt.kind == .time ? .time : .dateTime))
                case .duration(let s): try ws.write(r, c, number: s / 86_400, style(.duration))
                }
            }
        }
    }
}

/// Writes a population table as a workbook: one sheet of observations (codes as text, values
/// as numbers in `#,##0`), and, when there are findings, a findings sheet whose rows link to
/// the cells they concern, which are highlighted.
public enum PopulationXlsxWriter {
    public static let dataSheet = "Befolkning"
    public static let findingsSheet = "Fynd"

    /// The provenance block of both sheets: the table's title, its source file, SCB table,
    /// reference period and update, the tool and the run date.
    static func provenance(_ table: PopulationTable, made: OutputProvenance?) -> ProvenanceBlock {
        let m = table.metadata
        var block = ProvenanceBlock(title: m.title ?? dataSheet)
        block.add(population: PopulationProvenance(source: m.source, tableId: m.tableId, referencePeriod: m.referencePeriod, updated: m.updated),
                  as: .provenanceFile)
        block.add(made: made)
        return block
    }

    /// "file: line N" → N.
    static func line(of f: ReportFinding) -> Int? {
        guard let last = f.location.split(separator: " ").last, f.location.hasSuffix(": line " + last) else { return nil }
        return Int(last)
    }

    public static func write(_ table: PopulationTable, findings: [ReportFinding], to path: String, made: OutputProvenance? = nil) throws {
        let big = table.observations.count > 200_000
        let book = try XlsxWorkbook(path: path, constantMemory: big, title: table.metadata.title ?? "Befolkning",
                                    subject: table.metadata.tableId)
        let block = provenance(table, made: made)
        let top = block.height
        let header = PopulationWriter.columns(table.dimensions)
        let valueColumn = header.count - 2
        // Which rows the findings point at: the first observation from the finding's line.
        var rowOfLine: [Int: Int] = [:]
        for (n, o) in table.observations.enumerated() where rowOfLine[o.line] == nil { rowOfLine[o.line] = top + n + 1 }
        var flagged: Set<Int> = []
        for f in findings where f.severity != .info { if let l = line(of: f), let r = rowOfLine[l] { flagged.insert(r) } }

        let ws = try book.addSheet(dataSheet)
        try writeObservations(table, on: ws, block: block, big: big, flagged: flagged)
        if !findings.isEmpty {
            let fs = try book.addSheet(findingsSheet)
            try block.write(on: fs)
            // The message last, so that it reads whole however long it is.
            let heads: [TextKey] = [.severity, .code, .place, .expectedCount, .actualCount, .cell, .message]
            try fs.header(heads.map { Messages.text($0) }, rows: findings.count, at: top)
            for (n, f) in findings.enumerated() {
                let r = top + n + 1
                try fs.write(r, 0, string: Messages.severity(f.severity), f.severity == .error ? .highlighted(.plain) : .plain)
                try fs.write(r, 1, string: f.code.rawValue)
                try fs.write(r, 2, string: f.location)
                if let e = f.computedCount { try fs.write(r, 3, number: Double(e), .integer) }
                if let a = f.statedCount { try fs.write(r, 4, number: Double(a), .integer) }
                if let l = line(of: f), let row = rowOfLine[l] {
                    let cell = CellPosition(row: row, column: valueColumn).a1
                    try fs.write(r, 5, link: "'\(ws.name)'!\(cell)", text: cell)
                }
                try fs.write(r, 6, string: Messages.render(f))
            }
            fs.fitColumns()
            fs.boardPage(headerRows: 1, from: top)
        }
        try book.close()
    }

    /// A column's head as a Swedish reader reads it (`Region`, `Kön`, `Antal`); a dimension
    /// Anslag has no word for keeps its code. (The JSON and CSV keep the codes.)
    static func shownHead(_ code: String) -> String {
        switch code {
        case "region": return Messages.text(.headRegion)
        case "region_name": return Messages.text(.headRegionName)
        case "sex": return Messages.text(.headSex)
        case "age": return Messages.text(.headAge)
        case "period": return Messages.text(.headPeriod)
        case "value": return Messages.text(.headValue)
        case "symbol": return Messages.text(.headSymbol)
        default: return code
        }
    }

    /// A dimension's value as shown: the sex codes and the age total in words, the rest as they are.
    static func shownValue(_ value: String, of dimension: String) -> String {
        switch (dimension, value) {
        case ("sex", "male"): return Messages.text(.sexMale)
        case ("sex", "female"): return Messages.text(.sexFemale)
        case ("sex", "total"): return Messages.text(.sexTotal)
        case ("age", "total"): return Messages.text(.ageTotal)
        default: return value
        }
    }

    /// The observations sheet: the provenance block, the header below it, one row per
    /// observation (codes as text, values in `#,##0`, the flagged rows red).
    static func writeObservations(_ table: PopulationTable, on ws: XlsxSheet, block: ProvenanceBlock, big: Bool, flagged: Set<Int>) throws {
        let regionIndex = table.index(of: "region")
        let header = PopulationWriter.columns(table.dimensions)
        let valueColumn = header.count - 2
        // In constant-memory mode widths must come first.
        if big { for c in header.indices { ws.setWidth(c, c == valueColumn ? 14 : c == 1 && regionIndex == 0 ? 24 : 10) } }
        let top = try block.write(on: ws)
        try ws.header(header.map(shownHead), rows: table.observations.count, at: top)
        for (n, o) in table.observations.enumerated() {
            let r = top + n + 1
            var c = 0
            for (i, k) in o.keys.enumerated() {
                try ws.write(r, c, string: shownValue(k, of: table.dimensions[i]), .text); c += 1
                if i == regionIndex { try ws.write(r, c, string: table.regionNames[k] ?? ""); c += 1 }
            }
            let style: XlsxWorkbook.Style = flagged.contains(r) ? .highlighted(.integer) : .integer
            if let v = o.value { try ws.write(r, c, number: Double(v), style) }
            else if let d = o.decimal, let v = Double(d) { try ws.write(r, c, number: v, flagged.contains(r) ? .highlighted(.plain) : .plain) }
            if let s = o.symbol, !s.isEmpty { try ws.write(r, c + 1, string: s, .text) }
        }
        if !big { ws.fitColumns() }
        ws.boardPage(headerRows: 1, from: top)
    }
}
