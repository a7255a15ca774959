/// Why a file could not be read. Each case renders as one line a person understands,
/// naming the file and, where it matters, the part (zip entry), row or cell.
public enum ReadError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file cannot be opened or read at all.
    case unreadable(file: String, reason: String)
    /// A password-protected workbook (OOXML in a CFB container, or an ODS with encrypted parts).
    case encrypted(file: String)
    /// A format Anslag does not read, e.g. legacy `.xls`.
    case unsupported(file: String, what: String)
    /// The file claims a format but its structure is broken.
    case malformed(file: String, part: String?, detail: String)
    /// A safety limit was hit (zip bomb, entity expansion, oversized table).
    case limitExceeded(file: String, part: String?, detail: String)
    /// The requested sheet does not exist.
    case noSuchSheet(file: String, sheet: String, available: [String])
    /// A sheet whose values are too far apart to read whole as a grid (`GridBuilder.tooSparse`);
    /// it can still be read as a stream.
    case sheetTooSparse(file: String, sheet: String, detail: String)
    /// A spreadsheet given where an SCB export (CSV, PX, JSON-stat) was expected.
    case spreadsheetNotScb(file: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the file: \(reason)"
        case .encrypted(let file):
            return "\(file): encrypted workbook (password-protected); save it without a password and try again"
        case .unsupported(let file, let what):
            return "\(file): \(what)"
        case .malformed(let file, let part, let detail):
            return "\(file): \(part.map { "\($0): " } ?? "")\(detail)"
        case .limitExceeded(let file, let part, let detail):
            return "\(file): \(part.map { "\($0): " } ?? "")refused: \(detail)"
        case .noSuchSheet(let file, let sheet, let available):
            let list = available.map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(file): no sheet \"\(sheet)\"; the workbook has \(list.isEmpty ? "no sheets" : list)"
        case .sheetTooSparse(let file, let sheet, let detail):
            return "\(file): refused: sheet \"\(sheet)\": \(detail); read it as a stream instead"
        case .spreadsheetNotScb(let file):
            return "\(file): a spreadsheet, not an SCB export"
        }
    }

    /// The file the error is about.
    public var file: String {
        switch self {
        case .unreadable(let f, _), .encrypted(let f), .unsupported(let f, _), .malformed(let f, _, _),
             .limitExceeded(let f, _, _), .noSuchSheet(let f, _, _), .sheetTooSparse(let f, _, _),
             .spreadsheetNotScb(let f):
            return f
        }
    }

    /// The description without the leading file name, for a message that names it already.
    public var withoutFile: String {
        let d = description, prefix = file + ": "
        return d.hasPrefix(prefix) ? String(d.dropFirst(prefix.count)) : d
    }
}
