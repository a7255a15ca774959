import AnslagCLI
import AnslagCore
import ArgumentParser

struct Import: AnslagCommand {
    static let configuration = CommandConfiguration(
        commandName: "anslag-import",
        abstract: "Read a budget spreadsheet, normalize it to JSON and check every stated total, sum and change.",
        discussion: """
        Recognises line-item lists closed by Summa/Totalt, sectioned tables with subtotals, area × year matrices \
        with a Totalt column and Förändring rows, and allocation tables, on every sheet (hidden ones too), without a \
        template. Amounts may be numbers or Swedish amount text; "i tusental kronor"/"(tkr)" scale to kronor.
        Default output: budget JSON (Schemas/budget.schema.json) on stdout or -o, a summary of findings on stderr. \
        --report json|text prints the findings report instead (Schemas/report.schema.json); --report xlsx writes the \
        workbook back (an xlsx input as its own package, changed only where it must be) with the cells the findings \
        name filled red, a comment on each in words, and a findings sheet (Fynd) linking to them.
        Exit status: 0 no error findings; 1 error findings; 2 unreadable input or bad arguments.
        """,
        version: anslagVersion)

    @Argument(help: "The workbook (xlsx, xlsm, ods, xls, csv) or document with tables (docx, pptx, odt, odp, pdf), or - for standard input.")
    var input: String

    @Option(name: .long, help: "Print a findings report (json or text) or write the workbook with findings highlighted (xlsx).")
    var report: ReportFormat?

    @Flag(name: .long, help: "Print what was recognised: tables, header and total cells, units, and what each total was checked against.")
    var explain = false

    @Option(name: .long, help: "A layout file (YAML or JSON) naming header rows, label columns, total rows and units per sheet.")
    var layout: String?

    @Option(name: .long, help: "Kronor a total may differ by and count as info, not an error (default 0: 1 kr off is an error).")
    var tolerance: Tolerance = .zero

    @OptionGroup var out: OutputOptions

    @OptionGroup var language: LanguageOption

    mutating func execute() throws -> ExitStatus {
        let lang = try language.language()
        let source = try inputSource(input)
        let reader = try openSpreadsheet(source)
        var options = BudgetRecognizer.Options(tolerance: tolerance.amount)
        if let layout { options.layout = try LayoutFile.read(path: layout) }
        // A second zip handle lets both cores parse and recognise sheets.
        let second: (any SpreadsheetReader)? = input != "-" && reader.sheets.count >= 4 && reader is XlsxReader ? try? openSpreadsheet(source) : nil
        let result = try BudgetRecognizer(options: options).read(reader, second: second)
        keepUntilExit(result)
        let rep = FindingsReport(file: source.displayName, findings: result.findings, tables: result.budget.tables.count)
        let inputs = input == "-" ? [] : [input]
        let status: ExitStatus = rep.valid ? .ok : .findings

        if explain {
            // A document's tables as reconstructed, then what was recognised in them.
            let shown = try (reader as? DocumentReader).map { try DocumentWriter.tables($0) + "\n" } ?? ""
            try withOutput(out.output, force: out.force, inputs: inputs) { try $0.write(shown + BudgetWriter.explain(result.budget, findings: result.findings)) }
            return status
        }
        switch report {
        case .json?:
            try out.write(inputs: inputs) { try $0.write(bytes: ReportWriter.json(rep).bytes()) }
        case .text?:
            try out.write(inputs: inputs) { try $0.write(ReportWriter.text(rep, language: lang)) }
        case .xlsx?:
            // An xlsx workbook comes back as itself, annotated; other inputs as a new workbook.
            if reader is XlsxReader {
                do {
                    try out.writePath(inputs: inputs) { try XlsxAnnotator.write(source, report: rep, to: $0, made: outputProvenance(tool: "anslag-import")) }
                    return status
                } catch XlsxAnnotator.Unsupported.strict {}
            }
            let workbook = try reader.workbook()
            let formulas = reader is XlsxReader
            try out.writePath(inputs: inputs) {
                try GridXlsxWriter.write(workbook.sheets, to: $0, title: source.displayName, formulas: formulas, report: rep, made: outputProvenance(tool: "anslag-import"),
                                         numberFormats: try GridXlsxWriter.sourceFormats(reader))
            }
        case nil:
            try out.write(inputs: inputs) { try BudgetWriter.writeJSON(result.budget, to: $0) }
            printSummary(rep, lang)
        }
        return status
    }

    func printSummary(_ r: FindingsReport, _ lang: Language) {
        let infos = r.findings.count - r.errors - r.warnings
        printError("anslag-import: \(r.file): \(r.tables) table\(r.tables == 1 ? "" : "s"), \(r.errors) error\(r.errors == 1 ? "" : "s"), \(r.warnings) warning\(r.warnings == 1 ? "" : "s"), \(infos) info")
        for f in r.findings where f.severity != .info {
            printError("  \(lang == .sv ? Messages.severity(f.severity, .sv) : f.severity.rawValue) \(f.location) \(f.code.rawValue): \(Messages.render(f, lang))")
        }
    }
}

Import.main()
