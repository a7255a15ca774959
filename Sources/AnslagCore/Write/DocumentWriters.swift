/// What `anslag-import --explain` shows of a document before the recognised tables: each table
/// as it was reconstructed, row by row (row number, cells separated by " | ", merged ranges).
public enum DocumentWriter {
    public static func tables(_ reader: DocumentReader) throws -> String {
        var out = "\(reader.file): \(reader.kind.rawValue) document, \(reader.tables.count) table\(reader.tables.count == 1 ? "" : "s"), \(reader.paragraphs.count) paragraph\(reader.paragraphs.count == 1 ? "" : "s") of running text\n"
        for i in reader.tables.indices {
            let sheet = try reader.sheet(at: i)
            let width = sheet.rows.map(\.count).max() ?? 0
            out += "\n'\(sheet.name)': \(sheet.rows.count) row\(sheet.rows.count == 1 ? "" : "s"), \(width) column\(width == 1 ? "" : "s")\(sheet.info.state == .visible ? "" : " (hidden slide)")\n"
            for (r, row) in sheet.rows.enumerated() {
                let cells = row.map { c -> String in
                    if case .string(let s) = c.value { return s.split(separator: "\n").joined(separator: " / ") }
                    return ""
                }
                var line = "  " + String(r + 1).leftPadded(to: 3) + "  " + cells.joined(separator: " | ")
                let merges = sheet.merged.filter { $0.start.row == r }.map(\.a1)
                if !merges.isEmpty { line += "   [merged \(merges.joined(separator: ", "))]" }
                out += line + "\n"
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
