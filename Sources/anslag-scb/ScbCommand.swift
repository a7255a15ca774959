import AnslagCLI
import AnslagCore
import ArgumentParser

@main
struct Scb: AnslagCommand {
    static let configuration = CommandConfiguration(
        commandName: "anslag-scb",
        abstract: "Import SCB population statistics (CSV, PX, JSON-stat) into Anslag's normalized table, checking its totals.",
        discussion: """
        Reads CSV as Statistikdatabasen and the PxWeb API write it (wide or long, with or without a \
        title line, codes, texts or "code text" labels, any of the usual separators and encodings) and \
        PC-Axis files. Checks men + women = total, the ages against "total", each county's kommuner \
        against the county and the counties against Riket wherever the table has both sides.
        Findings go to standard error, one a line, and into the JSON output.
        Exit status: 0 done and nothing wrong; 1 done, with findings of severity error; 2 could not read the input.
        """)

    enum Target: String, ExpressibleByArgument, CaseIterable { case json, csv, xlsx }

    @Argument(help: "The SCB file (CSV, PX or JSON-stat), or - for standard input.")
    var input: String

    @Option(name: .long, help: "Output format: json (normalized, with findings), csv (long) or xlsx (with a findings sheet). Default: json, or as -o's extension says.")
    var to: Target?

    @Option(name: .long, help: "Input format when the content does not tell: csv, px or json-stat.")
    var format: String?

    @Option(name: .long, help: "Input encoding: utf-8, utf-8-bom, windows-1252 / iso-8859-1 (default: detected).")
    var encoding: String?

    @Option(name: .long, help: "CSV input delimiter: a character, or tab, semicolon, comma, space (default: sniffed).")
    var delimiter: String?

    @Flag(name: .long, help: "Skip the total checks.")
    var noCheck = false

    @Option(name: .long, help: "Query: only this period (2023, 2023M10, 2023K4).")
    var period: String?

    @Option(name: .long, help: "Query: population of an age band (0-25, 65+, 7) instead of all ages.")
    var age: String?

    @Option(name: .long, help: "Query: one sex (male, female) instead of the total.")
    var sex: String?

    @Option(name: .long, help: "Query: by kommun (as the file has it) or lan (kommuner summed to their län).")
    var by: String?

    @OptionGroup var out: OutputOptions

    mutating func execute() throws -> ExitStatus {
        var options = ScbReadOptions()
        if let e = encoding { options.encoding = try OptionValues.encoding(e) }
        if let d = delimiter { options.delimiter = try OptionValues.delimiter(d, option: "--delimiter", allowSpace: true) }
        var fmt: ScbFormat? = nil
        if let f = format {
            guard let v = ScbFormat(rawValue: f.lowercased()) else { throw ValidationError("unknown --format \"\(f)\"; use csv, px or json-stat") }
            fmt = v
        }
        let target = to ?? (out.ends(with: ".csv") ? .csv : out.ends(with: ".xlsx") ? .xlsx : .json)
        var query: PopulationQuery? = nil
        if period != nil || age != nil || sex != nil || by != nil {
            var q = PopulationQuery(period: period)
            if let age {
                guard let a = PopulationQuery.Ages(age) else { throw ValidationError("--age takes a band like 0-25, 65+ or 7, not \"\(age)\"") }
                q.ages = a
            }
            if let sex {
                let s = ScbLabels.sex(sex)
                guard ["male", "female", "total"].contains(s) else { throw ValidationError("--sex takes male, female or total") }
                q.sex = s
            }
            switch by?.lowercased() {
            case nil, "kommun", "region": break
            case "lan", "län", "county": q.byCounty = true
            default: throw ValidationError("--by takes kommun or lan")
            }
            query = q
        }
        let source = try inputSource(input)
        let inputs = input == "-" ? [] : [input]
        var findings: [Finding] = []
        if target == .csv && query == nil {
            // Stream: the table goes from the file to the output and the checks row by row.
            let checker = PopulationCheckStream()
            try out.write(inputs: inputs) { sink in
                let writer = PopulationCSVStreamWriter(sink: sink)
                findings = try streamPopulation(source, format: fmt, options: options,
                                                into: noCheck ? writer : PopulationFanOut([writer, checker]))
            }
            if !noCheck {
                // A table not grouped by region is checked whole.
                findings += checker.settled ? checker.findings
                    : PopulationChecks.run(try importPopulation(source, format: fmt, options: options).table)
            }
            report(findings)
            return findings.contains { $0.severity == .error } ? .findings : .ok
        }
        let imported = try importPopulation(source, format: fmt, options: options)
        findings = imported.findings
        if !noCheck { findings += PopulationChecks.run(imported.table) }
        var table = imported.table
        if let query {
            do { table = try query.apply(table) } catch let e as QueryError {
                throw UserError("\(imported.table.metadata.source): \(e.description)")
            }
        }
        report(findings)
        if target == .xlsx {
            try out.writePath(inputs: inputs) { path in try PopulationXlsxWriter.write(table, findings: findings, to: path) }
            return findings.contains { $0.severity == .error } ? .findings : .ok
        }
        try out.write(inputs: inputs) { sink in
            switch target {
            case .xlsx: break
            case .json: try PopulationWriter.writeJSON(table, findings: findings, to: sink)
            case .csv: try PopulationWriter.writeCSV(table, to: sink)
            }
        }
        return findings.contains { $0.severity == .error } ? .findings : .ok
    }

    /// At most 20 lines on stderr; every finding is in the JSON output.
    func report(_ findings: [Finding]) {
        let shown = findings.filter { $0.severity != .info }
        for f in shown.prefix(20) {
            printError("anslag-scb: \(f.location): \(f.severity.rawValue): \(f.message)")
        }
        if shown.count > 20 {
            printError("anslag-scb: … and \(shown.count - 20) more findings (all of them are in the JSON output, --to json)")
        }
    }
}
