import AnslagCLI
import AnslagCore
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

struct Reconcile: AnslagCommand {
    static let configuration = CommandConfiguration(
        commandName: "anslag-reconcile",
        abstract: "Reconcile many budgets and reports (återrapportering) against an allocation, in one batch.",
        discussion: """
        Every input file (folders are searched recursively: xlsx, xlsm, ods, xls, csv) is imported with anslag-import's \
        checks, matched to a recipient (a "Mottagare"/"Organisation" cell, the --map file, or the file name; names \
        matched tolerantly, and every loose match reported), and compared with what the recipient was allocated: \
        budget totals, and for reports the grant received and unused = grant − costs. A broken file is a finding \
        (file-unreadable), not the end of the batch.
        Output: the findings report (text, or --report json with one row per recipient) on stdout, and with -o \
        FILE.xlsx a summary workbook (live SUM totals, mismatches in red, findings linked, a chart).
        Exit status: 0 no error findings; 1 error findings; 2 bad arguments or an unreadable allocation.
        """,
        version: anslagVersion)

    @Option(name: .long, help: "The allocation: anslag-allocate JSON, a rule file (.yaml/.json rules), or a table (xlsx, ods, csv).")
    var allocation: String

    @Argument(help: "Budget and report files, or folders of them.")
    var inputs: [String]

    @Option(name: .long, help: "CSV of file name;recipient (name or code) for files the matching cannot place.")
    var map: String?

    @Option(name: .long, help: "With a rule file or an allocation of several rules: the rule.")
    var rule: String?

    @Option(name: .long, help: "Population file for a rule file's keys (overrides the rule file's).")
    var population: String?

    @Option(name: .long, help: "Report on stdout: text (default) or json.", transform: ReportFormat.textOrJSON)
    var report: ReportFormat = .text

    @Option(name: .long, help: "Files read at once (default: the number of cores).")
    var jobs: Int?

    @OptionGroup var out: OutputOptions
    @OptionGroup var language: LanguageOption

    mutating func execute() throws -> ExitStatus {
        guard !inputs.isEmpty else { throw ValidationError("give budget or report files, or folders of them") }
        let amounts = try AllocationSource.read(allocation, rule: rule, population: population)
        var mapping: [String: String] = [:]
        if let map {
            let sheet = try openSpreadsheet(.path(map)).sheet(at: 0)
            for row in sheet.rows {
                let texts = row.compactMap { c -> String? in
                    switch c.value { case .string(let s): return s; case .number(let d): return CellText.number(d); default: return nil }
                }
                if texts.count >= 2 { mapping[texts[0]] = texts[1] }
            }
        }
        let files = try Reconciler.files(under: inputs)
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let n = max(1, jobs ?? cores)
        let bar = ProgressBar(total: files.count)
        let result = Reconciler(allocation: amounts, map: mapping).run(files, jobs: n, progress: bar.callback)
        bar.finish()

        let inputsForOutput = [allocation] + inputs + (map.map { [$0] } ?? [])
        if let o = out.output, o != "-" {
            if o.lowercased().hasSuffix(".json") {
                try out.write(inputs: inputsForOutput) { try $0.write(bytes: ReconcileWriter.json(result).bytes()) }
            } else {
                try out.writePath(inputs: inputsForOutput) {
                    try ReconcileWriter.writeXlsx(result, to: $0, allocation: rule.map { "\(allocation), \(Messages.text(.provenanceRule).lowercased()) \($0)" } ?? allocation,
                                                  inputs: inputs, files: files.count,
                                                  made: outputProvenance(tool: "anslag-reconcile"))
                }
            }
        }
        // The report goes to standard output either way.
        try withOutput(nil, force: false, inputs: []) { sink in
            if report == .json { try sink.write(bytes: ReconcileWriter.json(result).bytes()) } else { try sink.write(ReportWriter.text(result.report, language: try language.language())) }
        }
        return result.report.valid ? .ok : .findings
    }
}

Reconcile.main()
