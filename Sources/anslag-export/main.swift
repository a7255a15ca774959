import AnslagCLI
import AnslagCore
import ArgumentParser

struct Export: AnslagCommand {
    static let configuration = CommandConfiguration(
        commandName: "anslag-export",
        abstract: "Write normalized JSON from Anslag as an xlsx workbook, CSV or JSON.",
        discussion: """
        Reads a population table (anslag-scb --to json), an allocation (anslag-allocate), a budget (anslag-import), a findings report (--report json of anslag-import or anslag-allocate --check) or a grid of sheets (anslag-convert --to json). \
        xlsx: codes as text, amounts as numbers in Swedish formats, bold frozen headers with filters, and \
        a findings sheet linking to the cells it names. CSV: RFC 4180, or with --locale sv what Swedish Excel \
        opens directly (';', decimal comma, UTF-8 with BOM). JSON: the same normalized JSON, checked.
        Exit status: 0 done; 2 unreadable or invalid input (the message names the JSON path).
        """,
        version: anslagVersion)

    enum Locale: String, ExpressibleByArgument, CaseIterable { case sv, c }

    @Argument(help: "Normalized JSON from an Anslag tool, or - for standard input.")
    var input: String

    @Option(name: .long, help: "Output format: xlsx, csv or json (default: as -o's extension says, else xlsx).")
    var to: OutputFormat?

    @Option(name: .long, help: "CSV flavour: c (RFC 4180, ',' and '.') or sv (';', decimal comma, UTF-8 with BOM).")
    var locale: Locale = .c

    @Flag(name: .long, help: "Start CSV output with a UTF-8 byte-order mark.")
    var bom = false

    @Flag(name: .long, help: "xlsx: add a native bar chart of the amounts (allocations; budgets with --layout per-table).")
    var chart = false

    @Option(name: .long, help: "Budgets as xlsx: long (one sheet) or per-table (a sheet per table).")
    var layout: BudgetXlsxWriter.Layout = .long

    @OptionGroup var out: OutputOptions

    /// Whether the input's first bytes say it is a budget.
    static func isBudget(_ source: InputSource) throws -> Bool {
        let head = String(decoding: try source.head(4096), as: UTF8.self)
        return head.contains("\"kind\": \"budget\"") || head.contains("\"kind\":\"budget\"")
    }

    mutating func execute() throws -> ExitStatus {
        let target = out.format(to, default: .xlsx)
        let source = try inputSource(input)
        let inputs = input == "-" ? [] : [input]
        // Budgets go to xlsx and CSV as a stream, line by line: memory stays flat.
        if input != "-", target != .json, try Self.isBudget(source) {
            let stream = try BudgetJSONStream(path: input)
            let sv = locale == .sv
            switch target {
            case .xlsx:
                try out.writePath(inputs: inputs) { path in
                    var writer: BudgetXlsxStreamWriter?
                    var began = false
                    try stream.readConcurrently { event in
                        switch event {
                        case .sheets(_, let file):
                            writer = try BudgetXlsxStreamWriter(path: path, subject: file, layout: layout, chart: chart, constantMemory: true,
                                                               made: outputProvenance(tool: "anslag-export"))
                        case .table(let head):
                            if began { try writer!.end() }
                            try writer!.begin(head.table); began = true
                        case .line(let l):
                            try writer!.write(l)
                        }
                    }
                    if began { try writer!.end() }
                    try writer?.close()
                }
            case .csv:
                try out.write(inputs: inputs) { sink in
                    if bom || sv { try sink.write(bytes: [0xEF, 0xBB, 0xBF]) }
                    let csv = BudgetCSVStream(sink: sink, delimiter: sv ? ";" : ",", decimalComma: sv)
                    try csv.header()
                    var table: BudgetTable?
                    try stream.read(sheets: { _, _ in }, table: { table = $0.table }, line: { try csv.write($0, in: table!) })
                }
            case .json: break
            }
            return .ok
        }
        let bytes = try source.readAll(limit: 2 << 30)
        let document = try NormalizedJSON.read(bytes: bytes, file: source.displayName)
        let sv = locale == .sv
        switch (document, target) {
        case (.population(let table, let findings), .xlsx):
            try out.writePath(inputs: inputs) { try PopulationXlsxWriter.write(table, findings: findings, to: $0, made: outputProvenance(tool: "anslag-export")) }
        case (.population(let table, let findings), .json):
            try out.write(inputs: inputs) { try PopulationWriter.writeJSON(table, findings: findings, to: $0) }
        case (.population(let table, _), .csv):
            try out.write(inputs: inputs) { sink in
                if bom || sv { try sink.write(bytes: [0xEF, 0xBB, 0xBF]) }
                try PopulationWriter.writeCSV(table, to: sink, delimiter: sv ? ";" : ",", decimalComma: sv)
            }
        case (.allocation(let a), .xlsx):
            try out.writePath(inputs: inputs) { try AllocationWriter.writeXlsx(a, to: $0, chart: chart, made: outputProvenance(tool: "anslag-export")) }
        case (.allocation(let a), .json):
            try out.write(inputs: inputs) { try AllocationWriter.writeJSON(a, to: $0) }
        case (.allocation(let a), .csv):
            try out.write(inputs: inputs) { sink in
                if bom || sv { try sink.write(bytes: [0xEF, 0xBB, 0xBF]) }
                try AllocationWriter.writeCSV(a, to: sink, delimiter: sv ? ";" : ",", decimalComma: sv)
            }
        case (.budget(let b), .xlsx):
            try out.writePath(inputs: inputs) { try BudgetXlsxWriter.write(b, to: $0, layout: layout, chart: chart, made: outputProvenance(tool: "anslag-export")) }
        case (.budget(let b), .json):
            try out.write(inputs: inputs) { try BudgetWriter.writeJSON(b, to: $0) }
        case (.budget(let b), .csv):
            try out.write(inputs: inputs) { sink in
                if bom || sv { try sink.write(bytes: [0xEF, 0xBB, 0xBF]) }
                try BudgetWriter.writeCSV(b, to: sink, delimiter: sv ? ";" : ",", decimalComma: sv)
            }
        case (.report(let r), .xlsx):
            try out.writePath(inputs: inputs) { try ReportWriter.writeXlsx(r, to: $0, made: outputProvenance(tool: "anslag-export")) }
        case (.report(let r), .json):
            try out.write(inputs: inputs) { try $0.write(bytes: ReportWriter.json(r).bytes()) }
        case (.report(let r), .csv):
            try out.write(inputs: inputs) { sink in
                if bom || sv { try sink.write(bytes: [0xEF, 0xBB, 0xBF]) }
                try ReportWriter.writeCSV(r, to: sink, delimiter: sv ? ";" : ",", decimalComma: sv)
            }
        case (.grid(let sheets), .xlsx):
            try out.writePath(inputs: inputs) { try GridXlsxWriter.write(sheets, to: $0) }
        case (.grid(let sheets), .json):
            try out.write(inputs: inputs) { sink in
                var w = GridJSONWriter(sink: sink)
                try w.begin(); for s in sheets { try w.write(sheet: s) }; try w.end()
            }
        case (.grid(let sheets), .csv):
            try out.write(inputs: inputs) { sink in
                let w = GridCSVWriter(sink: sink, delimiter: sv ? ";" : ",", decimalComma: sv)
                if bom || sv { try w.writeBOM() }
                for (i, s) in sheets.enumerated() {
                    if sheets.count > 1 { try w.writeLine("-------- \(i + 1) - \(s.name)"); w.resetRows() }
                    for (r, row) in s.rows.enumerated() where !row.isEmpty {
                        try w.write(row: r, cells: row.enumerated().filter { !$0.element.value.isEmpty }.map { IndexedCell($0.offset, $0.element) })
                    }
                }
            }
        }
        return .ok
    }
}

Export.main()
