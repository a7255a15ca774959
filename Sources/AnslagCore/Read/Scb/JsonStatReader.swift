import Foundation

/// Reads JSON-stat as the PxWeb API serves it: version 2.0 (`id`, `size`, `dimension`, `value`
/// at the top; PxWeb API v2's default) and the 1.x `{"dataset": …}` wrapping of API v1. Values
/// are an array or an object keyed by position; `status` (array or object) gives the symbols.
public enum JsonStatReader {
    public static func read(bytes: [UInt8], file: String, options: ScbReadOptions = ScbReadOptions()) throws -> ScbImport {
        func bad(_ what: String) -> ReadError { .malformed(file: file, part: nil, detail: what) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw bad("not valid JSON (\((error as NSError).userInfo["NSDebugDescription"] as? String ?? "parse error"))")
        }
        guard var root = object as? [String: Any] else { throw bad("JSON-stat must be an object") }
        if let dataset = root["dataset"] as? [String: Any] { root = dataset }
        var dimensionObject = root["dimension"] as? [String: Any] ?? [:]
        guard let ids = (root["id"] as? [String]) ?? (dimensionObject["id"] as? [String]),
              let sizes = ((root["size"] ?? dimensionObject["size"]) as? [NSNumber])?.map(\.intValue),
              ids.count == sizes.count, !ids.isEmpty else {
            throw bad("JSON-stat needs \"id\" and \"size\" of the same length")
        }
        let roles = (root["role"] ?? dimensionObject["role"]) as? [String: [String]] ?? [:]
        dimensionObject["id"] = nil; dimensionObject["size"] = nil; dimensionObject["role"] = nil

        var metadata = PopulationTable.Metadata(source: file)
        metadata.title = root["label"] as? String
        if let ext = root["extension"] as? [String: Any], let px = ext["px"] as? [String: Any] {
            metadata.tableId = (px["tableid"] as? String) ?? (px["matrix"] as? String)
        }
        if let notes = root["note"] as? [String] { metadata.notes = notes }

        // Categories of each dimension in index order, with labels.
        var codes: [[String]] = []
        var labels: [[String]] = []
        var names: [String] = []
        for (n, id) in ids.enumerated() {
            guard let dim = dimensionObject[id] as? [String: Any], let category = dim["category"] as? [String: Any] else {
                throw bad("dimension \"\(id)\" has no category")
            }
            var order: [String]
            if let list = category["index"] as? [String] {
                order = list
            } else if let map = category["index"] as? [String: NSNumber] {
                order = map.sorted { $0.value.intValue < $1.value.intValue }.map(\.key)
            } else if let map = category["label"] as? [String: String], map.count == 1 {
                order = Array(map.keys)
            } else {
                throw bad("dimension \"\(id)\" has no category index")
            }
            guard order.count == sizes[n] else { throw bad("dimension \"\(id)\" has \(order.count) categories but size \(sizes[n])") }
            let labelMap = category["label"] as? [String: String] ?? [:]
            codes.append(order)
            labels.append(order.map { labelMap[$0] ?? $0 })
            names.append(dim["label"] as? String ?? id)
            if let units = category["unit"] as? [String: Any], metadata.unit == nil,
               let first = units.values.first as? [String: Any], let base = first["base"] as? String {
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
        var order: [Int] = []
        for d in ["region", "age", "sex", "period"] { if let i = dimKeys.firstIndex(of: d) { order.append(i) } }
        for i in dimKeys.indices where !order.contains(i) { order.append(i) }
        if let c = dimKeys.firstIndex(of: "contents"), codes[c].count == 1 {
            metadata.unit = metadata.unit ?? labels[c][0]
            order.removeAll { $0 == c }
        }
        let total = sizes.reduce(1, *)
        guard total <= 50_000_000 else { throw ReadError.limitExceeded(file: file, part: nil, detail: "a table of \(total) cells") }

        // Values and status, as arrays or objects keyed by position.
        func cell(_ any: Any?, _ i: Int) -> Any? {
            if let a = any as? [Any] { return i < a.count ? a[i] : nil }
            if let o = any as? [String: Any] { return o[String(i)] }
            return nil
        }
        let values = root["value"]
        let status = root["status"]
        if let a = values as? [Any], a.count != total {
            throw bad("\"value\" has \(a.count) entries but the dimensions make \(total)")
        }
        var observations: [Observation] = []
        observations.reserveCapacity(total)
        var index = [Int](repeating: 0, count: ids.count)
        for i in 0..<total {
            let keys = order.map { normalized[$0][index[$0]] }
            let symbol = cell(status, i) as? String
            switch cell(values, i) {
            case let n as NSNumber where !(n is Bool):
                let text = n.stringValue
                if let v = ScbCsvReader.parseValue(text) {
                    observations.append(Observation(keys: keys, value: v.integer, decimal: v.decimal, symbol: symbol, line: i + 1))
                } else {
                    throw bad("value \(i + 1) \(text) is not a number")
                }
            case let s as String:
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
}
