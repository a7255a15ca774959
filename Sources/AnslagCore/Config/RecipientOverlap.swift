/// Recipients are checked as a set: no person may be counted for two of them. A län and one
/// of its kommuner, a kommun listed twice (by code and by name), or a membership table giving
/// a kommun to two groups is an error unless the rule says `overlap: allowed`.
enum RecipientOverlap {
    static func check(_ recipients: [RecipientSpec], registry: RegionRegistry, node: ConfigNode) throws {
        var owner: [String: Int] = [:]       // kommun code (or a code without kommuner) → recipient
        func label(_ i: Int) -> String {
            let r = recipients[i]
            return r.code.map { c in c + (r.name == c ? "" : " \(r.name)") } ?? r.name
        }
        for (i, r) in recipients.enumerated() {
            var covered: [String]
            if let members = r.members {
                covered = members
            } else if let code = r.code, let region = registry.region(code: code) {
                let ks = region.kind == .lan ? registry.municipalities(inCounty: code).map(\.code) : []
                covered = ks.isEmpty ? [code] : ks
            } else {
                continue
            }
            for code in covered {
                if let j = owner[code], j != i {
                    let who = registry.region(code: code).map { "\($0.code) \($0.name)" } ?? code
                    throw node.error("\(who) is counted twice: in \(label(j)) and in \(label(i)); list either a län or its kommuner, each kommun once (or say overlap: allowed)")
                }
                owner[code] = i
            }
        }
    }
}
