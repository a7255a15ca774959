/// Reads allocation rule files (YAML or JSON; `Schemas/allocation-rules.schema.json`).
///
/// A file is one rule, or `rules: [...]` with settings shared by all of them
/// (`population`, `rounding`, `tie-break`). Membership tables and basis columns are read here,
/// relative to the rule file; the population file is read once, when computing.
public enum RuleFile {
    public static func read(path: String, registry: RegionRegistry = .bundled) throws -> RuleSet {
        let bytes: [UInt8]
        do { bytes = try FileInput.read(path: path, limit: 16 << 20) }
        catch { throw RuleError(file: path, rule: nil, path: "", line: nil, problem: (error as? ReadError)?.withoutFile ?? "\(error)") }
        return try parse(bytes: bytes, file: path, directory: directory(of: path), registry: registry)
    }

    public static func parse(bytes: [UInt8], file: String, directory: String = ".", registry: RegionRegistry = .bundled) throws -> RuleSet {
        do {
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
            let first = body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
            guard first != nil else { throw RuleError(rule: nil, path: "", line: nil, problem: "the rule file is empty") }
            let root: ConfigNode
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                root = try ConfigNode.fromJSON(body)
            } else {
                guard let text = String(validating: body, as: UTF8.self) else {
                    throw RuleError(rule: nil, path: "", line: nil, problem: "the rule file is not UTF-8 text")
                }
                root = try ConfigNode.fromYAML(text)
            }
            var parser = Parser(directory: directory, registry: registry)
            return try parser.ruleSet(root, file: file)
        } catch var e as RuleError {
            if e.file == nil { e.file = file }
            throw e
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") || directory == "." ? path : "\(directory)/\(path)"
    }
}

private struct Parser {
    let directory: String
    let registry: RegionRegistry
    var tableCache: [String: [[String]]] = [:]

    init(directory: String, registry: RegionRegistry) { self.directory = directory; self.registry = registry }

    static let ruleKeys = ["name", "total", "recipients", "key", "rounding", "tie-break", "description", "period", "overlap"]

    /// `population: {file: F, period: P, where: {…}}` or `{scb: TABLE, period: P, region: …, where: {…}}`.
    static func population(_ p: ConfigNode, directory: String) throws -> (file: String?, period: String?, fetch: PopulationFetch?, selections: [String: String]) {
        try p.onlyKeys(["file", "period", "where", "scb", "region", "age", "sex"])
        let period = try p["period"]?.text()
        let selections = try p["where"].map(Self.selections) ?? [:]
        if let t = p["scb"] {
            if p["file"] != nil { throw p.error("population: give file or scb, not both") }
            var fetch = PopulationFetch(table: try t.text(), period: period, selections: selections)
            if let r = p["region"] {
                if case .list = r.value { fetch.regions = try r.list().map { try $0.text() } } else { fetch.regions = [try r.text()] }
            }
            if let a = p["age"] {
                let ages = try a.text()
                guard PopulationQuery.Ages(ages) != nil else { throw a.error("\"\(ages)\" is not an age band such as 0-25, 65+ or total") }
                fetch.ages = ages
            }
            if let s = p["sex"] { fetch.sex = try s.text() }
            return (nil, period, fetch, selections)
        }
        for k in ["region", "age", "sex"] where p[k] != nil {
            throw p[k]!.error("\(k) selects what to fetch from SCB (population: {scb: TABLE, …}); a key chooses age and sex from a file")
        }
        guard let f = p["file"] else { throw p.error("population needs file: PATH or scb: TABLE") }
        return (RuleFile.resolve(try f.text(), in: directory), period, nil, selections)
    }

    /// `where: {civilstand: ogifta, contents: Folkmängd}`: dimension → value, both as text.
    static func selections(_ node: ConfigNode) throws -> [String: String] {
        guard case .map(let entries) = node.value else { throw node.error("where: expected a mapping such as {civilstand: totalt}") }
        var out: [String: String] = [:]
        for (k, v) in entries { out[k] = try v.text() }
        return out
    }

    mutating func ruleSet(_ root: ConfigNode, file: String) throws -> RuleSet {
        var rounding = Rounding.largestRemainder, tieBreak = TieBreak.basisThenCode
        var populationFile: String?
        var period: String?
        var ruleNodes: [ConfigNode]
        if let rules = root["rules"] {
            try root.onlyKeys(["rules", "population", "rounding", "tie-break", "description", "period"])
            ruleNodes = try rules.list()
            guard !ruleNodes.isEmpty else { throw rules.error("the file has no rules") }
        } else if root.isMap {
            ruleNodes = [root]
        } else {
            throw root.error("expected a rule (name, total, recipients, key) or rules: [...]")
        }
        if let r = root["rounding"] { rounding = try Self.rounding(r) }
        if let t = root["tie-break"] { tieBreak = try Self.tieBreak(t) }
        var fetch: PopulationFetch?
        var selections: [String: String] = [:]
        if let p = root["population"] {
            if p.isMap {
                let spec = try Self.population(p, directory: directory)
                populationFile = spec.file; period = spec.period; fetch = spec.fetch; selections = spec.selections
            } else {
                populationFile = RuleFile.resolve(try p.text(), in: directory)
            }
        }
        if let per = root["period"], root["rules"] != nil { period = try per.text() }
        var rules: [AllocationRule] = []
        for node in ruleNodes {
            var allowed = Self.ruleKeys
            if ruleNodes.count == 1 && root["rules"] == nil { allowed += ["population"] }
            let rule = try self.rule(node, name: nil, rounding: rounding, tieBreak: tieBreak, period: period, allowed: allowed)
            if rules.contains(where: { $0.name == rule.name }) {
                throw RuleError(rule: rule.name, path: node.path, line: node.line, problem: "a second rule with this name")
            }
            rules.append(rule)
        }
        var set = RuleSet(file: file, rules: rules, populationFile: populationFile)
        set.populationFetch = fetch
        set.populationSelections = selections
        try Self.checkReferences(set)
        return set
    }

    static func rounding(_ n: ConfigNode) throws -> Rounding {
        let t = try n.text()
        guard let r = Rounding(rawValue: t) else { throw n.error("unknown rounding \"\(t)\"; use largest-remainder or floor-report-residual") }
        return r
    }

    static func tieBreak(_ n: ConfigNode) throws -> TieBreak {
        let t = try n.text()
        guard let r = TieBreak(rawValue: t) else { throw n.error("unknown tie-break \"\(t)\"; use basis-then-code or code") }
        return r
    }

    mutating func rule(_ node: ConfigNode, name inherited: String?, rounding: Rounding, tieBreak: TieBreak,
                       period: String?, allowed: [String]) throws -> AllocationRule {
        try node.onlyKeys(allowed)
        let name: String
        if let n = node["name"] { name = try n.text() } else if let inherited { name = inherited } else { throw node.error("a rule needs a name") }
        do {
            var total: Int64?
            if let t = node["total"] {
                total = try t.kronor()
                if total! < 0 { throw t.error("the total is negative (\(total!) kr)") }
            }
            let rounding = try node["rounding"].map(Self.rounding) ?? rounding
            let tieBreak = try node["tie-break"].map(Self.tieBreak) ?? tieBreak
            let period = try node["period"]?.text() ?? period
            guard let recNode = node["recipients"] else { throw node.error("a rule needs recipients") }
            var (recipients, label) = try self.recipients(recNode, ruleName: name, rounding: rounding, tieBreak: tieBreak, period: period)
            guard let keyNode = node["key"] else { throw node.error("a rule needs a key") }
            let key = try self.key(keyNode, period: period, recipients: recipients)
            if case .proportional(.shares) = key.kind {
                for (i, r) in recipients.enumerated() where r.fixedAmount == nil && r.share == nil {
                    throw RuleError(rule: nil, path: r.path, line: nil, problem: "basis: shares needs a share (such as 1/3) for every recipient; \(recipients[i].name) has none")
                }
            }
            if case .proportional(.column(let file, let column, let values)) = key.kind {
                for r in recipients where r.fixedAmount == nil {
                    let ids = r.members ?? [r.code ?? r.name]
                    for id in ids where values[id] == nil && values[registry.region(code: id)?.name ?? ""] == nil {
                        throw keyNode.error("\(file) has no \(column) value for \(id)\(r.members != nil ? " (member of \(r.name))" : "")")
                    }
                }
            }
            recipients = recipients.map { var r = $0; if r.members != nil { r.members = r.members!.sorted() }; return r }
            var overlapAllowed = false
            if let o = node["overlap"] {
                switch try o.text() {
                case "allowed": overlapAllowed = true
                case "error": overlapAllowed = false
                default: throw o.error("overlap takes allowed or error")
                }
            }
            if !overlapAllowed { try RecipientOverlap.check(recipients, registry: registry, node: recNode) }
            var rule = AllocationRule(name: name, total: total, recipients: recipients, recipientsLabel: label, key: key,
                                      rounding: rounding, tieBreak: tieBreak, path: node.path)
            rule.overlapAllowed = overlapAllowed
            return rule
        } catch var e as RuleError {
            if e.rule == nil { e.rule = name }
            throw e
        }
    }

    // MARK: Recipients

    mutating func recipients(_ node: ConfigNode, ruleName: String, rounding: Rounding, tieBreak: TieBreak,
                             period: String?) throws -> ([RecipientSpec], String) {
        func regions(_ list: [RegionRegistry.Region]) -> [RecipientSpec] {
            list.map { RecipientSpec(code: $0.code, name: $0.name, path: node.path) }
        }
        switch node.value {
        case .text(let t, _):
            switch TextFold.fold(t) {
            case "lan", "lanen", "counties", "regioner": return (regions(registry.counties), "the \(registry.counties.count) län")
            case "kommuner", "kommunerna", "municipalities": return (regions(registry.municipalities), "the \(registry.municipalities.count) kommuner")
            default: throw node.error("unknown recipients \"\(t)\"; use lan, kommuner, {kommuner-in: CODE}, {membership: FILE} or a list")
            }
        case .map:
            if let c = node["kommuner-in"] {
                try node.onlyKeys(["kommuner-in"])
                let code = try c.text()
                guard let county = registry.region(code: code) ?? registry.region(named: code), county.kind == .lan else {
                    throw c.error("\"\(code)\" is not a län code")
                }
                return (regions(registry.municipalities(inCounty: county.code)), "the kommuner of \(county.name)")
            }
            if let m = node["membership"] {
                try node.onlyKeys(["membership", "within", "groups"])
                return try membership(m, within: node["within"], groups: node["groups"])
            }
            throw node.error("recipients: expected lan, kommuner, {kommuner-in: CODE}, {membership: FILE, within: CODE} or a list")
        case .list(let items):
            guard !items.isEmpty else { throw node.error("the recipient list is empty") }
            var out: [RecipientSpec] = []
            for item in items {
                var spec: RecipientSpec
                if item.isMap {
                    try item.onlyKeys(["code", "name", "amount", "share", "rule"])
                    let code = try item["code"]?.text()
                    let name = try item["name"]?.text()
                    spec = try recipient(code: code, name: name, node: item)
                    if let a = item["amount"] {
                        let v = try a.kronor()
                        if v < 0 { throw a.error("a negative amount") }
                        spec.fixedAmount = v
                    }
                    if let s = item["share"] {
                        guard let f = Fraction(try s.text()) else { throw s.error("\"\(try s.text())\" is not a share such as 1/3, 0.25 or 25 %") }
                        spec.share = f
                    }
                    if let r = item["rule"] {
                        if case .text(let ref, _) = r.value {
                            spec.nested = .named(ref)
                        } else {
                            let allowed = ["name", "recipients", "key", "rounding", "tie-break", "description", "period"]
                            spec.nested = .inline(try rule(r, name: "\(ruleName) › \(spec.name)", rounding: rounding, tieBreak: tieBreak, period: period, allowed: allowed))
                        }
                    }
                } else {
                    let t = try item.text()
                    spec = try recipient(code: t.allSatisfy(\.isNumber) ? t : nil, name: t.allSatisfy(\.isNumber) ? nil : t, node: item)
                }
                if out.contains(where: { $0.id == spec.id }) { throw item.error("\(spec.id) is listed twice") }
                out.append(spec)
            }
            return (out, "\(out.count) listed recipients")
        case .null:
            throw node.error("recipients are missing")
        }
    }

    /// A listed recipient: a region by code or name, or a named recipient of its own
    /// (civilsamhället, the region itself as an organisation).
    func recipient(code: String?, name: String?, node: ConfigNode) throws -> RecipientSpec {
        if let code {
            guard let r = registry.region(code: code), r.kind != .riket else {
                throw node.error("unknown recipient code \(code) (not a län or kommun code)")
            }
            return RecipientSpec(code: r.code, name: name ?? r.name, path: node.path)
        }
        guard let name, !name.trimmingCharacters().isEmpty else { throw node.error("a recipient needs a code or a name") }
        // A län or kommun by name as people write it: "Skåne län", "Region Skåne", "Göteborgs stad".
        if let r = Self.region(named: name, registry: registry) {
            return RecipientSpec(code: r.code, name: name, path: node.path)
        }
        return RecipientSpec(code: nil, name: name, path: node.path)
    }

    /// A region a recipient's name means, if any; "Region X" is the region (län) X.
    static func region(named name: String, registry: RegionRegistry) -> RegionRegistry.Region? {
        let f = TextFold.fold(name)
        if f.hasPrefix("region "), let r = registry.region(named: String(f.dropFirst(7))) {
            if r.kind == .lan { return r }
            if let county = registry.counties.first(where: { TextFold.fold($0.name).hasPrefix(TextFold.fold(r.name)) }) { return county }
        }
        guard let r = registry.region(named: name), r.kind != .riket else { return nil }
        return r
    }

    mutating func membership(_ fileNode: ConfigNode, within: ConfigNode?, groups: ConfigNode?) throws -> ([RecipientSpec], String) {
        let file = RuleFile.resolve(try fileNode.text(), in: directory)
        let rows = try table(file, node: fileNode)
        guard let header = rows.first else { throw fileNode.error("\(file) is empty") }
        let folded = header.map(TextFold.fold)
        guard let codeCol = folded.firstIndex(where: { ["code", "kod", "kommunkod", "member", "medlem"].contains($0) }),
              let groupCol = folded.firstIndex(where: { ["group", "grupp", "kommunalforbund", "forbund", "delregion"].contains($0) }) else {
            throw fileNode.error("\(file): the header needs a code column (code, kod) and a group column (group, kommunalförbund)")
        }
        var county: RegionRegistry.Region?
        if let within {
            let c = try within.text()
            guard let r = registry.region(code: c) ?? registry.region(named: c), r.kind == .lan else { throw within.error("\"\(c)\" is not a län") }
            county = r
        }
        var order: [String] = []
        var members: [String: [String]] = [:]
        for (i, row) in rows.dropFirst().enumerated() {
            guard row.count > max(codeCol, groupCol) else { continue }
            let code = row[codeCol].trimmingCharacters(), group = row[groupCol].trimmingCharacters()
            if code.isEmpty && group.isEmpty { continue }
            guard let region = registry.region(code: code), region.kind == .kommun else {
                throw fileNode.error("\(file) row \(i + 2): unknown kommun code \"\(code)\"")
            }
            guard !group.isEmpty else { throw fileNode.error("\(file) row \(i + 2): \(code) has no group") }
            if let county, region.county != county.code { continue }
            if members[group] == nil { order.append(group); members[group] = [] }
            if members[group]!.contains(code) { throw fileNode.error("\(file) row \(i + 2): \(code) is listed twice in \(group)") }
            members[group]!.append(code)
        }
        if let groups {
            let wanted = try groups.list().map { try $0.text() }
            for g in wanted where members[g] == nil { throw groups.error("\(file) has no group \"\(g)\"\(county.map { " with members in \($0.name)" } ?? "")") }
            order = wanted
        }
        guard !order.isEmpty else { throw fileNode.error("\(file) has no members\(county.map { " in \($0.name)" } ?? "")") }
        let specs = order.map { RecipientSpec(code: nil, name: $0, members: members[$0]!, path: fileNode.path) }
        let base = file.split(separator: "/").last.map(String.init) ?? file
        return (specs, "groups of \(base)\(county.map { ", members within \($0.name) only" } ?? "")")
    }

    // MARK: Key

    mutating func key(_ node: ConfigNode, period: String?, recipients: [RecipientSpec]) throws -> AllocationKey {
        if case .text(let t, _) = node.value {
            switch t {
            case "equal": return AllocationKey(kind: .equal, base: nil, exceptions: [:], path: node.path)
            case "population": return AllocationKey(kind: .proportional(.population(PopulationBasis(period: period, ages: "total", sex: "total"))), base: nil, exceptions: [:], path: node.path)
            case "shares": return AllocationKey(kind: .proportional(.shares), base: nil, exceptions: [:], path: node.path)
            default: throw node.error("unknown key \"\(t)\"; use equal, population, shares or a mapping with kind")
            }
        }
        try node.onlyKeys(["kind", "basis", "age", "sex", "period", "base", "amount", "exceptions", "file", "column", "where"])
        guard let kindNode = node["kind"] else { throw node.error("a key needs a kind: proportional, equal or fixed") }
        let kindText = try kindNode.text()
        var kind: AllocationKey.Kind
        switch kindText {
        case "equal": kind = .equal
        case "fixed":
            guard let a = node["amount"] else { throw node.error("kind fixed needs an amount per recipient") }
            let v = try a.kronor()
            if v < 0 { throw a.error("a negative amount") }
            kind = .fixed(amount: v)
        case "proportional":
            kind = .proportional(try basis(node, period: period))
        default: throw kindNode.error("unknown kind \"\(kindText)\"; use proportional, equal or fixed")
        }
        var base: Int64?
        if let b = node["base"] {
            base = try b.kronor()
            if base! < 0 { throw b.error("a negative base") }
        }
        var exceptions: [String: Int64] = [:]
        if let e = node["exceptions"] {
            guard base != nil || { if case .fixed = kind { return true }; return false }() else {
                throw e.error("exceptions replace a base or a fixed amount; this key has neither")
            }
            for item in try e.list() {
                try item.onlyKeys(["recipients", "amount", "file"])
                guard let amountNode = item["amount"] else { throw item.error("an exception needs an amount") }
                let amount = try amountNode.kronor()
                if amount < 0 { throw amountNode.error("a negative amount") }
                var ids: [String] = []
                if let f = item["file"] {
                    let file = RuleFile.resolve(try f.text(), in: directory)
                    let rows = try table(file, node: f)
                    let folded = rows.first?.map(TextFold.fold) ?? []
                    let col = folded.firstIndex(where: { ["code", "kod", "lanskod", "kommunkod"].contains($0) }) ?? 0
                    ids = rows.dropFirst().compactMap { $0.count > col ? $0[col].trimmingCharacters() : nil }.filter { !$0.isEmpty }
                }
                if let r = item["recipients"] { ids += try r.list().map { try $0.text() } }
                guard !ids.isEmpty else { throw item.error("an exception needs recipients (a list, or file: a table of codes)") }
                for id in ids {
                    let match = recipients.first { $0.code == id || $0.name == id }
                    guard let match else { throw item.error("\(id) is not one of this rule's recipients") }
                    if exceptions[match.id] != nil { throw item.error("\(id) has two exceptions") }
                    exceptions[match.id] = amount
                }
            }
        }
        return AllocationKey(kind: kind, base: base, exceptions: exceptions, path: node.path)
    }

    mutating func basis(_ node: ConfigNode, period: String?) throws -> Basis {
        let b = node["basis"]
        let t = try b?.text() ?? (node["file"] != nil ? "column" : "population")
        switch t {
        case "population":
            let ages = try node["age"]?.text() ?? "total"
            guard PopulationQuery.Ages(ages) != nil else { throw node["age"]!.error("\"\(ages)\" is not an age band such as 0-25, 65+ or total") }
            var sex = try node["sex"]?.text() ?? "total"
            switch TextFold.fold(sex) {
            case "total", "totalt", "alla": sex = "total"
            case "male", "man", "men", "män": sex = "male"
            case "female", "kvinnor", "women", "kvinna": sex = "female"
            default: throw node["sex"]!.error("\"\(sex)\" is not a sex: total, male (män) or female (kvinnor)")
            }
            let selections = try node["where"].map(Self.selections) ?? [:]
            return .population(PopulationBasis(period: try node["period"]?.text() ?? period, ages: ages, sex: sex, selections: selections))
        case "shares": return .shares
        case "column":
            guard let f = node["file"], let c = node["column"] else { throw node.error("a column basis needs file and column") }
            let file = RuleFile.resolve(try f.text(), in: directory)
            let column = try c.text()
            let rows = try table(file, node: f)
            guard let header = rows.first else { throw f.error("\(file) is empty") }
            guard let vCol = header.firstIndex(where: { $0.trimmingCharacters() == column }) else {
                throw c.error("\(file) has no column \"\(column)\"; it has \(header.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            let folded = header.map(TextFold.fold)
            let kCol = folded.firstIndex(where: { ["code", "kod", "region", "recipient", "mottagare", "name", "namn"].contains($0) }) ?? (vCol == 0 ? 1 : 0)
            var values: [String: Int64] = [:]
            for (i, row) in rows.dropFirst().enumerated() where row.count > max(kCol, vCol) {
                let id = row[kCol].trimmingCharacters()
                if id.isEmpty { continue }
                let raw = row[vCol].filter { $0 != " " && $0 != "\u{A0}" && $0 != "\u{202F}" }
                guard let v = Int64(raw), v >= 0 else { throw c.error("\(file) row \(i + 2): \"\(row[vCol])\" is not a non-negative whole number") }
                if values[id] != nil { throw c.error("\(file) row \(i + 2): \(id) appears twice") }
                values[id] = v
            }
            return .column(file: file, column: column, values: values)
        default:
            throw b!.error("unknown basis \"\(t)\"; use population, shares, or file + column")
        }
    }

    /// A small table (CSV or a spreadsheet's first sheet) as text cells.
    mutating func table(_ file: String, node: ConfigNode) throws -> [[String]] {
        if let t = tableCache[file] { return t }
        do {
            let reader = try openSpreadsheet(.path(file))
            let sheet = try reader.sheet(at: 0)
            let rows = sheet.rows.map { $0.map { cell -> String in
                switch cell.value {
                case .string(let s): return s
                case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
                case .empty: return ""
                default: return ""
                }
            } }.filter { !$0.allSatisfy { $0.trimmingCharacters().isEmpty } }
            tableCache[file] = rows
            return rows
        } catch let e as RuleError {
            throw e
        } catch {
            throw node.error("\(error)")
        }
    }

    // MARK: References

    static func checkReferences(_ set: RuleSet) throws {
        // Each named reference must exist; following them must never come back to a rule.
        func references(_ rule: AllocationRule) -> [(String, RecipientSpec)] {
            rule.recipients.flatMap { r -> [(String, RecipientSpec)] in
                switch r.nested {
                case .named(let n): return [(n, r)]
                case .inline(let inner): return references(inner)
                case nil: return []
                }
            }
        }
        for rule in set.rules {
            for (name, r) in references(rule) where set.rule(named: name) == nil {
                throw RuleError(rule: rule.name, path: "\(r.path).rule", line: nil, problem: "no rule named \"\(name)\" in this file")
            }
        }
        var state: [String: Int] = [:]   // 1 visiting, 2 done
        func visit(_ rule: AllocationRule, chain: [String]) throws {
            if state[rule.name] == 2 { return }
            if state[rule.name] == 1 {
                throw RuleError(rule: rule.name, path: rule.path, line: nil, problem: "rules nest in a cycle: \((chain + [rule.name]).joined(separator: " → "))")
            }
            state[rule.name] = 1
            for (name, _) in references(rule) { try visit(set.rule(named: name)!, chain: chain + [rule.name]) }
            state[rule.name] = 2
        }
        for rule in set.rules { try visit(rule, chain: []) }
    }
}
