
/// Writes sheets in Anslag's grid JSON:
/// `{"sheets":[{"name":"Blad1","state":"visible","rows":[[1,"text",null,true,"2024-01-31","#DIV/0!"]]}]}`.
/// Rows are anchored at A1, trailing empty cells and rows trimmed; empty is `null`; numbers are
/// JSON numbers; dates ISO text; errors their text. Output is deterministic.
public struct GridJSONWriter {
    let sink: ByteSink
    private var sheetCount = 0

    public init(sink: ByteSink) { self.sink = sink }

    public mutating func begin() throws { try sink.write("{\"sheets\":[") }

    public mutating func write(sheet: Sheet) throws {
        if sheetCount > 0 { try sink.write(",") }
        sheetCount += 1
        try sink.write("{\"name\":")
        try JSONText.writeString(sheet.name, to: sink)
        try sink.write(",\"state\":\"\(sheet.info.state.rawValue)\",\"rows\":[")
        for (i, row) in sheet.rows.enumerated() {
            if i > 0 { try sink.write(byte: 44) }
            try sink.write(byte: 91)
            for (j, cell) in row.enumerated() {
                if j > 0 { try sink.write(byte: 44) }
                try writeValue(cell.value)
            }
            try sink.write(byte: 93)
        }
        try sink.write("]}")
    }

    public mutating func end() throws { try sink.write("]}\n") }

    private func writeValue(_ v: CellValue) throws {
        switch v {
        case .empty: try sink.write("null")
        case .string(let s): if s.isEmpty { try sink.write("null") } else { try JSONText.writeString(s, to: sink) }
        case .number(let d): try sink.write(d.isFinite ? CellText.number(d) : "null")
        case .bool(let b): try sink.write(b ? "true" : "false")
        case .error(let e): try JSONText.writeString(e, to: sink)
        case .dateTime(let dt): try JSONText.writeString(dt.iso, to: sink)
        case .duration(let s): try JSONText.writeString(CellText.duration(s), to: sink)
        }
    }
}

/// Streams rows as RFC 4180 CSV: fields quoted when they hold the delimiter, a quote or a line
/// break; CRLF line ends; missing cells as empty fields; rows anchored at A1 (empty rows kept
/// between data rows, trailing ones dropped).
public final class GridCSVWriter {
    let sink: ByteSink
    let delimiter: UInt8
    /// Swedish Excel reads `1,5`, not `1.5`, when the separator is `;`.
    let decimalComma: Bool
    private var nextRow = 0

    public init(sink: ByteSink, delimiter: Character = ",", decimalComma: Bool = false) {
        self.sink = sink
        self.delimiter = delimiter.asciiValue ?? 44
        self.decimalComma = decimalComma
    }

    /// Writes a UTF-8 byte-order mark (Excel on Windows then reads UTF-8 correctly).
    public func writeBOM() throws { try sink.write(bytes: [0xEF, 0xBB, 0xBF]) }

    /// Starts a new sheet (rows count from A1 again).
    public func resetRows() { nextRow = 0 }

    /// Writes a line as it is (a sheet separator).
    public func writeLine(_ s: String) throws { try sink.write(s); try sink.write(bytes: [13, 10]) }

    public func write(row index: Int, cells: [IndexedCell]) throws {
        try write(row: index, cells: cells[...])
    }

    public func write(row index: Int, cells: ArraySlice<IndexedCell>) throws {
        while nextRow < index { try sink.write(bytes: [13, 10]); nextRow += 1 }
        var column = 0
        for c in cells {
            while column < c.column { try sink.write(byte: delimiter); column += 1 }
            try writeField(c.cell.value)
        }
        try sink.write(bytes: [13, 10])
        nextRow = max(nextRow, index) + 1
    }

    private func writeField(_ v: CellValue) throws {
        switch v {
        case .empty: return
        case .string(let s): try writeText(s)
        case .number(let d):
            if d == d.rounded(.towardZero) && abs(d) < 1e15 {
                try sink.write(integer: Int64(d))
            } else if decimalComma {
                try sink.write(String(CellText.number(d).map { $0 == "." ? "," : $0 }))
            } else {
                try sink.write(CellText.number(d))
            }
        case .bool(let b): try sink.write(b ? "TRUE" : "FALSE")
        case .error(let e): try writeText(e)
        case .dateTime(let dt): try sink.write(dt.iso)
        case .duration(let s): try sink.write(CellText.duration(s))
        }
    }

    private func writeText(_ s: String) throws {
        var s = s
        var quote = false
        let d = delimiter
        s.withUTF8 { b in quote = b.contains { $0 == d || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D } }
        if !quote { try sink.write(s); return }
        try sink.write(byte: 0x22)
        for u in s.utf8 {
            if u == 0x22 { try sink.write(byte: 0x22) }
            try sink.write(byte: u)
        }
        try sink.write(byte: 0x22)
    }
}
