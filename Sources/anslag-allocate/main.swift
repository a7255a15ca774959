import AnslagCLI
import AnslagCLIFetch
import AnslagCore
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

struct Allocate: AnslagCommand {
    static let configuration = CommandConfiguration(
        commandName: "anslag-allocate",
        abstract: "Compute allocation keys (fördelningsnycklar) exactly to the krona, or check a stated allocation.",
        discussion: """
        RULES is a rule file (YAML or JSON; see Fixtures/rules/ and Schemas/allocation-rules.schema.json). \
        Population figures come from --population or the rule file's population: (any file anslag-scb reads); \
        the file is read once for all rules. Amounts are whole kronor and sum exactly to the total at every level \
        (largest remainder; ties: larger basis first, then code), or are rounded down with the residual reported \
        (rounding: floor-report-residual).
        --check TABLE compares a stated allocation (xlsx, ods, csv: recipient and amount per row; or an allocation \
        JSON from an earlier run) with the \
        recomputed one and prints a findings report.
        Exit status: 0 done (no mismatches); 1 --check found errors; 2 bad rule file, population or arguments.
        """,
        version: anslagVersion)

    @Argument(help: "Rule file (.yaml, .yml or .json), or - for standard input.")
    var rules: String

    @Option(name: .long, help: "Population file (SCB CSV, PX or JSON-stat; anslag-scb JSON). Overrides the rule file's.")
    var population: String?

    @Option(name: .long, help: "Output format: json, csv or xlsx (default: as -o's extension says, else json).")
    var to: OutputFormat?

    @Option(name: .long, help: "Only this rule (repeatable); default: every rule with a total.")
    var rule: [String] = []

    @Flag(name: .long, help: "Print the arithmetic per recipient (to standard output; with -o the output is written too).")
    var explain = false

    @Flag(name: .long, help: "xlsx: add a bar chart of the amounts per recipient.")
    var chart = false

    @Option(name: .long, help: "Compare a stated allocation table with the recomputed one (one rule).")
    var check: String?

    @Option(name: .long, help: "With --check: report as text (default) or json, or write the checked table back with the cells that disagree marked (xlsx): an xlsx table as its own package, its stated values kept, each finding a comment and a line of a Fynd sheet with the rule's amount and the difference.")
    var report: ReportFormat = .text

    @OptionGroup var language: LanguageOption

    @Flag(name: .long, help: "Print to standard error how long reading the population and computing took.")
    var stats = false

    @OptionGroup var fetch: FetchOptions
    @OptionGroup var out: OutputOptions

    mutating func execute() throws -> ExitStatus {
        let tRules = now()
        let set: RuleSet
        if rules == "-" {
            set = try RuleFile.parse(bytes: FileInput.readStandardInput(limit: 16 << 20), file: "<stdin>")
        } else {
            set = try RuleFile.read(path: rules)
        }
        var selected = set
        if !rule.isEmpty {
            for name in rule where set.rule(named: name)?.total == nil {
                throw ValidationError(set.rule(named: name) == nil
                    ? "\(set.file) has no rule \"\(name)\"; it has \(set.rules.map { "\"\($0.name)\"" }.joined(separator: ", "))"
                    : "rule \"\(name)\" has no total; it is only used nested")
            }
            selected.rules = set.rules.map { r in var r = r; if !rule.contains(r.name) { r.total = nil }; return r }
        }
        guard !selected.topLevel.isEmpty else { throw ValidationError("\(set.file) has no rule with a total to compute") }

        var bases: PopulationBases?
        let t0 = now()
        if let path = population ?? set.populationFile {
            let imported = try importPopulation(path == "-" ? .bytes(try FileInput.readStandardInput(), name: "<stdin>") : .path(path))
            bases = PopulationBases(table: imported.table, file: path, selections: set.populationSelections)
        } else if let request = set.populationFetch {
            // population: {scb: TABLE, …}: fetched through the same cache as anslag-scb fetch.
            let client = try fetch.client()
            do {
                let (imported, result) = try client.importPopulation(request)
                // The selections went into the fetch: the table SCB serves has them chosen already.
                bases = PopulationBases(table: imported.table, file: "\(result.query) via \(result.base)")
                if stats { printError("anslag-allocate: \(result.query): \(result.pages) page(s), \(result.requests) request(s) sent") }
            } catch let e as FetchError {
                throw UserError("\(set.file): population: \(e.worded)")
            }
        }
        let t1 = now()
        let allocation = try Allocator(set: selected, population: bases).allocate()
        if stats {
            let levels = allocation.rules.reduce(0) { $0 + $1.levels.count }
            let recipients = allocation.rules.reduce(0) { $0 + $1.levels.reduce(0) { $0 + $1.recipients.count } }
            printError("anslag-allocate: rules read in \(seconds(t0 - tRules)) s; population read once in \(seconds(t1 - t0)) s (\(bases?.table.observations.count ?? 0) observations); "
                + "\(allocation.rules.count) rules, \(levels) levels, \(recipients) shares computed in \(seconds(now() - t1)) s; "
                + "\(bases?.queries ?? 0) distinct population questions")
        }

        if let check {
            guard allocation.rules.count == 1 else {
                throw ValidationError("--check compares one rule; choose it with --rule (\(allocation.rules.map { "\"\($0.rule)\"" }.joined(separator: ", ")))")
            }
            let result: FindingsReport
            let head = try InputSource.path(check).head(64)
            var reader: (any SpreadsheetReader)?
            if check.lowercased().hasSuffix(".json") || head.first(where: { $0 > 32 }) == UInt8(ascii: "{") {
                // Anslag's allocation JSON, e.g. an earlier run kept on file.
                guard case .allocation(let stated) = try NormalizedJSON.read(bytes: try FileInput.read(path: check), file: check) else {
                    throw ValidationError("\(check): not an allocation (anslag-allocate JSON); give the table as xlsx, ods or csv")
                }
                result = AllocationCheck.check(stated, file: check, against: allocation.rules[0])
            } else {
                reader = try openSpreadsheet(.path(check))
                result = AllocationCheck.check(try reader!.workbook(), file: check, against: allocation.rules[0])
            }
            let inputs = [rules, check] + (population.map { [$0] } ?? [])
            switch report {
            case .xlsx:
                // The stated table comes back as itself: its values are never replaced by the
                // rule's, the cells that disagree are marked and the Fynd sheet says by how much.
                guard let reader else { throw ValidationError("--report xlsx writes the checked table back; \(check) is allocation JSON, not a table") }
                if reader is XlsxReader {
                    do {
                        try out.writePath(inputs: inputs) { try XlsxAnnotator.write(.path(check), report: result, to: $0, made: outputProvenance(tool: "anslag-allocate")) }
                        return result.valid ? .ok : .findings
                    } catch XlsxAnnotator.Unsupported.strict {}
                }
                let workbook = try reader.workbook()
                try out.writePath(inputs: inputs) {
                    try GridXlsxWriter.write(workbook.sheets, to: $0, title: check, formulas: reader is XlsxReader, report: result,
                                             made: outputProvenance(tool: "anslag-allocate"), numberFormats: try GridXlsxWriter.sourceFormats(reader))
                }
            default:
                try out.write(inputs: inputs) { sink in
                    try sink.write(report == .json ? ReportWriter.json(result).text() : ReportWriter.text(result, language: try language.language()))
                }
            }
            return result.valid ? .ok : .findings
        }

        let target = out.format(to, default: .json)
        let inputs = [rules] + (population.map { [$0] } ?? []) + (set.populationFile.map { [$0] } ?? [])
        if explain {
            // The arithmetic goes to standard output; only with -o FILE is the output written too.
            try withOutput(nil, force: false, inputs: []) { try $0.write(AllocationWriter.explain(allocation)) }
            if out.output == nil || out.output == "-" { return .ok }
        }
        let t2 = now()
        switch target {
        case .json: try out.write(inputs: inputs) { try AllocationWriter.writeJSON(allocation, to: $0) }
        case .csv: try out.write(inputs: inputs) { try AllocationWriter.writeCSV(allocation, to: $0) }
        case .xlsx: try out.writePath(inputs: inputs) { try AllocationWriter.writeXlsx(allocation, to: $0, chart: chart, made: outputProvenance(tool: "anslag-allocate")) }
        }
        if stats { printError("anslag-allocate: \(target.rawValue) written in \(seconds(now() - t2)) s") }
        return .ok
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func seconds(_ s: Double) -> String {
    let ms = Int((s * 1000).rounded())
    return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000)"
}

Allocate.main()
