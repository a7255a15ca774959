/// A population table in Anslag's normalized form: one observation per combination of
/// dimension values, with the value or the symbol SCB gave instead.
///
/// Dimension keys: `region` (SCB code, zero-padded), `age` ("0"…"99", "100+", "total" or a band
/// such as "0-25"), `sex` ("male", "female", "total"), `period` ("2023", "2023M10", "2023K4"),
/// and any other dimension under its own code. Region names travel beside the codes.
public struct PopulationTable: Equatable, Sendable {
    public struct Metadata: Equatable, Sendable {
        public var source: String
        public var tableId: String?
        public var title: String?
        public var unit: String?
        /// What the figures refer to: a period (`2023M10`), or SCB's words (`31 december
        /// respektive år`) from PX `REFPERIOD`, JSON-stat's `refperiod` or a `Referenstid` note.
        public var referencePeriod: String?
        /// When SCB last updated the table (JSON-stat `updated`, PX `LAST-UPDATED`), as given.
        public var updated: String?
        /// Dimension key → value key → the text SCB gave, for dimensions whose keys are codes
        /// (`civilstand`: `OG` → `ogifta`), so a query may name a value by code or text.
        public var valueLabels: [String: [String: String]] = [:]
        public var notes: [String] = []
        /// Whether the table's own labels mark it as perturbed by SCB's Cell Key Method
        /// ("totalt, samtliga åldrar", the age "100+1").
        public var cellKeyMethod = false
        public init(source: String) { self.source = source }
    }

    public var metadata: Metadata
    /// Dimension keys in output order.
    public var dimensions: [String]
    public var observations: [Observation]
    /// Region code → name, as the file gave it or the registry knows it.
    public var regionNames: [String: String]

    public init(metadata: Metadata, dimensions: [String], observations: [Observation] = [], regionNames: [String: String] = [:]) {
        self.metadata = metadata; self.dimensions = dimensions
        self.observations = observations; self.regionNames = regionNames
    }

    public func index(of dimension: String) -> Int? { dimensions.firstIndex(of: dimension) }

    /// All values of a dimension, in first-seen order.
    public func values(of dimension: String) -> [String] {
        guard let d = index(of: dimension) else { return [] }
        var seen: Set<String> = []
        var out: [String] = []
        for o in observations where seen.insert(o.keys[d]).inserted { out.append(o.keys[d]) }
        return out
    }
}

/// One observation: a key per dimension (parallel to `PopulationTable.dimensions`) and a value.
public struct Observation: Equatable, Sendable {
    public var keys: [String]
    /// The value when it is a whole number.
    public var value: Int64?
    /// The exact decimal text when the value is not a whole number (shares, per cent).
    public var decimal: String?
    /// SCB's symbol when there is no value: `..`, `.`, `-`, `...` or empty.
    public var symbol: String?
    /// Where it came from: line (CSV) or data cell number (PX, JSON-stat), 1-based.
    public var line: Int

    public init(keys: [String], value: Int64?, decimal: String? = nil, symbol: String? = nil, line: Int) {
        self.keys = keys; self.value = value; self.decimal = decimal; self.symbol = symbol; self.line = line
    }
}

/// Parses SCB labels into normalized keys.
public enum ScbLabels {
    /// The code of a dimension Anslag has no name for: its header folded, spaces as `_`.
    static func dimensionCode(_ header: String) -> String {
        let f = TextFold.fold(header)
        let mapped = String(f.map { $0 == " " ? "_" : $0 })
        return mapped.isEmpty ? "dimension" : mapped
    }

    /// Where each dimension goes in the output: region, age, sex, period, then the rest as given.
    static func outputOrder(_ keys: [String]) -> [Int] {
        var order: [Int] = []
        for d in ["region", "age", "sex", "period"] { if let i = keys.firstIndex(of: d) { order.append(i) } }
        for i in keys.indices where !order.contains(i) { order.append(i) }
        return order
    }

    /// Labels SCB uses only in tables with Cell Key Method noise.
    public static func marksCellKeyMethod(_ raw: String) -> Bool {
        let f = TextFold.fold(raw)
        return f.contains("samtliga aldrar") || f.hasPrefix("100+1") || f == "100+ 1"
    }

    /// `0 år` → `0`, `100+ år` → `100+`, `totalt ålder` / `total` → `total`, `45-54 år` → `45-54`.
    public static func age(_ raw: String) -> String {
        let f = TextFold.fold(raw)
        if f.hasPrefix("total") || f == "samtliga aldrar" || f == "alla aldrar" || f == "all ages" || f.hasPrefix("totalt") {
            return "total"
        }
        // Keep hyphens here (fold turns them into spaces): "45-54 år" is the band 45-54.
        var s = String(raw.lowercased().map { $0 == "\u{2013}" || $0 == "\u{2212}" ? "-" : $0 }).trimmingCharacters()
        for suffix in [" år", " ar", " years", " year"] where s.hasSuffix(suffix) { s = String(s.dropLast(suffix.count)) }
        s = String(s.filter { $0 != " " })
        if s.hasSuffix("-") { s = String(s.dropLast()) + "+" }   // "100-" written for 100 or more
        return s
    }

    /// `män`/`men`/`1` → male, `kvinnor`/`women`/`2` → female, `totalt`/`total`/`1+2` → total.
    public static func sex(_ raw: String) -> String {
        switch TextFold.fold(raw) {
        case "man", "men", "male", "males", "1", "pojkar", "boys": return "male"
        case "kvinnor", "kvinna", "women", "female", "females", "2", "flickor", "girls": return "female"
        case "totalt", "total", "1+2", "samtliga", "bada konen", "both sexes", "t", "tot": return "total"
        default: return TextFold.fold(raw)
        }
    }

    /// A period: `2023`, `2023M10`, `2023K4`; `2023 M10`/`2023m10` normalized. Nil if not one.
    public static func period(_ raw: String) -> String? {
        let s = String(raw.filter { $0 != " " }).uppercased()
        let u = Array(s.utf8)
        guard u.count >= 4, u[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if u.count == 4 { return s }
        let rest = s.dropFirst(4)
        if let kind = rest.first, kind == "M" || kind == "K" || kind == "Q" {
            let n = rest.dropFirst()
            guard !n.isEmpty, n.count <= 2, let v = Int(n) else { return nil }
            if kind == "M", (1...12).contains(v) { return s.prefix(4) + "M" + (v < 10 ? "0" : "") + String(v) }
            if kind != "M", (1...4).contains(v) { return s.prefix(4) + "K" + String(v) }
        }
        return nil
    }
}
