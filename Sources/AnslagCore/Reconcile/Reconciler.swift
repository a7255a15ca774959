#if canImport(Glibc)
import Glibc
#endif

/// What one recipient was allocated.
public struct AllocatedAmount: Sendable, Equatable {
    public var code: String?
    public var name: String
    public var amount: Money
    public init(code: String?, name: String, amount: Money) { self.code = code; self.name = name; self.amount = amount }
}

/// One recipient's line in the reconciliation.
public struct ReconciledRecipient: Sendable, Equatable {
    public var code: String?
    public var name: String
    public var allocated: Money
    public var budgeted: Money?
    public var grant: Money?
    public var costs: Money?
    public var unused: Money?
    public var files: [String]
    /// ok, mismatch, missing
    public var status: String
    public var difference: Money? { budgeted.map { $0 - allocated } }
}

public struct Reconciliation: Sendable {
    public var recipients: [ReconciledRecipient]
    public var report: FindingsReport
}

/// What a file says about itself: who it is from, whether it is a budget or a report back,
/// and the amounts.
struct FileFacts: Sendable {
    var file: String
    var identity: String?
    var identityCell: String?
    var isReport = false
    var budgeted: (Money, String)?
    var grant: (Money, String)?
    var costs: (Money, String)?
    var unused: (Money, String)?
    var findings: [ReportFinding] = []
    var tables = 0
    var unreadable: String?
}

/// Reconciles many budgets and reports (återrapportering) against an allocation: each file is
/// imported (its own total checks included), matched to a recipient, and compared with what
/// the recipient was allocated. Files are read in parallel; the output order is the
/// allocation's, then the files' (sorted), whatever the number of jobs.
public struct Reconciler {
    public var allocation: [AllocatedAmount]
    /// File name (as given, or its last component) → recipient name or code.
    public var map: [String: String]
    public var registry: RegionRegistry

    public init(allocation: [AllocatedAmount], map: [String: String] = [:], registry: RegionRegistry = .bundled) {
        self.allocation = allocation; self.map = map; self.registry = registry
    }

    /// The spreadsheet and JSON files under `paths` (folders recursively), sorted.
    public static func files(under paths: [String]) throws -> [String] {
        var out: [String] = []
        func walk(_ path: String, depth: Int) throws {
            guard depth < 32 else { return }
            var st = stat()
            guard stat(path, &st) == 0 else { throw ReadError.unreadable(file: path, reason: "no such file or folder") }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                guard let dir = opendir(path) else { throw ReadError.unreadable(file: path, reason: "cannot open the folder") }
                defer { closedir(dir) }
                var names: [String] = []
                while let e = readdir(dir) {
                    let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
                    if name.hasPrefix(".") || name.hasPrefix("~$") { continue }
                    names.append(name)
                }
                for name in names.sorted() { try walk(path.hasSuffix("/") ? path + name : path + "/" + name, depth: depth + 1) }
            } else {
                let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
                if ["xlsx", "xlsm", "ods", "xls", "csv", "json"].contains(ext) || depth == 0 { out.append(path) }
            }
        }
        for p in paths { try walk(p, depth: 0) }
        return out
    }

    public func run(_ files: [String], jobs: Int = 1, progress: ((Int, String) -> Void)? = nil) -> Reconciliation {
        var facts = [FileFacts?](repeating: nil, count: files.count)
        let lock = Monitor()
        var done = 0
        let work = { (i: Int) in
            let f = Self.facts(files[i])
            lock.locked {
                facts[i] = f
                done += 1
                progress?(done, files[i])
            }
        }
        // `jobs` workers take files in turn; results land at their index.
        inTurn(count: files.count, workers: jobs) { _, i in work(i) }
        return combine(facts.map { $0! })
    }

    // MARK: One file

    static func facts(_ path: String) -> FileFacts {
        var f = FileFacts(file: path)
        do {
            let result: BudgetRecognizer.Result
            var workbook = Workbook(sheets: [])
            if path.lowercased().hasSuffix(".json") {
                // Anslag's budget JSON (anslag-import's output): its lines, checked when it was made.
                guard case .budget(let b) = try NormalizedJSON.read(bytes: try FileInput.read(path: path), file: path) else {
                    throw ReadError.malformed(file: path, part: "$.kind", detail: "not a budget (anslag-import's JSON)")
                }
                result = BudgetRecognizer.Result(budget: b, findings: [])
                f.identity = b.file.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0) }
                f.identityCell = "the budget's source file name"
            } else {
                let reader = try openSpreadsheet(.path(path))
                workbook = try reader.workbook()
                result = BudgetRecognizer().read(workbook, file: reader.file)
            }
            f.tables = result.budget.tables.count
            f.findings = result.findings.filter { $0.severity != .info && $0.code != .noTotalFound }   // (reconciliation checks what it reads)
            // Who the file is from: the cell right of a label such as "Mottagare".
            outer: for sheet in workbook.sheets {
                for (r, row) in sheet.rows.enumerated() {
                    for (c, cell) in row.enumerated() {
                        guard case .string(let s) = cell.value, Vocabulary.recipientLabels.contains(BudgetRecognizer.fold(s).trimmingCharacters(in: ":")) else { continue }
                        guard let vc = row[(c + 1)...].firstIndex(where: { !$0.value.isEmpty }) else { continue }
                        switch row[vc].value {
                        case .string(let t): f.identity = t.trimmingCharacters()
                        case .number(let d): f.identity = CellText.number(d)
                        default: continue
                        }
                        f.identityCell = "'\(sheet.name)'!" + CellPosition(row: r, column: vc).a1
                        break outer
                    }
                }
            }
            // The amounts: report figures by their labels; the budget's grand total.
            for t in result.budget.tables {
                for l in t.lines {
                    guard let m = l.amount else { continue }
                    let label = BudgetRecognizer.fold(l.label)
                    if label.hasPrefix("erhallet bidrag") || label.hasPrefix("erhallna medel") || label == "bidrag" || label.hasPrefix("beviljat bidrag") {
                        f.grant = (m, l.cell); f.isReport = true
                    } else if label.hasPrefix("ej forbrukade") || label.hasPrefix("kvarvarande medel") || label.hasPrefix("outnyttjade") || label.hasPrefix("ej utnyttjade") {
                        f.unused = (m, l.cell); f.isReport = true
                    } else if label == "kostnader" || label.hasPrefix("summa kostnader") || label.hasPrefix("totala kostnader") || label.hasPrefix("upparbetade kostnader") {
                        f.costs = (m, l.cell)
                    }
                }
            }
            if !f.isReport, let total = result.budget.tables.flatMap(\.lines).last(where: { $0.role == .total && $0.amount != nil }) {
                f.budgeted = (total.amount!, total.cell)
            }
        } catch {
            f.unreadable = "\(error)"
        }
        return f
    }

    // MARK: Matching and findings

    func combine(_ facts: [FileFacts]) -> Reconciliation {
        let matcher = RecipientMatcher(allocation.map { ($0.code, $0.name) }, registry: registry)
        func match(_ text: String) -> (index: Int, exact: Bool)? { matcher.match(text) }
        var findings: [ReportFinding] = []
        var rows = allocation.map { ReconciledRecipient(code: $0.code, name: $0.name, allocated: $0.amount, budgeted: nil, grant: nil,
                                                        costs: nil, unused: nil, files: [], status: "missing") }
        var tables = 0
        for f in facts {
            tables += f.tables
            if let why = f.unreadable {
                findings.append(ReportFinding(code: .fileUnreadable, severity: .error, file: f.file, message: why))
                continue
            }
            let base = f.file.split(separator: "/").last.map(String.init) ?? f.file
            var found: (index: Int, exact: Bool)?
            var by = ""
            if let m = map[f.file] ?? map[base], let hit = match(m) { found = (hit.index, true); by = "the map" }
            else if let id = f.identity, let hit = match(id) { found = hit; by = "\"\(id)\" in \(f.identityCell ?? "the file")" }
            else {
                let stem = String(base.split(separator: ".").dropLast().joined(separator: ".")).map { $0 == "_" || $0 == "-" ? " " : $0 }
                let words = String(stem).split(separator: " ").map(String.init).filter { w in
                    !["budget", "rapport", "aterrapportering", "återrapportering", "slutrapport", "final", "v1", "v2", "v3"].contains(TextFold.fold(w)) && !w.allSatisfy(\.isNumber)
                }
                for n in stride(from: words.count, through: 1, by: -1) {
                    for s in 0...(words.count - n) {
                        if let hit = match(words[s..<(s + n)].joined(separator: " ")) { found = (hit.index, false); by = "the file name"; break }
                    }
                    if found != nil { break }
                }
            }
            guard let (i, exact) = found else {
                findings.append(ReportFinding(code: .recipientUnmatched, severity: .error, file: f.file, cell: nil,
                                              message: "no recipient of the allocation matches this file\(f.identity.map { " (it names \"\($0)\")" } ?? "")"))
                continue
            }
            let r = allocation[i]
            if !exact {
                findings.append(ReportFinding(code: .recipientMatchedLoosely, severity: .info, file: f.file,
                                              message: "matched to \(r.code.map { "\($0) " } ?? "")\(r.name) by \(by), not by the exact name or code"))
            }
            rows[i].files.append(f.file)
            findings += f.findings.map { var x = $0; x.file = f.file; return x }
            func split(_ cell: String) -> (String?, String?) {
                guard let bang = cell.lastIndex(of: "!") else { return (nil, cell) }
                var sheet = String(cell[..<bang])
                if sheet.hasPrefix("'") && sheet.hasSuffix("'") && sheet.count >= 2 { sheet = String(sheet.dropFirst().dropLast()) }
                return (sheet, String(cell[cell.index(after: bang)...]))
            }
            if f.isReport {
                rows[i].grant = f.grant?.0; rows[i].costs = f.costs?.0; rows[i].unused = f.unused?.0
                if let (g, cell) = f.grant, g != r.amount {
                    let (s, c) = split(cell)
                    findings.append(ReportFinding(code: .reportGrantMismatch, severity: .error, file: f.file, sheet: s, cell: c, stated: g, computed: r.amount,
                                                  message: "\(r.name): the report says \(g) was received; the allocation is \(r.amount)"))
                }
                if let (g, _) = f.grant, let (k, _) = f.costs, let (u, cell) = f.unused, u != g - k {
                    let (s, c) = split(cell)
                    findings.append(ReportFinding(code: .unusedMismatch, severity: .error, file: f.file, sheet: s, cell: c, stated: u, computed: g - k,
                                                  message: "\(r.name): unused funds stated \(u), but grant \(g) − costs \(k) = \(g - k)"))
                }
            } else if let (b, cell) = f.budgeted {
                rows[i].budgeted = (rows[i].budgeted ?? .zero) + b
                let (s, c) = split(cell)
                if b > r.amount {
                    findings.append(ReportFinding(code: .budgetExceedsAllocation, severity: .error, file: f.file, sheet: s, cell: c, stated: b, computed: r.amount,
                                                  message: "\(r.name): the budget totals \(b), \(b - r.amount) more than the allocation \(r.amount)"))
                } else if b < r.amount {
                    findings.append(ReportFinding(code: .budgetBelowAllocation, severity: .warning, file: f.file, sheet: s, cell: c, stated: b, computed: r.amount,
                                                  message: "\(r.name): the budget totals \(b), \(r.amount - b) less than the allocation \(r.amount)"))
                }
            }
        }
        for (i, r) in rows.enumerated() {
            if r.files.isEmpty {
                findings.append(ReportFinding(code: .recipientMissing, severity: .error, computed: r.allocated,
                                              message: "\(r.code.map { "\($0) " } ?? "")\(r.name) was allocated \(r.allocated) but no budget or report of theirs is in the batch"))
                continue
            }
            let bad = findings.contains { f in f.severity == .error && r.files.contains(f.file ?? "") }
            rows[i].status = bad ? "mismatch" : "ok"
        }
        let report = FindingsReport(file: "\(facts.count) files", findings: findings, tables: tables)
        return Reconciliation(recipients: rows, report: report)
    }
}
