/// Reads the normalized JSON Anslag writes back into the model, checking its shape and naming
/// the JSON path of anything wrong (`$.observations[12].value: not a whole number`).
public enum NormalizedJSON {
    public enum Document: Sendable {
        case population(PopulationTable, [Finding])
        case grid([Sheet])
    }

    public static func read(bytes: [UInt8], file: String) throws -> Document {
        func bad(_ path: String, _ what: String) -> ReadError { .malformed(file: file, part: path, detail: what) }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        let root: JSONValue
        do { root = try JSONValue.parse(body) } catch let e as JSONValue.ParseError {
            throw bad("$", "not valid JSON at byte \(e.offset): \(e.message)")
        }
        guard root.members != nil else { throw bad("$", "expected an object") }
        if let kind = root["kind"] {
            guard kind.string == "population" else {
                throw bad("$.kind", "\(kind.string.map { "\"\($0)\"" } ?? "this value") is not a kind Anslag exports yet (population, or a grid of sheets)")
            }
            return try population(root, bad)
        }
        if root["sheets"] != nil { return .grid(try grid(root, bad)) }
        throw bad("$", "neither a population table (\"kind\": \"population\") nor a grid (\"sheets\")")
    }

    private static func string(_ v: JSONValue?, _ path: String, optional: Bool = true,
                               _ bad: (String, String) -> ReadError) throws -> String? {
        switch v {
        case nil where optional, .null? where optional: return nil
        case .string(let s)?: return s
        default: throw bad(path, optional ? "expected text or null" : "expected text")
        }
    }

    private static func population(_ root: JSONValue, _ bad: (String, String) -> ReadError) throws -> Document {
        var metadata = PopulationTable.Metadata(source: try string(root["source"], "$.source", optional: false, bad)!)
        metadata.tableId = try string(root["table_id"], "$.table_id", bad)
        metadata.title = try string(root["title"], "$.title", bad)
        metadata.unit = try string(root["unit"], "$.unit", bad)
        metadata.referencePeriod = try string(root["reference_period"], "$.reference_period", bad)
        for (i, n) in (root["notes"]?.array ?? []).enumerated() {
            metadata.notes.append(try string(n, "$.notes[\(i)]", optional: false, bad)!)
        }
        guard let dimList = root["dimensions"]?.array else { throw bad("$.dimensions", "expected a list of dimension names") }
        let dims = try dimList.enumerated().map { try string($1, "$.dimensions[\($0)]", optional: false, bad)! }
        guard Set(dims).count == dims.count else { throw bad("$.dimensions", "a dimension is listed twice") }
        guard let obs = root["observations"]?.array else { throw bad("$.observations", "expected a list of observations") }
        var table = PopulationTable(metadata: metadata, dimensions: dims)
        table.observations.reserveCapacity(obs.count)
        for (i, o) in obs.enumerated() {
            let path = "$.observations[\(i)]"
            guard o.members != nil else { throw bad(path, "expected an object") }
            var keys: [String] = []
            for d in dims {
                guard let k = try string(o[d], "\(path).\(d)", optional: false, bad) else { throw bad("\(path).\(d)", "missing") }
                keys.append(k)
            }
            if let ri = dims.firstIndex(of: "region"), let name = try string(o["region_name"], "\(path).region_name", bad) {
                table.regionNames[keys[ri]] = name
            }
            var value: Int64? = nil, decimal: String? = nil
            switch o["value"] {
            case .number(let text)?:
                guard let v = ScbCsvReader.parseValue(text) ?? JsonStatReader.exponentNumber(text) else {
                    throw bad("\(path).value", "\(text) is not an exact number")
                }
                value = v.integer; decimal = v.decimal
            case .null?: break
            default: throw bad("\(path).value", "expected a number or null")
            }
            let symbol = try string(o["symbol"], "\(path).symbol", bad)
            if value == nil && decimal == nil && symbol == nil { throw bad("\(path).symbol", "a null value needs its symbol") }
            table.observations.append(Observation(keys: keys, value: value, decimal: decimal, symbol: symbol, line: i + 1))
        }
        var findings: [Finding] = []
        for (i, f) in (root["findings"]?.array ?? []).enumerated() {
            let path = "$.findings[\(i)]"
            guard let sev = try string(f["severity"], "\(path).severity", optional: false, bad).flatMap(Severity.init(rawValue:)) else {
                throw bad("\(path).severity", "expected info, warning or error")
            }
            func int(_ key: String) throws -> Int64? {
                switch f[key] {
                case nil, .null?: return nil
                case .number(let t)?: if let v = Int64(t) { return v }; throw bad("\(path).\(key)", "expected a whole number")
                default: throw bad("\(path).\(key)", "expected a whole number")
                }
            }
            findings.append(Finding(severity: sev, code: try string(f["code"], "\(path).code", optional: false, bad)!,
                                    message: try string(f["message"], "\(path).message", optional: false, bad)!,
                                    location: try string(f["location"], "\(path).location", optional: false, bad)!,
                                    expected: try int("expected"), actual: try int("actual")))
        }
        return .population(table, findings)
    }

    private static func grid(_ root: JSONValue, _ bad: (String, String) -> ReadError) throws -> [Sheet] {
        guard let sheets = root["sheets"]?.array else { throw bad("$.sheets", "expected a list of sheets") }
        return try sheets.enumerated().map { i, s in
            let path = "$.sheets[\(i)]"
            let name = try string(s["name"], "\(path).name", optional: false, bad)!
            let state = try string(s["state"], "\(path).state", bad).map { raw -> SheetState in
                guard let st = SheetState(rawValue: raw) else { throw bad("\(path).state", "expected visible, hidden or veryHidden") }
                return st
            } ?? .visible
            guard let rows = s["rows"]?.array else { throw bad("\(path).rows", "expected a list of rows") }
            let grid: [[Cell]] = try rows.enumerated().map { r, row in
                guard let cells = row.array else { throw bad("\(path).rows[\(r)]", "expected a list of cells") }
                return try cells.enumerated().map { c, v in
                    switch v {
                    case .null: return Cell(.empty)
                    case .bool(let b): return Cell(.bool(b))
                    case .string(let t): return Cell(.string(t))
                    case .number(let t):
                        guard let d = Double(t) else { throw bad("\(path).rows[\(r)][\(c)]", "\(t) is not a number") }
                        return Cell(.number(d))
                    default: throw bad("\(path).rows[\(r)][\(c)]", "expected a number, text, true/false or null")
                    }
                }
            }
            return Sheet(info: SheetInfo(name: name, state: state), rows: grid)
        }
    }
}
