import AnslagCLI
import AnslagCore
import ArgumentParser

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
        """,
        version: anslagVersion)

    @Argument(help: "The SCB file (CSV, PX or JSON-stat), or - for standard input.")
    var input: String

    @Option(name: .long, help: "Output format: json (normalized, with findings), csv (long) or xlsx (with a findings sheet). Default: json, or as -o's extension says.")
    var to: OutputFormat?

    @Option(name: .long, help: "Input format when the content does not tell: csv, px or json-stat.")
    var format: ScbFormat?

    @Option(name: .long, help: "Input encoding: utf-8, utf-8-bom, windows-1252 / iso-8859-1 (default: detected).")
    var encoding: TextEncoding?

    @Option(name: .long, help: "CSV input delimiter: a character, or tab, semicolon, comma, space (default: sniffed).",
            transform: OptionValues.delimiter(option: "--delimiter", allowSpace: true))
    var delimiter: Character?

    @Flag(name: .long, help: "Skip the total checks.")
    var noCheck = false

    @Option(name: .long, help: "Query: only this period (2023, 2023M10, 2023K4).")
    var period: String?

    @Option(name: .long, help: "Query: population of an age band (0-25, 65+, 7) instead of all ages.")
    var age: AgeBand?

    @Option(name: .long, help: "Query: one sex (male, female) instead of the total.")
    var sex: Sex?

    @Option(name: .long, help: "Query: by kommun (as the file has it) or lan (kommuner summed to their län).")
    var by: RegionLevel?

    @Option(name: .long, help: "Query: only these regions (codes, comma-separated; repeatable).")
    var region: [String] = []

    @Option(name: .customLong("where"), help: "Query: a value of any other dimension, DIM=VALUE (SCB codes or texts; repeatable), e.g. civilstand=ogifta.")
    var selections: [String] = []

    @OptionGroup var out: OutputOptions

    mutating func execute() throws -> ExitStatus {
        var options = ScbReadOptions()
        if let encoding { options.encoding = encoding }
        if let delimiter { options.delimiter = delimiter }
        let fmt = format
        let target = out.format(to, default: .json)
        let query = try QueryOptions.query(period: period, age: age, sex: sex, by: by, regions: region, selections: selections)
        let source = try inputSource(input)
        let inputs = input == "-" ? [] : [input]
        var findings: [ReportFinding] = []
        if target == .csv && query == nil {
            // Stream: the table goes from the file to the output and the checks row by row.
            let checker = PopulationCheckStream()
            try out.write(inputs: inputs) { sink in
                let writer = PopulationCSVStreamWriter(sink: sink)
                findings = try streamPopulation(source, format: fmt, options: options,
                                                into: noCheck ? writer : PopulationFanOut([writer, checker])).map(\.worded)
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
        findings = imported.findings.map(\.worded)
        if !noCheck { findings += PopulationChecks.run(imported.table) }
        return try ScbOutput.write(imported.table, findings: findings, query: query, target: target, out: out, inputs: inputs)
    }

    func report(_ findings: [ReportFinding]) { ScbOutput.report(findings) }
}

/// What the import and the fetch share: the query flags, and writing a table.
enum QueryOptions {
    static func query(period: String?, age: AgeBand?, sex: Sex?, by: RegionLevel?, regions: [String], selections: [String]) throws -> PopulationQuery? {
        guard period != nil || age != nil || sex != nil || by != nil || !regions.isEmpty || !selections.isEmpty else { return nil }
        var q = PopulationQuery(period: period.map { ScbLabels.period($0) ?? $0 })
        if let age { q.ages = age.ages }
        if let sex { q.sex = sex.code }
        q.byCounty = by == .lan
        let codes = regions.flatMap { $0.split(separator: ",").map { String($0).trimmed() } }
        if !codes.isEmpty { q.regions = codes }
        q.selections = try Self.selections(selections)
        return q
    }

    /// `DIM=VALUE` pairs.
    static func selections(_ pairs: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for p in pairs {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex, p.index(after: eq) != p.endIndex else {
                throw ValidationError("--where takes DIMENSION=VALUE, not \"\(p)\"")
            }
            let k = String(p[..<eq]).trimmed()
            if out[k] != nil { throw ValidationError("--where \(k) is given twice") }
            out[k] = String(p[p.index(after: eq)...]).trimmed()
        }
        return out
    }
}

enum ScbOutput {
    static func write(_ imported: PopulationTable, findings: [ReportFinding], query: PopulationQuery?, target: OutputFormat,
                      out: OutputOptions, inputs: [String]) throws -> ExitStatus {
        var table = imported
        if let query {
            do { table = try query.apply(table) } catch let e as QueryError {
                throw UserError("\(imported.metadata.source): \(e.worded)")
            }
        }
        report(findings)
        if target == .xlsx {
            try out.writePath(inputs: inputs) { path in try PopulationXlsxWriter.write(table, findings: findings, to: path, made: outputProvenance(tool: "anslag-scb")) }
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
    static func report(_ findings: [ReportFinding]) {
        let shown = findings.filter { $0.severity != .info }
        for f in shown.prefix(20) {
            printError("anslag-scb: \(f.location): \(f.severity.rawValue): \(f.message)")
        }
        if shown.count > 20 {
            printError("anslag-scb: … and \(shown.count - 20) more findings (all of them are in the JSON output, --to json)")
        }
    }
}

// `anslag-scb fetch …` goes to the fetch command; anything else is a file to import.
Scb.main(word: "fetch", runs: ScbFetch.self)
