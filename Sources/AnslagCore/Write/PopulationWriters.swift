/// Writes population tables and findings: Anslag's normalized JSON (schema:
/// `Schemas/population.schema.json`) and long CSV. Key and row order are fixed, so outputs
/// diff cleanly.
public enum PopulationWriter {
    public static func writeJSON(_ table: PopulationTable, findings: [ReportFinding], to sink: ByteSink) throws {
        let m = table.metadata
        try sink.write("{\"kind\":\"population\",\"source\":")
        try JSONText.writeString(m.source, to: sink)
        for (key, value) in [("table_id", m.tableId), ("title", m.title), ("unit", m.unit), ("reference_period", m.referencePeriod)] {
            try sink.write(",\"\(key)\":")
            if let value { try JSONText.writeString(value, to: sink) } else { try sink.write("null") }
        }
        if let u = m.updated { try sink.write(",\"updated\":"); try JSONText.writeString(u, to: sink) }
        if m.cellKeyMethod { try sink.write(",\"cell_key_method\":true") }
        if !m.valueLabels.isEmpty {
            try sink.write(",\"value_labels\":{")
            for (i, (d, labels)) in m.valueLabels.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { try sink.write(",") }
                try JSONText.writeString(d, to: sink)
                try sink.write(":{")
                for (j, (k, v)) in labels.sorted(by: { $0.key < $1.key }).enumerated() {
                    if j > 0 { try sink.write(",") }
                    try JSONText.writeString(k, to: sink); try sink.write(":"); try JSONText.writeString(v, to: sink)
                }
                try sink.write("}")
            }
            try sink.write("}")
        }
        try sink.write(",\"notes\":[")
        for (i, n) in m.notes.enumerated() { if i > 0 { try sink.write(",") }; try JSONText.writeString(n, to: sink) }
        try sink.write("],\"dimensions\":[")
        for (i, d) in table.dimensions.enumerated() { if i > 0 { try sink.write(",") }; try JSONText.writeString(d, to: sink) }
        try sink.write("],\n\"observations\":[\n")
        let regionIndex = table.index(of: "region")
        for (n, o) in table.observations.enumerated() {
            try sink.write(n == 0 ? "{" : ",\n{")
            for (i, d) in table.dimensions.enumerated() {
                if i > 0 { try sink.write(byte: 44) }
                try JSONText.writeString(d, to: sink)
                try sink.write(byte: 58)
                try JSONText.writeString(o.keys[i], to: sink)
                if i == regionIndex {
                    try sink.write(",\"region_name\":")
                    if let name = table.regionNames[o.keys[i]] { try JSONText.writeString(name, to: sink) } else { try sink.write("null") }
                }
            }
            try sink.write(table.dimensions.isEmpty ? "\"value\":" : ",\"value\":")
            if let v = o.value { try sink.write(integer: v) } else if let d = o.decimal { try sink.write(d) } else { try sink.write("null") }
            if let s = o.symbol {
                try sink.write(",\"symbol\":")
                try JSONText.writeString(s, to: sink)
            }
            try sink.write(byte: 125)
        }
        try sink.write("\n],\n\"findings\":[")
        try writeFindings(findings, to: sink)
        try sink.write("]}\n")
    }

    static func writeFindings(_ findings: [ReportFinding], to sink: ByteSink) throws {
        for (i, f) in findings.enumerated() {
            try sink.write(i == 0 ? "\n" : ",\n")
            try sink.write("{\"severity\":\"\(f.severity.rawValue)\",\"code\":")
            try JSONText.writeString(f.code.rawValue, to: sink)
            try sink.write(",\"location\":")
            try JSONText.writeString(f.location, to: sink)
            try sink.write(",\"message\":")
            try JSONText.writeString(f.message, to: sink)
            // "expected": what the parts sum to; "actual": what the total says.
            if let e = f.computedCount { try sink.write(",\"expected\":"); try sink.write(integer: e) }
            if let a = f.statedCount { try sink.write(",\"actual\":"); try sink.write(integer: a) }
            try sink.write("}")
        }
        if !findings.isEmpty { try sink.write("\n") }
    }

    /// The long table's columns: each dimension (with `region_name` after `region`), then
    /// `value` and `symbol`. CSV, streamed CSV and xlsx share them.
    public static func columns(_ dimensions: [String]) -> [String] {
        var header: [String] = []
        for d in dimensions {
            header.append(d)
            if d == "region" { header.append("region_name") }
        }
        return header + ["value", "symbol"]
    }

    /// Long CSV: one column per dimension (with `region_name` after `region`), then `value`
    /// and `symbol`; a header row; UTF-8; RFC 4180 quoting.
    public static func writeCSV(_ table: PopulationTable, to sink: ByteSink, delimiter: Character = ",",
                                decimalComma: Bool = false) throws {
        let writer = GridCSVWriter(sink: sink, delimiter: delimiter, decimalComma: decimalComma)
        let regionIndex = table.index(of: "region")
        let header = columns(table.dimensions)
        try writer.write(row: 0, cells: header.enumerated().map { IndexedCell($0.offset, Cell(.string($0.element))) })
        var cells: [IndexedCell] = []
        for (n, o) in table.observations.enumerated() {
            cells.removeAll(keepingCapacity: true)
            var c = 0
            for (i, k) in o.keys.enumerated() {
                cells.append(IndexedCell(c, Cell(.string(k)))); c += 1
                if i == regionIndex { cells.append(IndexedCell(c, Cell(.string(table.regionNames[k] ?? "")))); c += 1 }
            }
            if let v = o.value { cells.append(IndexedCell(c, Cell(.number(Double(v))))) }
            else if let d = o.decimal { cells.append(IndexedCell(c, Cell(.string(decimalComma ? String(d.map { $0 == "." ? "," : $0 }) : d)))) }
            c += 1
            cells.append(IndexedCell(c, Cell(.string(o.symbol ?? ""))))
            try writer.write(row: n + 1, cells: cells)
        }
    }
}

/// Writes a streamed table as long CSV (the same shape as `PopulationWriter.writeCSV`),
/// with each distinct key encoded once.
public final class PopulationCSVStreamWriter: PopulationSink {
    private let sink: ByteSink
    private var keys: PopulationKeys!
    private var encoded: [[[UInt8]]] = []
    private var encodedNames: [Int32: [UInt8]] = [:]

    public init(sink: ByteSink) { self.sink = sink }

    static func field(_ s: String) -> [UInt8] {
        let b = Array(s.utf8)
        guard b.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return b }
        var out: [UInt8] = [34]
        for u in b { if u == 34 { out.append(34) }; out.append(u) }
        out.append(34)
        return out
    }

    public func begin(keys: PopulationKeys, metadata: PopulationTable.Metadata) throws {
        self.keys = keys
        encoded = Array(repeating: [], count: keys.dimensions.count)
        let header = PopulationWriter.columns(keys.dimensions)
        try sink.write(bytes: Array(header.map { Self.field($0) }.joined(separator: [44])) + [13, 10])
    }

    public func observation(_ ids: UnsafeBufferPointer<Int32>, value: Int64?, decimal: String?, symbol: String?, line: Int) throws {
        for (d, id) in ids.enumerated() {
            let i = Int(id)
            while encoded[d].count <= i { encoded[d].append(Self.field(keys.value(Int32(encoded[d].count), dimension: d))) }
            try encoded[d][i].withUnsafeBufferPointer { try sink.write(bytes: $0) }
            try sink.write(byte: 44)
            if d == keys.regionDimension {
                if encodedNames[id] == nil { encodedNames[id] = Self.field(keys.regionNames[id] ?? "") }
                try encodedNames[id]!.withUnsafeBufferPointer { try sink.write(bytes: $0) }
                try sink.write(byte: 44)
            }
        }
        if let value { try sink.write(integer: value) } else if let decimal { try sink.write(decimal) }
        try sink.write(byte: 44)
        if let symbol { try sink.write(bytes: Self.field(symbol)) }
        try sink.write(byte: 13)
        try sink.write(byte: 10)
    }

    public func end(metadata: PopulationTable.Metadata) throws {}
}
