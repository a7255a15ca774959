/// Whether a sheet shows in the spreadsheet application's tab bar.
public enum SheetState: String, Sendable, Codable {
    case visible
    case hidden
    /// Hidden so that only a macro can show it again (OOXML `veryHidden`).
    case veryHidden
}

/// What kind of sheet a workbook entry is; only worksheets hold cells.
public enum SheetKind: String, Sendable {
    case worksheet, chartsheet, dialogsheet, macrosheet
}

/// A zero-based cell position.
public struct CellPosition: Hashable, Sendable, Comparable {
    public var row: Int
    public var column: Int
    public init(row: Int, column: Int) { self.row = row; self.column = column }

    public static func < (a: CellPosition, b: CellPosition) -> Bool {
        (a.row, a.column) < (b.row, b.column)
    }

    /// A1-style name: row 0, column 2 is `C1`.
    public var a1: String { CellPosition.columnName(column) + String(row + 1) }

    /// A, B, …, ZZ, made once.
    private static let shortNames: [String] = (0..<702).map { slowColumnName($0) }

    public static func columnName(_ column: Int) -> String {
        column >= 0 && column < 702 ? shortNames[column] : slowColumnName(column)
    }

    private static func slowColumnName(_ column: Int) -> String {
        var n = column + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }

    /// Parses `C7` or `$C$7`; nil if the text is not a cell reference within Excel's limits.
    public init?(a1 text: Substring) { self.init(a1: text.utf8) }

    /// The same, from UTF-8 bytes.
    init?<Bytes: Collection>(a1 text: Bytes) where Bytes.Element == UInt8 {
        var col = 0, row = 0, sawLetter = false, sawDigit = false
        for u in text {
            switch u {
            case UInt8(ascii: "$"): continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                if sawDigit { return nil }
                col = col * 26 + Int((u & 0xDF) - 64)
                sawLetter = true
                if col > SheetLimits.maxColumns { return nil }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                row = row * 10 + Int(u - 48)
                sawDigit = true
                if row > SheetLimits.maxRows { return nil }
            default: return nil
            }
        }
        guard sawLetter, sawDigit, row >= 1 else { return nil }
        self.init(row: row - 1, column: col - 1)
    }
}

/// A rectangular range of merged cells; the value stands in `start`.
public struct CellRange: Hashable, Sendable {
    public var start: CellPosition
    public var end: CellPosition
    public init(start: CellPosition, end: CellPosition) { self.start = start; self.end = end }

    public func contains(row: Int, column: Int) -> Bool {
        start.row <= row && row <= end.row && start.column <= column && column <= end.column
    }

    /// Parses `A1:C3` (or a single `A1`).
    public init?(a1 text: Substring) { self.init(a1: text.utf8) }

    /// The same, from UTF-8 bytes.
    init?<Bytes: Collection>(a1 text: Bytes) where Bytes.Element == UInt8 {
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count <= 2, let a = CellPosition(a1: parts[0]) else { return nil }
        let b = parts.count == 2 ? CellPosition(a1: parts[1]) : a
        guard let b else { return nil }
        self.init(start: CellPosition(row: min(a.row, b.row), column: min(a.column, b.column)),
                  end: CellPosition(row: max(a.row, b.row), column: max(a.column, b.column)))
    }

    public var a1: String { start == end ? start.a1 : "\(start.a1):\(end.a1)" }
}

/// Excel's sheet size; the readers never address beyond it.
public enum SheetLimits {
    public static let maxRows = 1_048_576
    public static let maxColumns = 16_384
}

/// A sheet as listed by the workbook, before its cells are read.
public struct SheetInfo: Equatable, Sendable {
    public var name: String
    public var state: SheetState
    public var kind: SheetKind
    public init(name: String, state: SheetState, kind: SheetKind = .worksheet) {
        self.name = name; self.state = state; self.kind = kind
    }
}

/// A sheet read whole: a dense grid anchored at A1 with trailing empty cells and rows trimmed.
public struct Sheet: Equatable, Sendable {
    public var info: SheetInfo
    public var rows: [[Cell]]
    public var merged: [CellRange]

    public var name: String { info.name }

    public init(info: SheetInfo, rows: [[Cell]] = [], merged: [CellRange] = []) {
        self.info = info; self.rows = rows; self.merged = merged
    }

    public subscript(_ position: CellPosition) -> Cell? {
        guard position.row < rows.count, position.column < rows[position.row].count else { return nil }
        return rows[position.row][position.column]
    }

    public subscript(_ a1: String) -> Cell? {
        guard let p = CellPosition(a1: Substring(a1)) else { return nil }
        return self[p]
    }
}

/// A workbook read whole.
public struct Workbook: Equatable, Sendable {
    public var sheets: [Sheet]
    public init(sheets: [Sheet]) { self.sheets = sheets }

    public func sheet(named name: String) -> Sheet? { sheets.first { $0.name == name } }
}
