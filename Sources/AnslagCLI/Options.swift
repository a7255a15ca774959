import AnslagCore
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `-o FILE` and `--force`, the same for every tool.
public struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
    public var output: String?

    @Flag(name: .long, help: "Replace the output file if it exists.")
    public var force = false

    public init() {}

    /// Writes through `body` to the output, never over one of `inputs`.
    public func write(inputs: [String], _ body: (ByteSink) throws -> Void) throws {
        try withOutput(output, force: force, inputs: inputs, body)
    }

    public func ends(with suffix: String) -> Bool { output?.lowercased().hasSuffix(suffix) ?? false }

    /// For binary outputs written by path (xlsx): atomically to `-o FILE`, or through a
    /// temporary file to standard output, which must not be a terminal.
    public func writePath(inputs: [String], _ body: (String) throws -> Void) throws {
        if let output, output != "-" {
            try AtomicFile.writePath(to: output, force: force, inputs: inputs, body)
            return
        }
        guard isatty(1) == 0 else {
            throw ValidationError("an xlsx workbook is not for a terminal; give -o FILE.xlsx or redirect the output")
        }
        try AtomicFile.writePath(through: ByteSink.standardOutput(), body)
    }
}

/// How the tools read option values shared between them.
public enum OptionValues {
    /// A delimiter: one ASCII character, or `tab`, `semicolon`, `comma`, `space`.
    public static func delimiter(_ text: String, option: String, allowSpace: Bool = false) throws -> Character {
        switch text.lowercased() {
        case "tab", "\\t", "\t": return "\t"
        case "semicolon": return ";"
        case "comma": return ","
        case "space" where allowSpace: return " "
        default:
            guard text.count == 1, let c = text.first, c.isASCII, c != "\"", c != "\n", c != "\r", allowSpace || c != " " else {
                throw ValidationError("\(option) takes one ASCII character (or tab, semicolon, comma\(allowSpace ? ", space" : "")), not \"\(text)\"")
            }
            return c
        }
    }

    /// A text encoding: utf-8, utf-8-bom, windows-1252 (latin1, iso-8859-1, cp1252).
    public static func encoding(_ text: String) throws -> TextEncoding {
        guard let e = TextEncoding(name: text) else {
            throw ValidationError("unknown --encoding \"\(text)\"; use utf-8, utf-8-bom or windows-1252")
        }
        return e
    }
}
