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

/// How the tools read option values shared between them, and how a value ArgumentParser
/// refuses is worded: the tool's own sentence (`unknown --encoding "x"; use …`), one line,
/// exit 2, as every other error, not ArgumentParser's generic one.
public enum OptionValues {
    /// The sentence for the last value refused while the arguments were parsed. Parsing runs
    /// once, on the main thread, before any other thread exists; `AnslagCommand.main` reads it
    /// right after. Nothing else touches it.
    nonisolated(unsafe) static var refused: (value: String, message: String)?

    /// Notes why `value` is refused (for `init?(argument:)`, which cannot throw).
    static func record(_ value: String, _ message: String) { refused = (value, message) }

    /// The same, as an error to throw from an option's `transform`.
    static func reject(_ value: String, _ message: String) -> ValidationError {
        record(value, message)
        return ValidationError(message)
    }

    /// The worded sentence for a parse error, when it is about a value one of the tool's
    /// option types refused.
    static func wording(for parseMessage: String) -> String? {
        guard let refused, parseMessage.contains("The value '\(refused.value)' is invalid") else { return nil }
        return refused.message
    }

    /// A delimiter: one ASCII character, or `tab`, `semicolon`, `comma`, `space`; a transform
    /// for the option named `option`.
    public static func delimiter(option: String, allowSpace: Bool = false) -> @Sendable (String) throws -> Character {
        { text in
            switch text.lowercased() {
            case "tab", "\\t", "\t": return "\t"
            case "semicolon": return ";"
            case "comma": return ","
            case "space" where allowSpace: return " "
            default:
                guard text.count == 1, let c = text.first, c.isASCII, c != "\"", c != "\n", c != "\r", allowSpace || c != " " else {
                    throw reject(text, "\(option) takes one ASCII character (or tab, semicolon, comma\(allowSpace ? ", space" : "")), not \"\(text)\"")
                }
                return c
            }
        }
    }
}
