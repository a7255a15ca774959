/// Sweden's regions as SCB codes them: Riket (`00`), the 21 län (2 digits) and the 290
/// kommuner (4 digits, the first two the län). Data, not code: the table is
/// `Resources/regions.tsv`, with the years it is valid for; a registry can also be read from
/// any file in that format.
public struct RegionRegistry: Sendable {
    public enum Kind: String, Sendable { case riket, lan, kommun }

    public struct Region: Equatable, Sendable {
        public var code: String
        public var kind: Kind
        public var name: String
        public var county: String
        public var validFrom: Int
        public var validTo: Int
    }

    public private(set) var regions: [Region] = []
    public private(set) var validYear: Int = 0
    private var byCode: [String: Int] = [:]
    private var byName: [String: Int] = [:]
    private var byCountyStem: [String: Int] = [:]
    /// Each län's kommuner, in the table's order (asked for once per län recipient and rule).
    private var kommunerByCounty: [String: [Region]] = [:]

    /// The registry shipped with Anslag.
    public static let bundled: RegionRegistry = {
        // The table is part of the build; a parse failure would be a build defect.
        try! RegionRegistry(tsv: String(decoding: PackageResources.regions_tsv, as: UTF8.self), source: "regions.tsv")
    }()

    public init(tsv: String, source: String) throws {
        var line = 0
        for raw in tsv.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            let text = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if text.isEmpty || text.hasPrefix("#") { continue }
            let f = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if f.first == "valid", f.count >= 2, let y = Int(f[1]) { validYear = y; continue }
            guard f.count >= 6, let kind = Kind(rawValue: f[1]), let from = Int(f[4]), let to = Int(f[5]) else {
                throw ReadError.malformed(file: source, part: nil, detail: "line \(line): expected code, kind, name, county, valid from, valid to")
            }
            let region = Region(code: f[0], kind: kind, name: f[2], county: f[3], validFrom: from, validTo: to)
            byCode[region.code] = regions.count
            let folded = TextFold.fold(region.name)
            if byName[folded] == nil { byName[folded] = regions.count }
            if kind == .lan {
                for stem in Self.stems(folded, [" lan", "s lan"]) where byCountyStem[stem] == nil { byCountyStem[stem] = regions.count }
            }
            regions.append(region)
            if kind == .kommun { kommunerByCounty[region.county, default: []].append(region) }
        }
    }

    public func region(code: String) -> Region? { byCode[code].map { regions[$0] } }

    /// A region's place in `regions`, for tables indexed by region instead of hashed by code.
    public func index(code: String) -> Int? { byCode[code] }

    /// Finds a region by a name as SCB and people write it: "Göteborg", "Stockholms län",
    /// "Stockholm county", "Sweden", "Riket"; case and diacritics aside.
    public func region(named name: String) -> Region? {
        let f = TextFold.fold(name)
        if let i = byName[f] { return regions[i] }
        if ["sweden", "riket", "hela riket", "whole country", "totalt riket"].contains(f) { return region(code: "00") }
        for stem in Self.stems(f, [" lan", "s lan", " county", " lans"]) {
            if let i = byCountyStem[stem] { return regions[i] }
        }
        for stem in Self.stems(f, [" kommun", " stad", " municipality"]) {
            if let i = byName[stem] ?? (stem.hasSuffix("s") ? byName[String(stem.dropLast())] : nil) { return regions[i] }
        }
        return byCountyStem[f].map { regions[$0] }
    }

    static func stems(_ f: String, _ suffixes: [String]) -> [String] {
        suffixes.filter { f.hasSuffix($0) && f.count > $0.count }.map { String(f.dropLast($0.count)) }
    }

    public var counties: [Region] { regions.filter { $0.kind == .lan } }
    public var municipalities: [Region] { regions.filter { $0.kind == .kommun } }

    public func municipalities(inCounty county: String) -> [Region] {
        kommunerByCounty[county] ?? []
    }
}
