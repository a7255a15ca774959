/// One PX file read into a population table, in named steps: the variables and their
/// values, the metadata (dates included), the normalized keys, the declared size (checked
/// before anything is allocated), then the data, dense or in the sparse `KEYS` layout.
struct PxTableReader {
    typealias Keyword = PxReader.Keyword
    typealias Token = PxReader.Token

    let file: String
    let options: ScbReadOptions
    let keywords: [Keyword]
    var stub: [String] = []
    var heading: [String] = []
    var labels: [[String]] = []
    var codes: [[String]?] = []
    var metadata: PopulationTable.Metadata
    var dimKeys: [String] = []
    var normalized: [[String]] = []
    var order: [Int] = []
    var findings: [ReportFinding] = []
    var regionNames: [String: String] = [:]
    var observations: [Observation] = []
    var headingCount = 1
    /// Stub combinations (DATA rows), as `checkSizes` multiplied them.
    var rowCount = 1
    var headingCounts: [Int] = []
    var stubCounts: [Int] = []

    init(bytes: [UInt8], file: String, options: ScbReadOptions) throws {
        self.file = file
        self.options = options
        keywords = try PxReader.parseKeywords(PxReader.decode(bytes, forced: options.encoding), file: file)
        metadata = PopulationTable.Metadata(source: file)
    }

    func first(_ name: String, _ args: [String]? = nil) -> Keyword? {
        keywords.first { $0.name == name && $0.language == nil && (args == nil || $0.arguments == args!) }
    }

    mutating func read() throws -> ScbImport {
        guard first("STUB") != nil || first("HEADING") != nil, let dataK = first("DATA") else {
            throw ReadError.malformed(file: file, part: nil, detail: "a PX file needs STUB or HEADING and DATA")
        }
        try readVariables()
        readMetadata()
        assignKeys()
        normalizeValues()
        order = ScbLabels.outputOrder(dimKeys)
        // A contents variable with a single value is the unit, not a dimension.
        if let c = dimKeys.firstIndex(of: "contents"), labels[c].count == 1 {
            metadata.unit = labels[c][0]
            order.removeAll { $0 == c }
        }
        try checkSizes()
        let tokens = PxReader.dataTokens(dataK.raw)
        if keywords.contains(where: { $0.name == "KEYS" && $0.language == nil }) {
            try readKeyed(tokens)
        } else {
            try readDense(tokens)
        }
        var table = PopulationTable(metadata: metadata, dimensions: order.map { dimKeys[$0] },
                                    observations: observations, regionNames: regionNames)
        table.metadata.referencePeriod = ScbDates.referencePeriod(metadata, periods: table.values(of: "period"))
        return ScbImport(table: table, findings: findings)
    }

    /// STUB and HEADING, and each variable's VALUES and CODES.
    mutating func readVariables() throws {
        stub = first("STUB")?.values ?? []
        heading = first("HEADING")?.values ?? []
        for v in stub + heading {
            guard let vals = first("VALUES", [v])?.values, !vals.isEmpty else {
                throw ReadError.malformed(file: file, part: nil, detail: "VALUES(\"\(v)\") is missing")
            }
            labels.append(vals)
            var c = first("CODES", [v])?.values
            if c?.count != vals.count { c = nil }
            codes.append(c)
        }
    }

    /// Table id, title, unit, notes and the dates: `REFPERIOD` (what the figures refer to) and
    /// `LAST-UPDATED`.
    mutating func readMetadata() {
        metadata.tableId = first("MATRIX")?.values.first
        metadata.title = first("TITLE")?.values.first
        metadata.unit = first("UNITS")?.values.first.flatMap { $0.isEmpty ? nil : $0 } ?? first("CONTENTS")?.values.first
        metadata.referencePeriod = first("REFPERIOD")?.values.first.flatMap { $0.isEmpty ? nil : $0 }
        metadata.updated = first("LAST-UPDATED")?.values.first.flatMap { $0.isEmpty ? nil : $0 }
        for n in ["NOTEX", "NOTE"] { if let note = first(n)?.values.first { metadata.notes.append(note) } }
    }

    /// The normalized key of each variable: region, age, sex, period (a role, or `TIMEVAL`),
    /// contents (`CONTVARIABLE`), else its own code.
    mutating func assignKeys() {
        let contVariable = first("CONTVARIABLE")?.values.first
        var used: Set<String> = []
        for (i, v) in (stub + heading).enumerated() {
            let code = first("VARIABLECODE", [v])?.values.first
            var key: String
            if let role = ScbCsvReader.dimensionRole(v) ?? code.flatMap({ ScbCsvReader.dimensionRole($0) }) {
                key = ScbCsvReader.key(of: role)
            } else if first("TIMEVAL", [v]) != nil {
                key = "period"
            } else if v == contVariable {
                key = "contents"
            } else {
                key = ScbCsvReader.otherCode(code ?? v)
            }
            if !used.insert(key).inserted { key += "_\(i)"; used.insert(key) }
            dimKeys.append(key)
        }
    }

    /// Each variable's values as normalized keys (region codes, ages, sexes, periods).
    mutating func normalizeValues() {
        var warned: Set<String> = []
        for (i, key) in dimKeys.enumerated() {
            var out: [String] = []
            for (j, label) in labels[i].enumerated() {
                let code = codes[i]?[j]
                switch key {
                case "region":
                    let raw = code.map { c in c + " " + label.drop { $0.isNumber || $0 == " " } } ?? label
                    if let (rc, name) = ScbCsvReader.region(raw, registry: options.registry, line: 0, file: file,
                                                            findings: &findings, warned: &warned) {
                        out.append(rc)
                        regionNames[rc] = regionNames[rc] ?? name ?? options.registry.region(code: rc)?.name
                    } else {
                        out.append(code ?? label)
                    }
                case "age":
                    if ScbLabels.marksCellKeyMethod(label) { metadata.cellKeyMethod = true }
                    out.append(ScbLabels.age(label))
                case "sex":
                    let s = ScbLabels.sex(label)
                    out.append(["male", "female", "total"].contains(s) ? s : ScbLabels.sex(code ?? label))
                case "period": out.append(ScbLabels.period(code ?? label) ?? ScbLabels.period(label) ?? (code ?? label))
                default:
                    out.append(code ?? label)
                    if let code, code != label { metadata.valueLabels[key, default: [:]][code] = label }
                }
            }
            normalized.append(out)
        }
        // Findings from labels have no line: point at the VALUES keyword.
        findings = findings.map { var f = $0; f.file = file; f.place = "VALUES(\"region\")"; return f }
    }

    /// The declared sizes, multiplied with overflow checks and held to the cell limit before
    /// any row is read.
    mutating func checkSizes() throws {
        let limit = options.limits.maxScbCells
        headingCounts = heading.indices.map { labels[stub.count + $0].count }
        stubCounts = stub.indices.map { labels[$0].count }
        headingCount = try ScbSizes.cells(headingCounts, names: heading, limit: limit, file: file, part: "HEADING", what: "the HEADING variables")
        rowCount = try ScbSizes.cells(stubCounts, names: stub, limit: limit, file: file, part: "STUB", what: "the STUB variables")
        _ = try ScbSizes.cells([rowCount, headingCount], names: ["STUB", "HEADING"], limit: limit, file: file, part: "DATA", what: "STUB × HEADING")
    }

    /// Dense DATA: every stub combination in order, `headingCount` values each.
    mutating func readDense(_ tokens: [Token]) throws {
        let rows = rowCount
        guard tokens.count == rows * headingCount else {
            throw ReadError.malformed(file: file, part: "DATA",
                detail: "\(tokens.count) values, but STUB and HEADING make \(rows) × \(headingCount) = \(rows * headingCount)")
        }
        observations.reserveCapacity(tokens.count)
        var s = [Int](repeating: 0, count: stub.count)
        for r in 0..<rows {
            try emit(stubIndex: s, tokens: tokens[(r * headingCount)..<((r + 1) * headingCount)], rowNumber: r + 1)
            ScbSizes.advance(&s, sizes: stubCounts)
        }
    }

    /// The sparse `KEYS` layout: each data line starts with its stub keys (values or codes),
    /// then the heading values.
    mutating func readKeyed(_ tokens: [Token]) throws {
        let lookup: [[String: Int]] = stub.indices.map { i in
            var m: [String: Int] = [:]
            for (j, l) in labels[i].enumerated() { m[l] = j; if let c = codes[i]?[j] { m[c] = j } }
            return m
        }
        var rowNumber = 0
        var t = 0
        while t < tokens.count {
            rowNumber += 1
            var idx: [Int] = []
            for i in stub.indices {
                guard t < tokens.count, case .symbol(let k) = tokens[t], let j = lookup[i][k] else {
                    throw ReadError.malformed(file: file, part: "DATA", detail: "row \(rowNumber): KEYS value for \(stub[i]) is not among its VALUES or CODES")
                }
                idx.append(j); t += 1
            }
            let end = min(t + headingCount, tokens.count)
            try emit(stubIndex: idx, tokens: tokens[t..<end], rowNumber: rowNumber)
            t = end
        }
    }

    /// One data row: a value per heading combination, the last heading variable fastest.
    mutating func emit(stubIndex: [Int], tokens row: ArraySlice<Token>, rowNumber: Int) throws {
        guard row.count == headingCount else {
            throw ReadError.malformed(file: file, part: "DATA",
                detail: "row \(rowNumber) has \(row.count) values; HEADING needs \(headingCount)")
        }
        var h = [Int](repeating: 0, count: heading.count)
        for (k, token) in row.enumerated() {
            let all = stubIndex + h
            var keys: [String] = []
            keys.reserveCapacity(order.count)
            for i in order { keys.append(normalized[i][all[i]]) }
            let cell = (rowNumber - 1) * headingCount + k + 1
            switch token {
            case .number(let text):
                guard let v = ScbCsvReader.parseValue(text) else {
                    throw ReadError.malformed(file: file, part: "DATA", detail: "value \(cell) \"\(text)\" is not a number")
                }
                observations.append(Observation(keys: keys, value: v.integer, decimal: v.decimal, line: cell))
            case .symbol(let s):
                observations.append(Observation(keys: keys, value: nil, symbol: s, line: cell))
            }
            ScbSizes.advance(&h, sizes: headingCounts)
        }
    }
}
