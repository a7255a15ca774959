/// Recipients are checked as a set: no person may be counted for two of them. A län and one
/// of its kommuner, a kommun listed twice (by code and by name), or a membership table giving
/// a kommun to two groups is an error unless the rule says `overlap: allowed`.
enum RecipientOverlap {
    static func check(_ recipients: [RecipientSpec], registry: RegionRegistry, node: ConfigNode) throws {
        // Who holds each region, by its place in the registry (-1: nobody), and each code the
        // registry does not know: one array read a kommun instead of hashing its code (a
        // thousand rules over the 290 kommuner spent 0.66 G instructions in a dictionary).
        var owner = [Int](repeating: -1, count: registry.regions.count)
        var unknownOwner: [String: Int] = [:]
        func label(_ i: Int) -> String {
            let r = recipients[i]
            return r.code.map { c in c + (r.name == c ? "" : " \(r.name)") } ?? r.name
        }
        func claim(_ code: String, at index: Int?, by i: Int) throws {
            let j = index.map { owner[$0] } ?? unknownOwner[code] ?? -1
            if j >= 0, j != i {
                let who = registry.region(code: code).map { "\($0.code) \($0.name)" } ?? code
                throw node.error("\(who) is counted twice: in \(label(j)) and in \(label(i)); list either a län or its kommuner, each kommun once (or say overlap: allowed)")
            }
            if let index { owner[index] = i } else { unknownOwner[code] = i }
        }
        for (i, r) in recipients.enumerated() {
            if let members = r.members {
                for code in members { try claim(code, at: registry.index(code: code), by: i) }
            } else if let code = r.code, let index = registry.index(code: code) {
                let ks = registry.regions[index].kind == .lan ? registry.municipalities(inCounty: code) : []
                if ks.isEmpty {
                    try claim(code, at: index, by: i)
                } else {
                    for k in ks { try claim(k.code, at: registry.index(code: k.code), by: i) }
                }
            }
        }
    }
}
