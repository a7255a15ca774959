/// A budget workbook normalized: tables of lines with exact amounts in kronor, each line
/// knowing its source cell and role. Normalized JSON: `Schemas/budget.schema.json`.
public struct Budget: Sendable, Equatable {
    public var file: String
    public var sheets: [SheetInfo]
    public var tables: [BudgetTable]

    public init(file: String, sheets: [SheetInfo], tables: [BudgetTable]) {
        self.file = file; self.sheets = sheets; self.tables = tables
    }
}

public struct BudgetTable: Sendable, Equatable {
    public enum Layout: String, Sendable, CaseIterable {
        /// Line items (post + amount) closed by a Summa/Totalt row.
        case list
        /// Section headings, lines, subtotals and a grand total.
        case sectioned
        /// Areas side by side (a header row), value rows per year or label, a Totalt column.
        case matrix
        /// Recipient, amount and key text, with a total.
        case allocation
    }

    public var sheet: String
    public var hidden: Bool
    public var layout: Layout
    public var title: String?
    /// The cells the table spans, `A3:F14`.
    public var range: String
    /// The unit the amounts were written in (kronor after scaling in every line).
    public var unit: AmountUnit
    /// Where the unit came from ("Angivet i tusental kronor" in A2), nil when assumed.
    public var unitSource: String?
    /// The header row's cells (column letter → text), for matrices and headed lists.
    public var header: [BudgetColumn]
    public var lines: [BudgetLine]

    public init(sheet: String, hidden: Bool, layout: Layout, title: String?, range: String, unit: AmountUnit,
                unitSource: String?, header: [BudgetColumn], lines: [BudgetLine]) {
        self.sheet = sheet; self.hidden = hidden; self.layout = layout; self.title = title; self.range = range
        self.unit = unit; self.unitSource = unitSource; self.header = header; self.lines = lines
    }
}

public struct BudgetColumn: Sendable, Equatable {
    public var column: String
    public var text: String
    public init(column: String, text: String) { self.column = column; self.text = text }
}

public struct BudgetLine: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case line, subtotal, total, change, note, heading
        /// A "varav" / "därav" row: a part of the row above, never added to a total.
        case breakdown
    }

    /// What a column's head says its figures are.
    public enum ColumnKind: String, Sendable, CaseIterable {
        /// Bokslut, utfall, a plain year: what was.
        case outcome
        case budget, plan
        /// Prognos.
        case forecast
        /// Avvikelse, differens.
        case deviation
        /// Förändring.
        case change
        /// Summa, totalt: a row-total column.
        case total
    }

    /// The column a line's amount stands in, as its head (the header rows above the table)
    /// names it: `Budget 2025`, `Kommunen 2017`, with the year and kind read from the text.
    /// A class, not a struct: every line under a head holds the same one (a reference where a
    /// copy of head, year and kind per line cost 8 MB and ~1 900 page faults on Scripts/bench's
    /// 200 000-line workbook). Immutable, compared by value.
    public final class Column: Sendable, Equatable {
        public let head: String
        public let year: Int?
        public let kind: ColumnKind?
        public init(head: String, year: Int?, kind: ColumnKind?) { self.head = head; self.year = year; self.kind = kind }
        public static func == (a: Column, b: Column) -> Bool { a === b || (a.head == b.head && a.year == b.year && a.kind == b.kind) }
    }

    public var label: String
    /// Exact, in kronor (after the table's unit); nil for notes and headings.
    public var amount: Money?
    /// `'Sheet name'!C7`.
    public var cell: String {
        get { position.map { cellSheet + $0.a1 } ?? cellSheet }
        set { (cellSheet, position) = Self.split(cell: newValue) }
    }
    /// The source cell as the sheet part of `cell` (`'Sheet name'!`, one string shared by all
    /// the lines of a sheet) and a position: the text is made only when asked for.
    var cellSheet: String
    /// The source cell's position, when `cell` names one.
    public private(set) var position: CellPosition?
    public var role: Role
    /// Matrices: the row's year and the column's area.
    public var year: Int?
    public var area: String?
    /// Allocation tables: the recipient's key text ("efter befolkningsstorlek", "1/3").
    public var key: String?
    /// Totals: the cells they add up (from a SUM formula, or as recognised), `C4:C11`.
    public var sumOf: String?
    /// The text of a note, or of an amount cell that was not an amount.
    public var text: String?
    /// The column's head, when the table has one over this line's column.
    public var column: Column?

    /// `'Sheet'!C7` → (`'Sheet'!`, C7); text that does not end in a plain A1 reference stays whole.
    static func split(cell: String) -> (String, CellPosition?) {
        guard let bang = cell.utf8.lastIndex(of: UInt8(ascii: "!")) else { return (cell, nil) }
        let rest = cell[cell.utf8.index(after: bang)...]
        guard let p = CellPosition(a1: rest), p.a1 == rest else { return (cell, nil) }
        return (String(cell[...bang]), p)
    }
}

// The initialisers are in an extension so that the struct keeps its memberwise one, which they
// call: one written in the struct's body builds the line and then copies it whole (callgrind:
// a copy and a release per line, about 70 M instructions on Scripts/bench's budget workbook).
extension BudgetLine {
    public init(label: String, amount: Money?, cell: String, role: Role, year: Int? = nil, area: String? = nil,
                key: String? = nil, sumOf: String? = nil, text: String? = nil, column: Column? = nil) {
        let (sheet, position) = Self.split(cell: cell)
        self.init(label: label, amount: amount, cellSheet: sheet, position: position, role: role, year: year,
                  area: area, key: key, sumOf: sumOf, text: text, column: column)
    }

    /// A line of a sheet whose cell references start with `sheet` (`'Sheet name'!`).
    init(label: String, amount: Money?, sheet: String, at position: CellPosition, role: Role, year: Int? = nil, area: String? = nil,
         key: String? = nil, sumOf: String? = nil, text: String? = nil, column: Column? = nil) {
        self.init(label: label, amount: amount, cellSheet: sheet, position: position, role: role, year: year,
                  area: area, key: key, sumOf: sumOf, text: text, column: column)
    }
}
