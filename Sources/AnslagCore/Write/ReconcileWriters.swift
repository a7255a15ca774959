/// Writes a reconciliation: JSON (`Schemas/reconcile.schema.json`: the findings report plus one
/// row per recipient) and the summary workbook.
public enum ReconcileWriter {
    public static func json(_ r: Reconciliation) -> JSONOut {
        guard case .object(var members) = ReportWriter.json(r.report) else { return .null }
        members.append(("recipients", .array(r.recipients.map { x in
            .object([
                ("code", .optional(x.code)),
                ("name", .string(x.name)),
                ("allocated", ReportWriter.kronor(x.allocated)),
                ("budgeted", ReportWriter.kronor(x.budgeted)),
                ("grant", ReportWriter.kronor(x.grant)),
                ("costs", ReportWriter.kronor(x.costs)),
                ("unused", ReportWriter.kronor(x.unused)),
                ("difference", ReportWriter.kronor(x.difference)),
                ("status", .string(x.status)),
                ("files", .array(x.files.map { .string($0) })),
            ])
        })))
        return .object(members)
    }

    static let columns = ["Kod", "Mottagare", "Tilldelat", "Budgeterat", "Erhållet bidrag", "Kostnader", "Ej förbrukat", "Differens", "Status", "Filer"]

    /// The provenance block of both sheets: what was reconciled (the title), the allocation
    /// it was checked against, the files or folders read and how many files, the tool and date.
    static func provenance(_ r: Reconciliation, allocation: String?, inputs: [String], files: Int?, made: OutputProvenance?) -> ProvenanceBlock {
        var block = ProvenanceBlock(title: "\(Messages.text(.reconcileTitle)): \(r.recipients.count) \(Messages.text(.recipient))")
        if let allocation { block.add(.provenanceAllocation, allocation) }
        if !inputs.isEmpty {
            block.add(.provenanceInputs, inputs.joined(separator: ", ") + (files.map { " (\($0) \(Messages.text(.provenanceFiles)))" } ?? ""))
        }
        block.add(made: made)
        return block
    }

    /// One row per recipient with live SUM totals (cached values), mismatches filled red, a
    /// findings sheet linking each finding to its recipient's row, and a column chart of
    /// allocated against budgeted. `allocation`, `inputs` (the files and folders read), `files`
    /// (how many files they held) and `made` go into the provenance block on top of each sheet.
    public static func writeXlsx(_ r: Reconciliation, to path: String, allocation: String? = nil, inputs: [String] = [],
                                 files: Int? = nil, made: OutputProvenance? = nil) throws {
        let book = try XlsxWorkbook(path: path, title: "Avstämning", subject: r.report.file)
        let ws = try book.addSheet("Avstämning")
        let block = provenance(r, allocation: allocation, inputs: inputs, files: files, made: made)
        let top = try block.write(on: ws)
        try ws.header(columns, rows: r.recipients.count, at: top)
        var rowOfFile: [String: Int] = [:]
        for (i, x) in r.recipients.enumerated() {
            let row = top + i + 1
            let bad = x.status != "ok"
            if let c = x.code { try ws.write(row, 0, string: c, .text) }
            try ws.write(row, 1, string: x.name, bad ? .highlighted(.plain) : .plain)
            for (k, m) in [x.allocated, x.budgeted, x.grant, x.costs, x.unused, x.difference].enumerated() {
                guard let m else { continue }
                let style: XlsxWorkbook.Style = m.ore % 100 == 0 ? .kronor : .decimal
                try ws.write(row, 2 + k, number: Double(m.ore) / 100, bad && k == 5 && m.ore != 0 ? .highlighted(style) : style)
            }
            try ws.write(row, 8, string: x.status == "ok" ? "ok" : x.status == "missing" ? "saknas" : "avvikelse", bad ? .highlighted(.plain) : .plain)
            try ws.write(row, 9, string: x.files.map { $0.split(separator: "/").last.map(String.init) ?? $0 }.joined(separator: ", "))
            for f in x.files { rowOfFile[f] = row }
        }
        let last = top + r.recipients.count
        let sumRow = last + 1
        try ws.write(sumRow, 1, string: "Summa", .header)
        for (k, values) in [r.recipients.map { Optional($0.allocated) }, r.recipients.map(\.budgeted), r.recipients.map(\.grant),
                            r.recipients.map(\.costs), r.recipients.map(\.unused), r.recipients.map(\.difference)].enumerated() {
            let total = values.compactMap { $0 }.reduce(Money.zero, +)
            let col = CellPosition.columnName(2 + k)
            try ws.write(sumRow, 2 + k, formula: "=SUM(\(col)\(top + 2):\(col)\(last + 1))", cached: Double(total.ore) / 100, .kronor)
        }
        ws.fitColumns()
        ws.boardPage(headerRows: 1, from: top)
        if last > top {
            try book.addChart(.column, title: "Tilldelat och budgeterat", on: ws, categoryColumn: 1,
                              series: [(name: "Tilldelat", column: 2), (name: "Budgeterat", column: 3)],
                              firstRow: top + 1, lastRow: last, anchor: (sumRow + 2, 1), size: (width: 960, height: 400))
        }
        if !r.report.findings.isEmpty {
            let fs = try book.addSheet(PopulationXlsxWriter.findingsSheet)
            try block.write(on: fs)
            let heads: [TextKey] = [.severity, .code, .file, .sheet, .cell, .stated, .computed, .difference, .message, .reconcileRow]
            try fs.header(heads.map { Messages.text($0) }, rows: r.report.findings.count, at: top)
            for (n, f) in r.report.findings.enumerated() {
                let row = top + n + 1
                try fs.write(row, 0, string: Messages.severity(f.severity), f.severity == .error ? .highlighted(.plain) : .plain)
                try fs.write(row, 1, string: f.code.rawValue)
                if let file = f.file { try fs.write(row, 2, string: file) }
                if let s = f.sheet { try fs.write(row, 3, string: s) }
                if let c = f.cell { try fs.write(row, 4, string: c) }
                for (k, m) in [f.stated, f.computed, f.delta].enumerated() {
                    if let m { try fs.write(row, 5 + k, number: Double(m.ore) / 100, m.ore % 100 == 0 ? .kronor : .decimal) }
                }
                try fs.write(row, 8, string: Messages.render(f))
                var target = f.file.flatMap { rowOfFile[$0] }
                if target == nil, f.code == .recipientMissing {
                    target = r.recipients.firstIndex { f.message.hasPrefix(($0.code.map { "\($0) " } ?? "") + $0.name + " ") }.map { top + $0 + 1 }
                }
                if let t = target { try fs.write(row, 9, link: "'\(ws.name)'!B\(t + 1)", text: "B\(t + 1)") }
            }
            fs.fitColumns()
            fs.boardPage(headerRows: 1, from: top)
        }
        try book.close()
    }
}
