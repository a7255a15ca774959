import AnslagCLI
import AnslagCore
import ArgumentParser

struct Convert: AnslagCommand {
    static let configuration = CommandConfiguration(
        commandName: "anslag-convert",
        abstract: "Convert a spreadsheet (xlsx, xlsm, xltx, xltm, ods, csv) to CSV or grid JSON.",
        discussion: """
        Reads the first sheet unless --sheet or --all-sheets says otherwise. CSV output is RFC 4180 \
        with CRLF line ends; with --all-sheets each sheet is preceded by a line "-------- N - NAME". \
        JSON output is {"sheets":[{"name","state","rows"}]} with rows anchored at A1.
        Exit status: 0 done, 2 could not read the input or bad arguments.
        """,
        version: anslagVersion)

    @Argument(help: "The spreadsheet to read, or - for standard input.")
    var input: String

    @Option(name: .long, help: "Sheet to read, by name or 1-based number.")
    var sheet: String?

    @Flag(name: .long, help: "Read every sheet, hidden ones included.")
    var allSheets = false

    @Flag(name: .long, help: "List the sheets (number, name, state) and stop.")
    var listSheets = false

    @Option(name: .long, help: "Output format: csv, json or xlsx (default: csv, or as -o's extension says).")
    var to: OutputFormat?

    @Option(name: .long, help: "CSV output delimiter: a character, or 'tab', 'semicolon', 'comma'.",
            transform: OptionValues.delimiter(option: "--delimiter"))
    var delimiter: Character = ","

    @Flag(name: .long, help: "Start CSV output with a UTF-8 byte-order mark.")
    var bom = false

    @Option(name: .long, help: "Input format when the content and extension do not tell: xlsx, ods or csv.")
    var format: SpreadsheetFormat?

    @Option(name: .long, help: "CSV input delimiter (default: sniffed among , ; and tab).",
            transform: OptionValues.delimiter(option: "--input-delimiter"))
    var inputDelimiter: Character?

    @Option(name: .long, help: "CSV input encoding: utf-8, utf-8-bom, windows-1252 (default: detected).")
    var encoding: TextEncoding?

    @OptionGroup var out: OutputOptions

    mutating func execute() throws -> ExitStatus {
        if allSheets && sheet != nil { throw ValidationError("--sheet and --all-sheets exclude each other") }
        var csvOptions = CsvOptions()
        if let inputDelimiter { csvOptions.delimiter = inputDelimiter }
        if let encoding { csvOptions.encoding = encoding }
        let target = out.format(to, default: .csv)

        let reader = try openSpreadsheet(try inputSource(input), format: format, csv: csvOptions)
        let indices: [Int]
        if allSheets || listSheets {
            indices = Array(reader.sheets.indices)
        } else if let sheet {
            indices = [try reader.sheetIndex(sheet)]
        } else {
            // The first worksheet; a workbook without sheets converts to nothing.
            indices = reader.sheets.firstIndex { $0.kind == .worksheet }.map { [$0] } ?? []
        }
        let inputs = input == "-" ? [] : [input]

        if listSheets {
            try out.write(inputs: inputs) { sink in
                for (i, s) in reader.sheets.enumerated() {
                    let kind = s.kind == .worksheet ? "" : "\t\(s.kind.rawValue)"
                    try sink.write("\(i + 1)\t\(s.name)\t\(s.state.rawValue)\(kind)\n")
                }
            }
            return .ok
        }

        if target == .xlsx {
            let sheets = try indices.map { try reader.sheet(at: $0) }
            let keepFormulas = reader is XlsxReader
            try out.writePath(inputs: inputs) { path in try GridXlsxWriter.write(sheets, to: path, formulas: keepFormulas) }
            return .ok
        }
        try out.write(inputs: inputs) { sink in
            switch target {
            case .xlsx: break
            case .json:
                var writer = GridJSONWriter(sink: sink)
                try writer.begin()
                for i in indices { try writer.write(sheet: try reader.sheet(at: i)) }
                try writer.end()
            case .csv:
                let writer = GridCSVWriter(sink: sink, delimiter: delimiter)
                if bom { try writer.writeBOM() }
                for i in indices {
                    if allSheets {
                        try writer.writeLine("-------- \(i + 1) - \(reader.sheets[i].name)")
                        writer.resetRows()
                    }
                    try reader.readSheetConcurrently(at: i) { batch in
                        for r in 0..<batch.count {
                            let (row, cells) = batch[r]
                            try writer.write(row: row, cells: cells)
                        }
                    }
                }
            }
        }
        return .ok
    }
}

Convert.main()
