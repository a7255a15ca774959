import AnslagCore
import ArgumentParser

/// What a tool writes with `--to` (each tool says which it writes when neither `--to` nor
/// `-o`'s extension tells).
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json, csv, xlsx
}

/// What `--report` prints: a findings report as text or JSON, or (anslag-import) the
/// workbook with the findings marked.
public enum ReportFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, xlsx

    /// For the tools whose report is text or JSON only.
    public static func textOrJSON(_ text: String) throws -> ReportFormat {
        guard let f = ReportFormat(rawValue: text), f != .xlsx else {
            throw OptionValues.reject(text, "--report takes text or json")
        }
        return f
    }
}

extension OutputOptions {
    /// `--to` when given, else what `-o`'s extension says (`.json`, `.csv`, `.xlsx`), else the
    /// tool's own default.
    public func format(_ to: OutputFormat?, default fallback: OutputFormat) -> OutputFormat {
        if let to { return to }
        return OutputFormat.allCases.first { ends(with: ".\($0.rawValue)") } ?? fallback
    }
}

// Option values the core defines, parsed by ArgumentParser; a value that is not one is
// reported in the tool's own words (see `OptionValues.reject`).

extension SpreadsheetFormat: ExpressibleByArgument {
    public init?(argument: String) {
        guard let f = SpreadsheetFormat(rawValue: argument.lowercased()) else {
            OptionValues.record(argument, "unknown --format \"\(argument)\"; use xlsx, ods or csv")
            return nil
        }
        self = f
    }
}

extension ScbFormat: ExpressibleByArgument {
    public init?(argument: String) {
        guard let f = ScbFormat(rawValue: argument.lowercased()) else {
            OptionValues.record(argument, "unknown --format \"\(argument)\"; use csv, px or json-stat")
            return nil
        }
        self = f
    }
}

extension PxWebFormat: ExpressibleByArgument {
    /// `json-stat2`, `csv`, `px`; `json-stat` is taken for `json-stat2`.
    public init?(argument: String) {
        guard let f = PxWebFormat(rawValue: argument == "json-stat" ? "json-stat2" : argument) else {
            OptionValues.record(argument, "--format takes json-stat2, csv or px")
            return nil
        }
        self = f
    }
}

extension TextEncoding: ExpressibleByArgument {
    /// The usual spellings (`utf8`, `latin1`, `iso-8859-1`, `cp1252`, …), as `TextEncoding(name:)`.
    public init?(argument: String) {
        guard let e = TextEncoding(name: argument) else {
            OptionValues.record(argument, "unknown --encoding \"\(argument)\"; use utf-8, utf-8-bom or windows-1252")
            return nil
        }
        self = e
    }
}

extension BudgetXlsxWriter.Layout: ExpressibleByArgument {}

/// `--by kommun|lan`: regions as the table has them, or kommuner summed to their län.
public enum RegionLevel: String, ExpressibleByArgument, CaseIterable, Sendable {
    case kommun, lan

    public init?(argument: String) {
        switch argument.lowercased() {
        case "kommun", "region": self = .kommun
        case "lan", "län", "county": self = .lan
        default:
            OptionValues.record(argument, "--by takes kommun or lan")
            return nil
        }
    }
}

/// `--age 0-25`, `65+`, `7`, `total`: the band as given and as the query reads it.
public struct AgeBand: ExpressibleByArgument, Sendable {
    public let text: String
    public let ages: PopulationQuery.Ages

    public init?(argument: String) {
        guard let a = PopulationQuery.Ages(argument) else {
            OptionValues.record(argument, "--age takes a band like 0-25, 65+ or 7, not \"\(argument)\"")
            return nil
        }
        text = argument
        ages = a
    }
}

/// `--sex male|female|total` (Swedish and English words, as SCB labels them).
public struct Sex: ExpressibleByArgument, Sendable {
    /// `male`, `female` or `total`.
    public let code: String

    public init?(argument: String) {
        let s = ScbLabels.sex(argument)
        guard ["male", "female", "total"].contains(s) else {
            OptionValues.record(argument, "--sex takes male, female or total")
            return nil
        }
        code = s
    }
}

/// `--tolerance KRONOR`: a non-negative amount.
public struct Tolerance: ExpressibleByArgument, Sendable {
    public let amount: Money

    public init?(argument: String) {
        guard let t = AmountText.parse(argument), t.amount.ore >= 0 else {
            OptionValues.record(argument, "--tolerance takes an amount in kronor such as 1 or 1000, not \"\(argument)\"")
            return nil
        }
        amount = t.amount
    }

    public static let zero = Tolerance(argument: "0")!
    public var defaultValueDescription: String { "0" }
}
