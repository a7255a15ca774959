/// Where the allocated amounts come from: Anslag's allocation JSON, a rule file (computed), or a
/// stated allocation table (xlsx, ods, csv: recipient and amount per row).
public enum AllocationSource {
    public static func read(_ path: String, rule: String? = nil, population: String? = nil,
                            registry: RegionRegistry = .bundled) throws -> [AllocatedAmount] {
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        func top(_ a: Allocation) throws -> [AllocatedAmount] {
            guard let node = rule.map({ r in a.rules.first { $0.rule == r } }) ?? a.rules.first else {
                throw RuleError(file: path, rule: rule, path: "", line: nil, problem: "no such rule in the allocation")
            }
            return node.recipients.map { AllocatedAmount(code: $0.code, name: $0.name, amount: Money(kronor: $0.amount)) }
        }
        switch ext {
        case "json":
            guard case .allocation(let a) = try NormalizedJSON.read(bytes: try FileInput.read(path: path), file: path) else {
                throw ReadError.malformed(file: path, part: "$.kind", detail: "not an allocation (anslag-allocate's JSON)")
            }
            return try top(a)
        case "yaml", "yml":
            var set = try RuleFile.read(path: path, registry: registry)
            if let rule {
                guard set.rule(named: rule)?.total != nil else { throw RuleError(file: path, rule: rule, path: "", line: nil, problem: "no rule with a total by this name") }
                set.rules = set.rules.map { var r = $0; if r.name != rule { r.total = nil }; return r }
            }
            let bases = try (population ?? set.populationFile).map { PopulationBases(table: try importPopulation(.path($0)).table, file: $0, registry: registry) }
            return try top(try Allocator(set: set, population: bases).allocate())
        default:
            // A table: each row with a label and an amount is a recipient; total rows are not.
            let workbook = try openSpreadsheet(.path(path)).workbook()
            var out: [AllocatedAmount] = []
            for sheet in workbook.sheets where sheet.info.kind == .worksheet {
                for row in sheet.rows {
                    let cells = row.map(ScanCell.classify)
                    guard let lc = cells.firstIndex(where: { if case .text = $0 { return true }; return false }),
                          case .text(let label) = cells[lc] else { continue }
                    guard let ac = cells.indices.last(where: { i in
                              guard i > lc, case .amount = cells[i] else { return false }
                              return true
                          }),
                          let m = ScanCell.kronor(cells[ac], unit: .kronor) else { continue }
                    if BudgetRecognizer.isTotalLabel(BudgetRecognizer.fold(label)) { continue }
                    // "1480 Göteborg", "1480", "Göteborgs stad": a region code when the registry knows it.
                    let digits = String(label.prefix { $0.isNumber })
                    let region = registry.region(code: digits) ?? registry.region(named: label)
                    let name = region != nil && digits.count == label.count ? region!.name
                        : (digits.isEmpty ? label : String(label.dropFirst(digits.count)).trimmingCharacters())
                    if out.contains(where: { $0.name == name }) { continue }
                    out.append(AllocatedAmount(code: region?.code, name: name, amount: m))
                }
            }
            guard !out.isEmpty else { throw ReadError.malformed(file: path, part: nil, detail: "no row with a recipient and an amount") }
            return out
        }
    }
}
