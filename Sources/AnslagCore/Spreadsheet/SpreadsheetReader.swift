/// One cell of a streamed row with its zero-based column.
public struct IndexedCell: Equatable, Sendable {
    public var column: Int
    public var cell: Cell
}

extension IndexedCell {
    /// (Here, not in the struct's body, for the reason given at `Cell`'s.)
    public init(_ column: Int, _ cell: Cell) { self.init(column: column, cell: cell) }
}

/// The one interface every format's reader offers (calamine's shape): list the sheets, then
/// stream a sheet's rows. Rows arrive in file order with their zero-based row index; cells
/// within a row ascend by column. Nothing is kept between rows unless the caller keeps it.
public protocol SpreadsheetReader: AnyObject {
    /// The file name used in messages.
    var file: String { get }
    /// The sheets in workbook order.
    var sheets: [SheetInfo] { get }
    /// Streams the rows of the sheet at `index`; returns the merged ranges of that sheet.
    @discardableResult
    func readSheet(at index: Int, row: (Int, [IndexedCell]) throws -> Void) throws -> [CellRange]
}

extension SpreadsheetReader {
    /// The index of a sheet given by name, or by 1-based number as text ("2").
    public func sheetIndex(_ nameOrNumber: String) throws -> Int {
        if let i = sheets.firstIndex(where: { $0.name == nameOrNumber }) { return i }
        if let i = sheets.firstIndex(where: { $0.name.lowercased() == nameOrNumber.lowercased() }) { return i }
        if let n = Int(nameOrNumber), n >= 1, n <= sheets.count { return n - 1 }
        throw ReadError.noSuchSheet(file: file, sheet: nameOrNumber, available: sheets.map(\.name))
    }

    /// Reads one sheet whole into a dense, trimmed grid.
    public func sheet(at index: Int) throws -> Sheet {
        var grid = GridBuilder()
        let merged = try readSheet(at: index) { row, cells in
            grid.add(row: row, cells: cells)
            if let detail = grid.tooSparse() {
                throw ReadError.sheetTooSparse(file: file, sheet: sheets[index].name, detail: detail)
            }
        }
        return Sheet(info: sheets[index], rows: grid.finish(), merged: merged)
    }

    /// Reads every sheet whole.
    public func workbook() throws -> Workbook {
        Workbook(sheets: try sheets.indices.map { try sheet(at: $0) })
    }
}

/// Builds a dense grid anchored at A1 from streamed rows, trimming trailing empty cells and
/// rows. An empty string counts as empty.
public struct GridBuilder {
    private var rows: [[Cell]] = []
    private let limits: ReadLimits
    /// Cells of the grid so far (every row as wide as its last value), and values in them.
    private var gridCells = 0, values = 0
    public init(limits: ReadLimits = .default) { self.limits = limits }

    /// Why the grid may not grow (its values too far apart), once it may not; nil until then.
    public func tooSparse() -> String? {
        guard gridCells > limits.gridCellsFree, gridCells > values * limits.maxGridCellsPerValue else { return nil }
        return "\(values) values spread over \(gridCells) grid cells (more than \(limits.maxGridCellsPerValue) a value, past \(limits.gridCellsFree) cells)"
    }

    public mutating func add(row index: Int, cells: [IndexedCell]) {
        guard let last = cells.lastIndex(where: { !$0.cell.value.isEmpty }) else { return }
        gridCells += cells[last].column + 1
        var dense = [Cell](repeating: Cell(.empty), count: cells[last].column + 1)
        for c in cells[...last] where !c.cell.value.isEmpty {
            dense[c.column] = c.cell
            values += 1
        }
        if index >= rows.count {
            rows.append(contentsOf: repeatElement([], count: index - rows.count + 1))
        }
        if rows[index].isEmpty {
            rows[index] = dense
        } else {
            // A row given twice: later cells win, as in Excel.
            if rows[index].count < dense.count {
                rows[index].append(contentsOf: repeatElement(Cell(.empty), count: dense.count - rows[index].count))
            }
            for (c, cell) in dense.enumerated() where !cell.value.isEmpty { rows[index][c] = cell }
        }
    }

    public mutating func finish() -> [[Cell]] {
        while let last = rows.last, last.isEmpty { rows.removeLast() }
        return rows
    }
}
