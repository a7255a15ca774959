/// One JSON-stat dataset read into a population table, in named steps: the dimensions
/// (`id`, `size`, categories), the metadata (dates included), the normalized keys, the
/// declared size (checked before anything is allocated, and against the values a sparse
/// `value` object really gives), then the cells.
struct JsonStatTableReader {
    let file: String
    let options: ScbReadOptions
    var root: JSONValue
    let dimensionObject: JSONValue
    var ids: [String] = []
    var sizes: [Int] = []
    /// The cells the dimensions declare, as `readShape` multiplied them.
    var cellCount = 0
    var roles: [String: [String]] = [:]
    var codes: [[String]] = []
    var labels: [[String]] = []
    var names: [String] = []
    var dimKeys: [String] = []
    var normalized: [[String]] = []
    var order: [Int] = []
    var metadata: PopulationTable.Metadata
    var findings: [ReportFinding] = []
    var regionNames: [String: String] = [:]

    func bad(_ what: String) -> ReadError { .malformed(file: file, part: nil, detail: what) }

    init(bytes: [UInt8], file: String, options: ScbReadOptions) throws {
        self.file = file
        self.options = options
        do {
            root = try JSONValue.parse(bytes)
        } catch let e as JSONValue.ParseError {
            throw ReadError.malformed(file: file, part: nil, detail: "not valid JSON at byte \(e.offset): \(e.message)")
        }
        guard root.members != nil else { throw ReadError.malformed(file: file, part: nil, detail: "JSON-stat must be an object") }
        if let dataset = root["dataset"], dataset.members != nil { root = dataset }
        dimensionObject = root["dimension"] ?? .object([])
        metadata = PopulationTable.Metadata(source: file)
    }

    mutating func read() throws -> ScbImport {
        try readShape()
        readMetadata()
        try readCategories()
        assignKeys()
        normalizeValues()
        order = ScbLabels.outputOrder(dimKeys)
        if let c = dimKeys.firstIndex(of: "contents"), codes[c].count == 1 {
            metadata.unit = metadata.unit ?? labels[c][0]
            order.removeAll { $0 == c }
        }
        let observations = try readCells()
        var table = PopulationTable(metadata: metadata, dimensions: order.map { dimKeys[$0] },
                                    observations: observations, regionNames: regionNames)
        table.metadata.referencePeriod = ScbDates.referencePeriod(metadata, periods: table.values(of: "period"))
        return ScbImport(table: table, findings: findings)
    }

    /// `id` and `size` (at the top in 2.0, inside `dimension` in 1.x) and the roles; the
    /// declared cell count is checked here, before any category is read.
    mutating func readShape() throws {
        let idList = (root["id"] ?? dimensionObject["id"])?.array?.compactMap(\.string)
        let sizeList = (root["size"] ?? dimensionObject["size"])?.array?.compactMap(\.int)
        guard let idList, let sizeList, idList.count == sizeList.count, !idList.isEmpty else {
            throw bad("JSON-stat needs \"id\" and \"size\" of the same length")
        }
        ids = idList
        sizes = sizeList
        cellCount = try ScbSizes.cells(sizes, names: ids, limit: options.limits.maxScbCells, file: file, part: "size", what: "the dimensions")
        for (k, v) in (root["role"] ?? dimensionObject["role"])?.members ?? [] { roles[k] = v.array?.compactMap(\.string) ?? [] }
    }

    /// Title, table id, notes, and the dates: `updated`, and what the contents refer to
    /// (PxWeb API v2 puts it in the metric dimension's `extension.refperiod`).
    mutating func readMetadata() {
        metadata.title = root["label"]?.string
        if let px = root["extension"]?["px"] {
            metadata.tableId = px["tableid"]?.string ?? px["matrix"]?.string
        }
        if let notes = root["note"]?.array { metadata.notes = notes.compactMap(\.string) }
        metadata.updated = root["updated"]?.string
        for id in ids {
            if let periods = dimensionObject[id]?["extension"]?["refperiod"]?.members {
                let texts = Set(periods.compactMap { $0.1.string })
                if texts.count == 1 { metadata.referencePeriod = texts.first }
            }
        }
    }

    /// Categories of each dimension in index order, with labels.
    mutating func readCategories() throws {
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
    }

    /// The normalized key of each dimension: its role (time, geo, metric) or its name.
    mutating func assignKeys() {
        var used: Set<String> = []
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
    }

    /// Each dimension's categories as normalized keys.
    mutating func normalizeValues() {
        var warned: Set<String> = []
        for (n, key) in dimKeys.enumerated() {
            var out: [String] = []
            for (j, code) in codes[n].enumerated() {
                out.append(normalizedKey(key, code: code, label: labels[n][j], warned: &warned))
            }
            normalized.append(out)
        }
        findings = findings.map { var f = $0; f.file = file; f.place = "dimension region"; return f }
    }

    mutating func normalizedKey(_ key: String, code: String, label: String, warned: inout Set<String>) -> String {
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
        default:
            if code != label { metadata.valueLabels[key, default: [:]][code] = label }
            return code
        }
    }

    /// Values and status, as arrays or objects keyed by position. A sparse `value` object
    /// must not make a huge table of a small file: past `scbSparseCellsFree` declared cells,
    /// each value given may stand for at most `maxScbCellsPerValue` cells.
    func readCells() throws -> [Observation] {
        let total = cellCount
        let value = Self.lookup(root["value"])
        let status = Self.lookup(root["status"])
        if let a = root["value"]?.array, a.count != total {
            throw bad("\"value\" has \(a.count) entries but the dimensions make \(total)")
        }
        if root["value"]?.array == nil {
            let given = (root["value"]?.members?.count ?? 0) + (root["status"]?.members?.count ?? 0)
            let limits = options.limits
            if total > limits.scbSparseCellsFree && total / max(given, 1) > limits.maxScbCellsPerValue {
                throw ReadError.limitExceeded(file: file, part: "value",
                    detail: "the dimensions declare \(total) cells but \"value\" gives \(given); at most \(limits.maxScbCellsPerValue) cells a value past \(limits.scbSparseCellsFree) cells")
            }
        }
        var observations: [Observation] = []
        observations.reserveCapacity(total)
        var index = [Int](repeating: 0, count: ids.count)
        for i in 0..<total {
            let keys = order.map { normalized[$0][index[$0]] }
            observations.append(try observation(value(i), symbol: status(i)?.string, keys: keys, line: i + 1))
            ScbSizes.advance(&index, sizes: sizes)
        }
        return observations
    }

    func observation(_ v: JSONValue?, symbol: String?, keys: [String], line: Int) throws -> Observation {
        switch v {
        case .number(let text)?:
            if let v = ScbCsvReader.parseValue(text) ?? JsonStatReader.exponentNumber(text) {
                return Observation(keys: keys, value: v.integer, decimal: v.decimal, symbol: symbol, line: line)
            }
            throw bad("value \(line) \(text) is not a number")
        case .string(let s)?:
            if let v = ScbCsvReader.parseValue(s) {
                return Observation(keys: keys, value: v.integer, decimal: v.decimal, line: line)
            }
            return Observation(keys: keys, value: nil, symbol: symbol ?? s, line: line)
        default:
            return Observation(keys: keys, value: nil, symbol: symbol ?? "..", line: line)
        }
    }

    static func lookup(_ v: JSONValue?) -> (Int) -> JSONValue? {
        if let a = v?.array { return { $0 < a.count ? a[$0] : nil } }
        if let m = v?.members {
            var d: [Int: JSONValue] = [:]
            for (k, x) in m { if let i = Int(k) { d[i] = x } }
            return { d[$0] }
        }
        if let s = v, s.string != nil { return { _ in s } }   // one status for every cell
        return { _ in nil }
    }
}
