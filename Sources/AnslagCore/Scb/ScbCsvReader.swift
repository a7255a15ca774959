/// Options for reading SCB population files.
public struct ScbReadOptions: Sendable {
    public var encoding: TextEncoding?
    public var delimiter: Character?
    public var registry: RegionRegistry
    public var limits: ReadLimits
    public init(encoding: TextEncoding? = nil, delimiter: Character? = nil, registry: RegionRegistry = .bundled,
                limits: ReadLimits = .default) {
        self.encoding = encoding; self.delimiter = delimiter; self.registry = registry; self.limits = limits
    }
}

/// A table read from a file, with what reading it found (codes that lost a leading zero,
/// unknown regions, cells that are not numbers).
public struct ScbImport: Sendable {
    public var table: PopulationTable
    public var findings: [ReportFinding]
}

/// Reads SCB population CSV as Statistikdatabasen and the PxWeb API write it: an optional
/// title line (and blank line), a header, wide (a value column per period or heading
/// combination) or long (one value column) data, codes, texts or "code text" labels, special
/// symbols, and a trailing footnote block, which is kept as notes.
public enum ScbCsvReader {
    static let symbols: Set<String> = ["..", ".", "-", "...", "....", "....."]

    enum Role: Equatable { case region, age, sex, period, other(String), value }

    public static func read(bytes: [UInt8], file: String, options: ScbReadOptions = ScbReadOptions()) throws -> ScbImport {
        let collector = PopulationCollector()
        var offset = 0
        let findings = try ScbCsvStream.read(file: file, options: options, sink: collector) { buffer in
            guard offset < bytes.count else { return false }
            let n = min(1 << 20, bytes.count - offset)
            buffer.append(contentsOf: bytes[offset..<(offset + n)])
            offset += n
            return true
        }
        return ScbImport(table: collector.table, findings: findings)
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
        let f = TextFold.fold(header)
        switch f {
        case "region", "kommun", "lan", "county", "municipality", "regionkod", "region code", "kommunkod", "lanskod": return .region
        case "alder", "age", "aldersgrupp", "age group": return .age
        case "kon", "sex", "gender": return .sex
        case "ar", "year", "period", "tid", "time", "manad", "month", "kvartal", "quarter": return .period
        default: return nil
        }
    }

    static func otherCode(_ header: String) -> String { ScbLabels.dimensionCode(header) }

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
                       findings: inout [ReportFinding], warned: inout Set<String>) -> (String, String?)? {
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
                findings.append(ReportFinding(code: .regionCodePadded, severity: .warning, file: file, place: "line \(line)",
                    message: "region code \(original) lost its leading zero; read as \(code)"))
            }
            if registry.region(code: code) == nil && warned.insert("unknown " + code).inserted {
                findings.append(ReportFinding(code: .regionUnknown, severity: .warning, file: file, place: "line \(line)",
                    message: "region code \(code) is not in the region registry (valid \(registry.validYear))"))
            }
            if let name, let known = registry.region(code: code), known.kind == .kommun,
               TextFold.fold(known.name) != TextFold.fold(name), warned.insert("name " + code).inserted {
                findings.append(ReportFinding(code: .regionNameDiffers, severity: .warning, file: file, place: "line \(line)",
                    message: "region \(code) is \"\(name)\" here but \"\(known.name)\" in the registry"))
            }
            return (code, name)
        }
        if let r = registry.region(named: trimmed) { return (r.code, trimmed) }
        findings.append(ReportFinding(code: .regionUnknown, severity: .error, file: file, place: "line \(line)",
            message: "region \"\(trimmed)\" is neither a code nor a name the registry knows"))
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
