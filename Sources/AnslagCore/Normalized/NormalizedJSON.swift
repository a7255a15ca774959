/// Reads the normalized JSON Anslag writes back into the model, checking its shape and naming
/// the JSON path of anything wrong (`$.observations[12].value: not a whole number`).
public enum NormalizedJSON {
    public enum Document: Sendable {
        case population(PopulationTable, [ReportFinding])
        case grid([Sheet])
        case allocation(Allocation)
        case budget(Budget)
        case report(FindingsReport)
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
            switch kind.string {
            case "population": return try population(root, bad)
            case "allocation": return .allocation(try AllocationJSON.read(root, bad))
            case "budget": return .budget(try BudgetJSON.read(root, bad))
            default:
                throw bad("$.kind", "\(kind.string.map { "\"\($0)\"" } ?? "this value") is not a kind Anslag exports yet (population, allocation, budget, or a grid of sheets)")
            }
        }
        if root["sheets"] != nil { return .grid(try grid(root, bad)) }
        if root["findings"] != nil && root["valid"] != nil { return .report(try ReportJSON.read(root, bad)) }
        throw bad("$", "not normalized JSON from Anslag: no \"kind\" (population, allocation, budget), no grid (\"sheets\"), no findings report (\"findings\", \"valid\")")
    }

    static func string(_ v: JSONValue?, _ path: String, optional: Bool = true,
                               _ bad: (String, String) -> ReadError) throws -> String? {
        switch v {
        case nil where optional, .null? where optional: return nil
        case .string(let s)?: return s
        default: throw bad(path, optional ? "expected text or null" : "expected text")
        }
    }

    /// An amount in kronor (a JSON number, at most two decimals) or null.
    static func money(_ v: JSONValue?, _ path: String, _ bad: (String, String) -> ReadError) throws -> Money? {
        switch v {
        case nil, .null?: return nil
        case .number(let t)?:
            guard let m = Money.exact(decimal: t, scale: 1) else { throw bad(path, "\(t) is not an exact amount in kronor (at most two decimals)") }
            return m
        default: throw bad(path, "expected an amount in kronor or null")
        }
    }

    private static func population(_ root: JSONValue, _ bad: (String, String) -> ReadError) throws -> Document {
        var metadata = PopulationTable.Metadata(source: try string(root["source"], "$.source", optional: false, bad)!)
        metadata.tableId = try string(root["table_id"], "$.table_id", bad)
        metadata.title = try string(root["title"], "$.title", bad)
        metadata.unit = try string(root["unit"], "$.unit", bad)
        metadata.referencePeriod = try string(root["reference_period"], "$.reference_period", bad)
        metadata.updated = try string(root["updated"], "$.updated", bad)
        for (d, labels) in root["value_labels"]?.members ?? [] {
            for (k, v) in labels.members ?? [] { metadata.valueLabels[d, default: [:]][k] = try string(v, "$.value_labels.\(d).\(k)", optional: false, bad)! }
        }
        switch root["cell_key_method"] {
        case nil, .null?: break
        case .bool(let b)?: metadata.cellKeyMethod = b
        default: throw bad("$.cell_key_method", "expected true or false")
        }
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
        var findings: [ReportFinding] = []
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
            guard let code = FindingCode(rawValue: try string(f["code"], "\(path).code", optional: false, bad)!) else {
                throw bad("\(path).code", "is not a finding code Anslag knows")
            }
            let message = try string(f["message"], "\(path).message", optional: false, bad)!
            let location = try string(f["location"], "\(path).location", optional: false, bad)!
            let expected = try int("expected"), actual = try int("actual")
            // `source: place` as the writer puts it (compared byte for byte); any other location stays whole.
            let prefix = Array((metadata.source + ": ").utf8)
            let inSource = location.utf8.starts(with: prefix)
            findings.append(ReportFinding(code: code, severity: sev, file: inSource ? metadata.source : nil,
                                          place: inSource ? String(decoding: location.utf8.dropFirst(prefix.count), as: UTF8.self) : location,
                                          statedCount: actual, computedCount: expected, message: message))
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

/// Allocation JSON (`Schemas/allocation.schema.json`) back into the model, exactly: amounts are
/// whole kronor, quotas come back from their fractions and must agree with their decimals.
enum AllocationJSON {
    typealias Bad = (String, String) -> ReadError

    static func read(_ root: JSONValue, _ bad: Bad) throws -> Allocation {
        guard root["version"]?.int == 1 else { throw bad("$.version", "expected 1") }
        let file = try NormalizedJSON.string(root["rules_file"], "$.rules_file", optional: false, bad)!
        let population = try NormalizedJSON.string(root["population_file"], "$.population_file", bad)
        guard let rules = root["rules"]?.array else { throw bad("$.rules", "expected a list of rules") }
        var provenance: PopulationProvenance?
        if let p = root["population"], p.members != nil {
            func text(_ k: String, optional: Bool = true) throws -> String? { try NormalizedJSON.string(p[k], "$.population.\(k)", optional: optional, bad) }
            provenance = PopulationProvenance(source: try text("source", optional: false)!, tableId: try text("table_id"),
                referencePeriod: try text("reference_period"), updated: try text("updated"),
                periods: try (p["periods"]?.array ?? []).enumerated().map { try NormalizedJSON.string($1, "$.population.periods[\($0)]", optional: false, bad)! })
        }
        return Allocation(rulesFile: file, populationFile: population, population: provenance,
                          rules: try rules.enumerated().map { try node($1, "$.rules[\($0)]", bad) })
    }

    static func integer(_ v: JSONValue?, _ path: String, optional: Bool = false, _ bad: Bad) throws -> Int64? {
        switch v {
        case .null? where optional, nil where optional: return nil
        case .number(let t)?:
            guard let n = Int64(t) else { throw bad(path, "\(t) is not a whole number of kronor") }
            return n
        default: throw bad(path, optional ? "expected a whole number or null" : "expected a whole number")
        }
    }

    static func node(_ v: JSONValue, _ path: String, _ bad: Bad) throws -> AllocationNode {
        guard v.members != nil else { throw bad(path, "expected an object") }
        func text(_ k: String) throws -> String { try NormalizedJSON.string(v[k], "\(path).\(k)", optional: false, bad)! }
        func int(_ k: String) throws -> Int64 { try integer(v[k], "\(path).\(k)", bad)! }
        guard let rounding = Rounding(rawValue: try text("rounding")) else { throw bad("\(path).rounding", "expected largest-remainder or floor-report-residual") }
        guard let tie = TieBreak(rawValue: try text("tie_break")) else { throw bad("\(path).tie_break", "expected basis-then-code or code") }
        guard let list = v["recipients"]?.array else { throw bad("\(path).recipients", "expected a list of recipients") }
        let recipients = try list.enumerated().map { try recipient($1, "\(path).recipients[\($0)]", bad) }
        let n = AllocationNode(rule: try text("rule"), total: try int("total"), sum: try int("sum"), residual: try int("residual"),
                               rounding: rounding, tieBreak: tie, recipientsLabel: try text("recipients_label"), key: try text("key"),
                               basisSum: try integer(v["basis_sum"], "\(path).basis_sum", optional: true, bad), keyed: try int("keyed"),
                               recipients: recipients)
        let sum = recipients.reduce(Int64(0)) { $0 + $1.amount }
        guard n.sum == sum else { throw bad("\(path).sum", "\(n.sum) is not the sum of the amounts (\(sum))") }
        guard n.total == n.sum + n.residual else { throw bad("\(path).residual", "total \(n.total) ≠ sum \(n.sum) + residual \(n.residual)") }
        return n
    }

    static func present(_ v: JSONValue?) -> JSONValue? {
        if case .null? = v { return nil }
        return v
    }

    static func recipient(_ v: JSONValue, _ path: String, _ bad: Bad) throws -> AllocatedRecipient {
        guard v.members != nil else { throw bad(path, "expected an object") }
        let exact = try NormalizedJSON.string(v["quota_exact"], "\(path).quota_exact", optional: false, bad)!
        guard let quota = Quota(fraction: exact) else { throw bad("\(path).quota_exact", "\"\(exact)\" is not a fraction such as 10000000/3") }
        guard case .string(let decimal)? = v["quota"], decimal == quota.decimal() else {
            throw bad("\(path).quota", "expected \(quota.decimal()), the decimal of quota_exact")
        }
        var members: [String]?
        if let m = present(v["members"]) {
            guard let list = m.array else { throw bad("\(path).members", "expected a list of codes") }
            members = try list.enumerated().map { try NormalizedJSON.string($1, "\(path).members[\($0)]", optional: false, bad)! }
        }
        let rounding = try integer(v["rounding"], "\(path).rounding", bad)!
        guard rounding == 0 || rounding == 1 else { throw bad("\(path).rounding", "expected 0 or 1") }
        var split: AllocationNode?
        if let s = present(v["split"]) { split = try node(s, "\(path).split", bad) }
        let r = AllocatedRecipient(
            code: try NormalizedJSON.string(v["code"], "\(path).code", bad),
            name: try NormalizedJSON.string(v["name"], "\(path).name", optional: false, bad)!,
            members: members, basis: try integer(v["basis"], "\(path).basis", optional: true, bad),
            share: try NormalizedJSON.string(v["share"], "\(path).share", bad),
            fixed: try integer(v["fixed"], "\(path).fixed", bad)!, quota: quota,
            amount: try integer(v["amount"], "\(path).amount", bad)!, rounding: Int(rounding), split: split)
        if let split, split.total != r.amount { throw bad("\(path).split.total", "\(split.total) is not this recipient's amount (\(r.amount))") }
        return r
    }
}

/// A findings report (`Schemas/report.schema.json`) back into the model.
enum ReportJSON {
    static func read(_ root: JSONValue, _ bad: (String, String) -> ReadError) throws -> FindingsReport {
        func money(_ v: JSONValue?, _ path: String) throws -> Money? { try NormalizedJSON.money(v, path, bad) }
        let file = try NormalizedJSON.string(root["file"], "$.file", optional: false, bad)!
        guard case .bool(let valid)? = root["valid"] else { throw bad("$.valid", "expected true or false") }
        guard let tables = root["tables"]?.int, tables >= 0 else { throw bad("$.tables", "expected a count of tables") }
        guard let list = root["findings"]?.array else { throw bad("$.findings", "expected a list of findings") }
        var findings: [ReportFinding] = []
        for (i, f) in list.enumerated() {
            let p = "$.findings[\(i)]"
            guard f.members != nil else { throw bad(p, "expected an object") }
            func text(_ k: String, optional: Bool = true) throws -> String? { try NormalizedJSON.string(f[k], "\(p).\(k)", optional: optional, bad) }
            guard let severity = Severity(rawValue: try text("severity", optional: false)!) else { throw bad("\(p).severity", "expected error, warning or info") }
            guard let code = FindingCode(rawValue: try text("code", optional: false)!) else {
                throw bad("\(p).code", "is not a finding code Anslag knows")
            }
            var finding = ReportFinding(code: code, severity: severity, file: try text("file"), sheet: try text("sheet"),
                                        cell: try text("cell"), stated: try money(f["stated"], "\(p).stated"), computed: try money(f["computed"], "\(p).computed"),
                                        lines: try text("lines"), message: try text("message", optional: false)!)
            let delta = try money(f["delta"], "\(p).delta")
            if let d = finding.delta, delta != d { throw bad("\(p).delta", "is not stated − computed (\(d))") }
            finding.delta = delta
            findings.append(finding)
        }
        let report = FindingsReport(file: file, findings: findings, tables: tables)
        guard report.valid == valid else { throw bad("$.valid", valid ? "the report has error findings, so it is not valid" : "no finding is an error, so the report is valid") }
        return report
    }
}
