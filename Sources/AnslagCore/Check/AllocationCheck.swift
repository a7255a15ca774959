/// Compares a stated allocation (a table someone sent: recipient and amount per row, often a
/// total row) with the recomputed one, recipient by recipient.
///
/// A row states a recipient when one of its cells is a recipient's code (`0114`, `1480`, or a
/// number that lost its leading zero), its name (case, diacritics, "kommun"/"län"/"stad" aside)
/// or both (`1480 Göteborg`; see `RecipientMatcher`); its amount is the cell under a header
/// saying Belopp, or else the last amount cell after the name. Rows labelled
/// Summa / Totalt / Total state the total.
public enum AllocationCheck {
    struct StatedRow {
        var recipient: Int
        var amount: Money
        var sheet: String?
        var cell: CellPosition?
        /// Where, for sources without cells (a JSON path).
        var path: String?
    }

    /// Compares an allocation from Anslag's JSON (someone's earlier run, or another tool's)
    /// with the recomputed one, recipient by recipient at the top level.
    public static func check(_ stated: Allocation, file: String, against node: AllocationNode) -> FindingsReport {
        guard let top = stated.rules.first(where: { $0.rule == node.rule }) ?? (stated.rules.count == 1 ? stated.rules.first : nil) else {
            return FindingsReport(file: file, findings: [ReportFinding(code: .noRecipientsFound, severity: .error, file: file,
                message: "the file has no rule \(node.rule); it has \(stated.rules.map(\.rule).joined(separator: ", "))")], tables: 0)
        }
        let ruleIndex = stated.rules.firstIndex { $0.rule == top.rule }!
        var findings: [ReportFinding] = []
        var rows: [StatedRow] = []
        for (j, r) in top.recipients.enumerated() {
            let path = "$.rules[\(ruleIndex)].recipients[\(j)].amount"
            guard let i = node.recipients.firstIndex(where: { $0.id == r.id }) else {
                findings.append(ReportFinding(code: .recipientUnmatched, severity: .error, file: file, stated: Money(kronor: r.amount),
                                              message: "\(path): \(r.id) is not a recipient of \(node.rule)"))
                continue
            }
            rows.append(StatedRow(recipient: i, amount: Money(kronor: r.amount), sheet: nil, cell: nil, path: path))
        }
        findings += compare(rows, statedTotal: (Money(kronor: top.total), nil, nil), node: node, file: file)
        return FindingsReport(file: file, findings: findings, tables: 1)
    }

    public static func check(_ workbook: Workbook, file: String, against node: AllocationNode,
                             registry: RegionRegistry = .bundled) -> FindingsReport {
        var findings: [ReportFinding] = []
        let matcher = RecipientMatcher(node.recipients.map { ($0.code, $0.name) }, registry: registry)
        func match(_ value: CellValue) -> Int? {
            switch value {
            case .number(let d): return matcher.match(number: d)
            case .string(let s): return matcher.match(s)?.index
            default: return nil
            }
        }
        func amount(_ cell: Cell) -> Money? {
            switch cell.value {
            case .number(let d): return Money(spreadsheetNumber: d)
            case .string(let s): return AmountText.parse(s)?.amount
            default: return nil
            }
        }

        var stated: [StatedRow] = []
        var statedTotal: (Money, String?, CellPosition?)?
        var tables = 0
        for sheet in workbook.sheets where sheet.info.kind == .worksheet {
            var found = false
            // A header cell saying "Belopp" (amount) fixes the amount column for the rows below it.
            var amountColumn: Int?
            for (r, row) in sheet.rows.enumerated() {
                if let c = row.firstIndex(where: { cell in
                    guard case .string(let s) = cell.value else { return false }
                    let f = TextFold.fold(s)
                    return f.hasPrefix("belopp") || f.hasPrefix("amount") || ["kr", "kronor", "tkr", "tilldelat", "fordelat", "tilldelning", "fordelning (kr)", "bidrag"].contains(f)
                }), match(row[c].value) == nil {
                    amountColumn = c
                    continue
                }
                var recipient: Int?
                var labelColumn = -1
                var isTotal = false
                for (c, cell) in row.enumerated() {
                    if let i = match(cell.value) { recipient = i; labelColumn = c; break }
                    if case .string(let s) = cell.value, Vocabulary.allocationTotalLabels.contains(TextFold.fold(s).trimmingCharacters(in: ":")) {
                        isTotal = true; labelColumn = c; break
                    }
                }
                guard labelColumn >= 0 else { continue }
                var value: (Money, Int)?
                if let a = amountColumn, a > labelColumn {
                    if a < row.count, let m = amount(row[a]) { value = (m, a) }
                } else {
                    for c in stride(from: row.count - 1, to: labelColumn, by: -1) {
                        if let m = amount(row[c]) { value = (m, c); break }
                    }
                }
                guard let (m, c) = value else { continue }
                let pos = CellPosition(row: r, column: c)
                if isTotal {
                    if statedTotal == nil { statedTotal = (m, sheet.name, pos) }
                } else if let recipient {
                    if let previous = stated.first(where: { $0.recipient == recipient }) {
                        findings.append(ReportFinding(code: .recipientDuplicate, severity: .error, file: file, sheet: sheet.name, cell: pos.a1,
                                                      stated: m, message: "\(node.recipients[recipient].name) is stated twice (also at \(previous.cell?.a1 ?? "?"))"))
                        continue
                    }
                    stated.append(StatedRow(recipient: recipient, amount: m, sheet: sheet.name, cell: pos, path: nil))
                    found = true
                }
            }
            if found { tables += 1 }
        }

        findings += compare(stated, statedTotal: statedTotal.map { ($0.0, $0.1, $0.2) }, node: node, file: file)
        return FindingsReport(file: file, findings: findings, tables: tables)
    }

    /// The findings for stated amounts (and a stated total) against the computed level.
    static func compare(_ stated: [StatedRow], statedTotal: (Money, String?, CellPosition?)?, node: AllocationNode, file: String) -> [ReportFinding] {
        var findings: [ReportFinding] = []
        for s in stated {
            let r = node.recipients[s.recipient]
            let computed = Money(kronor: r.amount)
            if s.amount != computed {
                let d = s.amount - computed
                var why = ""
                if d.ore == -100 && r.rounding == 1 { why = "; it looks like the share was rounded down, where largest remainder gives this recipient the extra krona" }
                findings.append(ReportFinding(code: .allocationMismatch, severity: .error, file: file, sheet: s.sheet, cell: s.cell?.a1,
                                              stated: s.amount, computed: computed,
                                              message: "\(s.path.map { "\($0): " } ?? "")\(r.code.map { "\($0) " } ?? "")\(r.name): stated \(s.amount), the rule gives \(computed)\(why)"))
            }
        }
        let statedSet = Set(stated.map(\.recipient))
        for (i, r) in node.recipients.enumerated() where !statedSet.contains(i) && r.amount != 0 {
            findings.append(ReportFinding(code: .recipientMissing, severity: .error, file: file, computed: Money(kronor: r.amount),
                                          message: "\(r.code.map { "\($0) " } ?? "")\(r.name) is not in the table; the rule gives \(Money(kronor: r.amount))"))
        }
        let partsSum = stated.reduce(Money.zero) { $0 + $1.amount }
        let cells = stated.compactMap(\.cell)
        let lines = cells.isEmpty ? nil : rangeText(cells)
        let ruleTotal = Money(kronor: node.total)
        if let (t, sheet, pos) = statedTotal {
            if t != ruleTotal {
                findings.append(ReportFinding(code: .totalMismatch, severity: .error, file: file, sheet: sheet, cell: pos?.a1,
                                              stated: t, computed: ruleTotal, message: "the table's total is \(t); the rule's total is \(ruleTotal)"))
            }
            if partsSum != t { findings.append(residual(stated: t, parts: partsSum, count: stated.count, file: file, sheet: sheet, cell: pos?.a1, lines: lines)) }
        } else if !stated.isEmpty && partsSum != ruleTotal {
            findings.append(residual(stated: ruleTotal, parts: partsSum, count: stated.count, file: file, sheet: nil, cell: nil, lines: lines))
        }
        if stated.isEmpty {
            findings.append(ReportFinding(code: .noRecipientsFound, severity: .error, file: file,
                                          message: "no row names a recipient of \(node.rule) (\(node.recipientsLabel))"))
        }
        return findings
    }

    static func residual(stated: Money, parts: Money, count: Int, file: String, sheet: String?, cell: String?, lines: String?) -> ReportFinding {
        let d = stated - parts
        let rounding = d.ore > 0 && d.ore < Int64(count) * 100 && d.ore % 100 == 0
        return ReportFinding(code: .allocationResidual, severity: rounding ? .warning : .error, file: file, sheet: sheet, cell: cell,
                             stated: stated, computed: parts, lines: lines,
                             message: "the parts sum to \(parts), \(d.ore > 0 ? d : -d) \(d.ore > 0 ? "less" : "more") than the total \(stated)\(rounding ? "; it looks like each share was rounded down and the residual left unallocated" : "")")
    }

    /// `G2:G22` when the cells form one column run, else the first and last cells.
    static func rangeText(_ cells: [CellPosition]) -> String {
        let sorted = cells.sorted()
        guard let a = sorted.first, let b = sorted.last else { return "" }
        return a == b ? a.a1 : "\(a.a1):\(b.a1)"
    }
}

