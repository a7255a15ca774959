/// Finds which of a list of recipients a text names, as people write them: the code or the
/// name itself (exact), or tolerantly: a leading code ("1480 Göteborg", "03 Uppsala län"), case
/// and diacritics, "kommun"/"stad"/"län"/"region"/"kommunalförbund", a genitive s
/// ("Göteborgs Stad" ↔ Göteborg), or any name the region registry knows for the code.
/// Used by `anslag-allocate --check` and `anslag-reconcile`.
struct RecipientMatcher {
    private let codes: [String: Int]
    private let names: [String: Int]
    private let keys: [String: Int]
    let registry: RegionRegistry

    /// Recipients in order; the first of equal keys wins.
    init(_ recipients: [(code: String?, name: String)], registry: RegionRegistry = .bundled) {
        var codes: [String: Int] = [:], names: [String: Int] = [:], keys: [String: Int] = [:]
        for (i, r) in recipients.enumerated() {
            if let c = r.code, codes[c] == nil { codes[c] = i }
            if names[r.name] == nil { names[r.name] = i }
            let k = Self.key(r.name)
            if keys[k] == nil { keys[k] = i }
        }
        self.codes = codes; self.names = names; self.keys = keys; self.registry = registry
    }

    /// A name folded for matching: no case, diacritics, leading code, "region" prefix,
    /// "kommun"/"stad"/"län"/"kommunalförbund" suffix, or genitive s.
    static func key(_ s: String) -> String {
        var f = TextFold.fold(s)
        if let space = f.firstIndex(of: " "), f[..<space].allSatisfy(\.isNumber) { f = String(f[f.index(after: space)...]) }
        for prefix in ["region "] where f.hasPrefix(prefix) { f = String(f.dropFirst(prefix.count)) }
        for suffix in [" kommunalforbund", " kommun", " stad", " lan", "regionen", " region"] where f.hasSuffix(suffix) && f.count > suffix.count {
            f = String(f.dropLast(suffix.count))
        }
        if f.hasSuffix("s") && f.count > 4 { f.removeLast() }   // "Göteborgs" (Stad), "Lerums" (kommun)
        return f
    }

    /// The recipient a text names; `exact` when the text is its code or name itself.
    func match(_ text: String) -> (index: Int, exact: Bool)? {
        let t = text.trimmingCharacters()
        if t.isEmpty { return nil }
        if let i = codes[t] ?? names[t] { return (i, true) }
        let digits = String(t.prefix { $0.isNumber })
        if digits.count == 4 || digits.count == 2, let i = codes[digits] { return (i, false) }
        let k = Self.key(t)
        if let i = keys[k] { return (i, false) }
        if let r = registry.region(named: t) ?? registry.region(named: k), let i = codes[r.code] { return (i, false) }
        return nil
    }

    /// A number that lost its leading zero (1 for "01", 114 for "0114") as a län or kommun code.
    func match(number d: Double) -> Int? {
        guard d == d.rounded(), d >= 1, d < 10_000 else { return nil }
        let s = String(Int(d))
        for width in [2, 4] where s.count <= width {
            if let i = codes[String(repeating: "0", count: width - s.count) + s] { return i }
        }
        return nil
    }
}
