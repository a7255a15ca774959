/// Reads JSON-stat as the PxWeb API serves it: version 2.0 (`id`, `size`, `dimension`, `value`
/// at the top; PxWeb API v2's default) and the 1.x `{"dataset": …}` wrapping of API v1. Values
/// are an array or an object keyed by position; `status` (array or object) gives the symbols.
public enum JsonStatReader {
    public static func read(bytes: [UInt8], file: String, options: ScbReadOptions = ScbReadOptions()) throws -> ScbImport {
        func bad(_ what: String) -> ReadError { .malformed(file: file, part: nil, detail: what) }
        var root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch let e as JSONValue.ParseError {
            throw bad("not valid JSON at byte \(e.offset): \(e.message)")
        }
        guard root.members != nil else { throw bad("JSON-stat must be an object") }
        if let dataset = root["dataset"], dataset.members != nil { root = dataset }
        let dimensionObject = root["dimension"] ?? .object([])
        let idList = (root["id"] ?? dimensionObject["id"])?.array?.compactMap(\.string)
        let sizeList = (root["size"] ?? dimensionObject["size"])?.array?.compactMap(\.int)
        guard let ids = idList, let sizes = sizeList, ids.count == sizes.count, !ids.isEmpty else {
            throw bad("JSON-stat needs \"id\" and \"size\" of the same length")
        }
        var roles: [String: [String]] = [:]
        for (k, v) in (root["role"] ?? dimensionObject["role"])?.members ?? [] { roles[k] = v.array?.compactMap(\.string) ?? [] }

        var metadata = PopulationTable.Metadata(source: file)
        metadata.title = root["label"]?.string
        if let px = root["extension"]?["px"] {
            metadata.tableId = px["tableid"]?.string ?? px["matrix"]?.string
        }
        if let notes = root["note"]?.array { metadata.notes = notes.compactMap(\.string) }

        // Categories of each dimension in index order, with labels.
        var codes: [[String]] = []
        var labels: [[String]] = []
        var names: [String] = []
        for (n, id) in ids.enumerated() {
            guard let dim = dimensionObject[id], let category = dim["category"] else {
                throw bad("dimension \"\(id)\" has no category")
            }
            var order: [String]
            if let list = category["index"]?.array {
                order = list.compactMap(\.string)
            } else if let map = category["index"]?.members {
                order = map.sorted { ($0.1.int ?? 0) < ($1.1.int ?? 0) }.map(\.0)
            } else if let map = category["label"]?.members, map.count == 1 {
                order = [map[0].0]
            } else {
                throw bad("dimension \"\(id)\" has no category index")
            }
            guard order.count == sizes[n] else { throw bad("dimension \"\(id)\" has \(order.count) categories but size \(sizes[n])") }
            var labelMap: [String: String] = [:]
            for (k, v) in category["label"]?.members ?? [] { labelMap[k] = v.string }
            codes.append(order)
            labels.append(order.map { labelMap[$0] ?? $0 })
            names.append(dim["label"]?.string ?? id)
            if metadata.unit == nil, let first = category["unit"]?.members?.first, let base = first.1["base"]?.string {
                metadata.unit = base
            }
        }

        // Normalized keys per dimension.
        var used: Set<String> = []
        var dimKeys: [String] = []
        for (n, id) in ids.enumerated() {
            var key: String
            if roles["time"]?.contains(id) == true { key = "period" }
            else if roles["geo"]?.contains(id) == true { key = "region" }
            else if roles["metric"]?.contains(id) == true { key = "contents" }
            else if let role = ScbCsvReader.dimensionRole(id) ?? ScbCsvReader.dimensionRole(names[n]) { key = ScbCsvReader.key(of: role) }
            else { key = ScbCsvReader.otherCode(id) }
            if !used.insert(key).inserted { key += "_\(n)" }
            dimKeys.append(key)
        }
        var findings: [Finding] = []
        var warned: Set<String> = []
        var regionNames: [String: String] = [:]
        var normalized: [[String]] = []
        for (n, key) in dimKeys.enumerated() {
            normalized.append(codes[n].enumerated().map { j, code in
                let label = labels[n][j]
                switch key {
                case "region":
                    let raw = code.allSatisfy(\.isNumber) ? code + " " + label.drop { $0.isNumber || $0 == " " } : label
                    if let (rc, name) = ScbCsvReader.region(raw, registry: options.registry, line: 0, file: file,
                                                            findings: &findings, warned: &warned) {
                        regionNames[rc] = regionNames[rc] ?? name ?? options.registry.region(code: rc)?.name
                        return rc
                    }
                    return code
                case "age":
                    if ScbLabels.marksCellKeyMethod(label) { metadata.cellKeyMethod = true }
                    let fromLabel = ScbLabels.age(label)
                    return fromLabel.first?.isNumber == true || fromLabel == "total" ? fromLabel : ScbLabels.age(code)
                case "sex":
                    let s = ScbLabels.sex(label)
                    return ["male", "female", "total"].contains(s) ? s : ScbLabels.sex(code)
                case "period": return ScbLabels.period(code) ?? ScbLabels.period(label) ?? code
                default: return code
                }
            })
        }
        findings = findings.map { var f = $0; f.location = "\(file): dimension region"; return f }
        var order = ScbLabels.outputOrder(dimKeys)
        if let c = dimKeys.firstIndex(of: "contents"), codes[c].count == 1 {
            metadata.unit = metadata.unit ?? labels[c][0]
            order.removeAll { $0 == c }
        }
        let total = sizes.reduce(1, *)
        guard total <= 50_000_000 else { throw ReadError.limitExceeded(file: file, part: nil, detail: "a table of \(total) cells") }

        // Values and status, as arrays or objects keyed by position.
        func lookup(_ v: JSONValue?) -> (Int) -> JSONValue? {
            if let a = v?.array { return { $0 < a.count ? a[$0] : nil } }
            if let m = v?.members {
                var d: [Int: JSONValue] = [:]
                for (k, x) in m { if let i = Int(k) { d[i] = x } }
                return { d[$0] }
            }
            if let s = v, s.string != nil { return { _ in s } }   // one status for every cell
            return { _ in nil }
        }
        let value = lookup(root["value"])
        let status = lookup(root["status"])
        if let a = root["value"]?.array, a.count != total {
            throw bad("\"value\" has \(a.count) entries but the dimensions make \(total)")
        }
        var observations: [Observation] = []
        observations.reserveCapacity(total)
        var index = [Int](repeating: 0, count: ids.count)
        for i in 0..<total {
            let keys = order.map { normalized[$0][index[$0]] }
            let symbol = status(i)?.string
            switch value(i) {
            case .number(let text)?:
                if let v = ScbCsvReader.parseValue(text) {
                    observations.append(Observation(keys: keys, value: v.integer, decimal: v.decimal, symbol: symbol, line: i + 1))
                } else if let d = exponentNumber(text) {
                    observations.append(Observation(keys: keys, value: d.integer, decimal: d.decimal, symbol: symbol, line: i + 1))
                } else {
                    throw bad("value \(i + 1) \(text) is not a number")
                }
            case .string(let s)?:
                if let v = ScbCsvReader.parseValue(s) {
                    observations.append(Observation(keys: keys, value: v.integer, decimal: v.decimal, line: i + 1))
                } else {
                    observations.append(Observation(keys: keys, value: nil, symbol: symbol ?? s, line: i + 1))
                }
            default:
                observations.append(Observation(keys: keys, value: nil, symbol: symbol ?? "..", line: i + 1))
            }
            var j = ids.count - 1
            while j >= 0 { index[j] += 1; if index[j] < sizes[j] { break }; index[j] = 0; j -= 1 }
        }
        let table = PopulationTable(metadata: metadata, dimensions: order.map { dimKeys[$0] },
                                    observations: observations, regionNames: regionNames)
        return ScbImport(table: table, findings: findings)
    }

    /// `1.2345e4` → 12345 exactly (JSON numbers may have exponents).
    static func exponentNumber(_ text: String) -> (integer: Int64?, decimal: String?)? {
        let parts = text.lowercased().split(separator: "e")
        guard parts.count == 2, let exp = Int(parts[1]), abs(exp) < 30 else { return nil }
        var mantissa = String(parts[0])
        var negative = false
        if mantissa.hasPrefix("-") { negative = true; mantissa.removeFirst() }
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { return nil }
        var digits = String(pieces[0]) + (pieces.count == 2 ? String(pieces[1]) : "")
        var point = pieces[0].count + exp
        if point < 0 { digits = String(repeating: "0", count: -point) + digits; point = 0 }
        if point > digits.count { digits += String(repeating: "0", count: point - digits.count) }
        let intPart = digits.prefix(point), frac = digits.dropFirst(point)
        return ScbCsvReader.parseValue((negative ? "-" : "") + (intPart.isEmpty ? "0" : String(intPart)) + (frac.isEmpty ? "" : "." + frac))
    }
}
