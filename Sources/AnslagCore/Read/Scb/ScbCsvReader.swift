/// Options for reading SCB population files.
public struct ScbReadOptions: Sendable {
    public var encoding: TextEncoding?
    public var delimiter: Character?
    public var registry: RegionRegistry
    public init(encoding: TextEncoding? = nil, delimiter: Character? = nil, registry: RegionRegistry = .bundled) {
        self.encoding = encoding; self.delimiter = delimiter; self.registry = registry
    }
}

/// A table read from a file, with what reading it found (codes that lost a leading zero,
/// unknown regions, cells that are not numbers).
public struct ScbImport: Sendable {
    public var table: PopulationTable
    public var findings: [Finding]
}

/// Reads SCB population CSV as Statistikdatabasen and the PxWeb API write it: an optional
/// title line (and blank line), a header, wide (a value column per period or heading
/// combination) or long (one value column) data, codes, texts or "code text" labels, special
/// symbols, and a trailing footnote block, which is kept as notes.
public enum ScbCsvReader {
    static let symbols: Set<String> = ["..", ".", "-", "...", "....", "....."]

    enum Role: Equatable { case region, age, sex, period, other(String), value }

    public static func read(bytes: [UInt8], file: String, options: ScbReadOptions = ScbReadOptions()) throws -> ScbImport {
        let (text, _) = TextDecoding.decode(bytes, as: options.encoding)
        let delimiter = options.delimiter ?? sniff(text)
        let records = CsvParser.records(text, delimiter: delimiter).map { $0.map { $0.trimmingCharacters() } }
        func width(_ r: [String]) -> Int { (r.lastIndex { !$0.isEmpty } ?? -1) + 1 }
        var metadata = PopulationTable.Metadata(source: file)
        var findings: [Finding] = []
        func at(_ line: Int) -> String { "\(file): line \(line)" }

        // Title lines, then the header: the first record with two or more fields.
        var i = 0
        while i < records.count && records[i].filter({ !$0.isEmpty }).count < 2 {
            if let t = records[i].first, !t.isEmpty, metadata.title == nil { metadata.title = t }
            i += 1
        }
        guard i < records.count else {
            throw ReadError.malformed(file: file, part: nil, detail: "no header row: the file has no line with two or more columns")
        }
        let headerLine = i + 1
        let header = Array(records[i].prefix(width(records[i])))
        i += 1

        // Data rows run to the first blank line or footnote; the rest are notes.
        var dataRows: [(line: Int, fields: [String])] = []
        var notesStart = records.count
        while i < records.count {
            let r = records[i]
            if r.allSatisfy(\.isEmpty) { notesStart = i; break }
            if width(r) < 2 && header.count > 1 && !dataRows.isEmpty {
                // A short line: a footnote, unless full data rows follow (then a ragged row).
                let dataFollows = records[(i + 1)...].prefix(50).contains { width($0) >= header.count }
                if !dataFollows { notesStart = i; break }
            }
            dataRows.append((i + 1, r))
            i += 1
        }
        for r in records[notesStart...] {
            let t = r.filter { !$0.isEmpty }.joined(separator: " ")
            if !t.isEmpty { metadata.notes.append(t) }
        }
        if let idx = metadata.notes.firstIndex(where: { RegionRegistry.fold($0).hasPrefix("intern referenskod") }),
           idx + 1 < metadata.notes.count {
            metadata.tableId = metadata.notes[idx + 1]
        }
        guard !dataRows.isEmpty else {
            throw ReadError.malformed(file: file, part: nil, detail: "line \(headerLine): a header but no data rows")
        }

        // Which columns are dimensions and which hold values.
        var roles: [Role] = []
        var usedDimension: Set<String> = []
        for (c, name) in header.enumerated() {
            let known = dimensionRole(name)
            let numeric = dataRows.allSatisfy { c >= $0.fields.count || isValueCell($0.fields[c]) }
            if let known, !(known == .period && numeric && ScbLabels.period(name) != nil) {
                let key = key(of: known)
                if usedDimension.insert(key).inserted { roles.append(known) } else { roles.append(.other(key + "_\(c)")) }
            } else if numeric && c > 0 {
                roles.append(.value)
            } else if c == 0 {
                roles.append(.region)
                usedDimension.insert("region")
            } else {
                let code = otherCode(name)
                roles.append(.other(code))
                usedDimension.insert(code)
            }
        }
        let valueColumns = roles.indices.filter { roles[$0] == .value }
        guard !valueColumns.isEmpty else {
            throw ReadError.malformed(file: file, part: nil,
                detail: "line \(headerLine): no column holds numbers; the header does not match the data")
        }

        // What each value column's header says: a period, a sex, a contents label.
        var columnKeys: [[String: String]] = []
        var leftovers: [String] = []
        for c in valueColumns {
            var keys: [String: String] = [:]
            var rest: [String] = []
            for token in header[c].split(separator: " ").map(String.init) {
                if let p = ScbLabels.period(token) { keys["period"] = p; continue }
                rest.append(token)
            }
            var restText = rest.joined(separator: " ")
            if !restText.isEmpty {
                let sex = ScbLabels.sex(restText)
                if ["male", "female", "total"].contains(sex) && !usedDimension.contains("sex") {
                    keys["sex"] = sex
                    restText = ""
                } else if rest.count == 1, isTableId(rest[0]) {
                    metadata.tableId = metadata.tableId ?? rest[0]
                    restText = ""
                }
            }
            leftovers.append(restText)
            columnKeys.append(keys)
        }
        let distinctLeftovers = Set(leftovers)
        if distinctLeftovers.count > 1 {
            for (k, text) in leftovers.enumerated() { columnKeys[k]["contents"] = text.isEmpty ? "value" : text }
        } else if let only = distinctLeftovers.first, !only.isEmpty {
            metadata.unit = only
        }

        // Dimension order: region, age, sex, period, then the others in column order.
        var dims: [String] = []
        for d in ["region", "age", "sex", "period"] where usedDimension.contains(d) || columnKeys.contains(where: { $0[d] != nil }) {
            dims.append(d)
        }
        for r in roles { if case .other(let code) = r, !dims.contains(code) { dims.append(code) } }
        if columnKeys.contains(where: { $0["contents"] != nil }) && !dims.contains("contents") { dims.append("contents") }
        let dimIndex = Dictionary(uniqueKeysWithValues: dims.enumerated().map { ($1, $0) })

        var observations: [Observation] = []
        observations.reserveCapacity(dataRows.count * valueColumns.count)
        var regionNames: [String: String] = [:]
        var warnedCodes: Set<String> = []
        for (line, fields) in dataRows {
            if fields.count < header.count {
                findings.append(Finding(severity: .error, code: "ragged-row",
                    message: "the row has \(fields.count) field\(fields.count == 1 ? "" : "s"); the header has \(header.count)", location: at(line)))
                continue
            }
            var base = [String](repeating: "", count: dims.count)
            var skip = false
            for (c, role) in roles.enumerated() where role != .value {
                let raw = fields[c]
                switch role {
                case .region:
                    guard let (code, name) = region(raw, registry: options.registry, line: line, file: file,
                                                     findings: &findings, warned: &warnedCodes) else { skip = true; continue }
                    base[dimIndex["region"]!] = code
                    if let name, regionNames[code] == nil { regionNames[code] = name }
                case .age: base[dimIndex["age"]!] = ScbLabels.age(raw)
                case .sex: base[dimIndex["sex"]!] = ScbLabels.sex(raw)
                case .period: base[dimIndex["period"]!] = ScbLabels.period(raw) ?? raw
                case .other(let code): base[dimIndex[code]!] = raw
                case .value: break
                }
            }
            if skip { continue }
            for (k, c) in valueColumns.enumerated() {
                var keys = base
                for (d, v) in columnKeys[k] { keys[dimIndex[d]!] = v }
                let cell = fields[c]
                if let v = parseValue(cell) {
                    observations.append(Observation(keys: keys, value: v.integer, decimal: v.decimal, line: line))
                } else if symbols.contains(cell) || cell.isEmpty {
                    observations.append(Observation(keys: keys, value: nil, symbol: cell, line: line))
                } else {
                    findings.append(Finding(severity: .error, code: "not-a-number",
                        message: "\"\(cell)\" in column \"\(header[c])\" is neither a number nor an SCB symbol", location: at(line)))
                }
            }
        }
        if let d = dimIndex["region"] {
            for code in Set(observations.map { $0.keys[d] }) where regionNames[code] == nil {
                if let r = options.registry.region(code: code) { regionNames[code] = r.name }
            }
        }
        let table = PopulationTable(metadata: metadata, dimensions: dims, observations: observations, regionNames: regionNames)
        return ScbImport(table: table, findings: findings)
    }

    static func key(of role: Role) -> String {
        switch role {
        case .region: return "region"
        case .age: return "age"
        case .sex: return "sex"
        case .period: return "period"
        case .other(let c): return c
        case .value: return "value"
        }
    }

    static func dimensionRole(_ header: String) -> Role? {
        let f = RegionRegistry.fold(header)
        switch f {
        case "region", "kommun", "lan", "county", "municipality", "regionkod", "region code", "kommunkod", "lanskod": return .region
        case "alder", "age", "aldersgrupp", "age group": return .age
        case "kon", "sex", "gender": return .sex
        case "ar", "year", "period", "tid", "time", "manad", "month", "kvartal", "quarter": return .period
        default: return nil
        }
    }

    static func otherCode(_ header: String) -> String {
        let f = RegionRegistry.fold(header)
        let mapped = String(f.map { $0 == " " ? "_" : $0 })
        return mapped.isEmpty ? "dimension" : mapped
    }

    static func isTableId(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count >= 6 && u.count <= 12 && u.prefix(2).allSatisfy { $0 >= 65 && $0 <= 90 }
            && u.contains { $0 >= 48 && $0 <= 57 } && u.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
    }

    static func isValueCell(_ s: String) -> Bool {
        s.isEmpty || symbols.contains(s) || parseValue(s) != nil
    }

    /// A number as SCB and Excel write it: digits with optional space, NBSP or narrow NBSP
    /// thousands separators, a decimal comma or point, a leading minus (also U+2212).
    static func parseValue(_ raw: String) -> (integer: Int64?, decimal: String?)? {
        var digits = ""
        var negative = false
        var sawPoint = false
        var fraction = ""
        for (n, ch) in raw.enumerated() {
            switch ch {
            case "0"..."9": if sawPoint { fraction.append(ch) } else { digits.append(ch) }
            case " ", "\u{00A0}", "\u{202F}": continue
            case ",", ".": if sawPoint { return nil }; sawPoint = true
            case "-", "\u{2212}": if n != 0 { return nil }; negative = true
            case "+": if n != 0 { return nil }
            default: return nil
            }
        }
        guard !digits.isEmpty || !fraction.isEmpty else { return nil }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if fraction.isEmpty {
            guard digits.count <= 18, let v = Int64(digits) else { return nil }
            return (negative ? -v : v, nil)
        }
        let intPart = digits.isEmpty ? "0" : String(digits.drop { $0 == "0" }).isEmpty ? "0" : String(digits.drop { $0 == "0" })
        return (nil, (negative ? "-" : "") + intPart + "." + fraction)
    }

    /// A region label: "0114 Upplands Väsby", "0114 - Upplands Väsby", "0114", "114" (a lost
    /// leading zero, with a warning), "Upplands Väsby", "01 Stockholm county", "Riket".
    static func region(_ raw: String, registry: RegionRegistry, line: Int, file: String,
                       findings: inout [Finding], warned: inout Set<String>) -> (String, String?)? {
        let trimmed = raw.trimmingCharacters()
        var code = String(trimmed.prefix { $0.isASCII && $0.isNumber })
        var name: String? = nil
        if !code.isEmpty {
            var rest = trimmed.dropFirst(code.count).drop { $0 == " " }
            if rest.hasPrefix("-") || rest.hasPrefix("\u{2013}") { rest = rest.dropFirst().drop { $0 == " " } }
            name = rest.isEmpty ? nil : String(rest)
            let original = code
            if code.count == 3 { code = "0" + code } else if code.count == 1 { code = "0" + code }
            if original != code && warned.insert(original).inserted {
                findings.append(Finding(severity: .warning, code: "region-code-padded",
                    message: "region code \(original) lost its leading zero; read as \(code)", location: "\(file): line \(line)"))
            }
            if registry.region(code: code) == nil && warned.insert("unknown " + code).inserted {
                findings.append(Finding(severity: .warning, code: "region-unknown",
                    message: "region code \(code) is not in the region registry (valid \(registry.validYear))", location: "\(file): line \(line)"))
            }
            if let name, let known = registry.region(code: code), known.kind == .kommun,
               RegionRegistry.fold(known.name) != RegionRegistry.fold(name), warned.insert("name " + code).inserted {
                findings.append(Finding(severity: .warning, code: "region-name-differs",
                    message: "region \(code) is \"\(name)\" here but \"\(known.name)\" in the registry", location: "\(file): line \(line)"))
            }
            return (code, name)
        }
        if let r = registry.region(named: trimmed) { return (r.code, trimmed) }
        findings.append(Finding(severity: .error, code: "region-unknown",
            message: "region \"\(trimmed)\" is neither a code nor a name the registry knows", location: "\(file): line \(line)"))
        return nil
    }

    /// The delimiter among `,` `;` tab and space that splits the lines most consistently.
    static func sniff(_ text: String) -> Character {
        let d = CsvParser.sniffDelimiter(text)
        let sample = String(text.prefix(16 * 1024))
        let counts = CsvParser.records(sample, delimiter: d).prefix(30).map(\.count)
        if counts.allSatisfy({ $0 <= 1 }) {
            let spaced = CsvParser.records(sample, delimiter: " ").prefix(30).map(\.count)
            if spaced.filter({ $0 > 1 }).count > spaced.count / 2 { return " " }
        }
        return d
    }
}
