import AnslagCore
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes shared by every Anslag tool.
public enum ExitStatus: Int32 {
    /// Done, nothing wrong.
    case ok = 0
    /// Done, with findings of severity error.
    case findings = 1
    /// Could not do it: bad arguments, unreadable or malformed input.
    case failure = 2
}

/// An error that has already been worded for the user.
public struct UserError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A command whose `execute` returns the exit status.
public protocol AnslagCommand: ParsableCommand {
    mutating func execute() throws -> ExitStatus
}

extension AnslagCommand {
    public mutating func run() throws {}

    /// Parses arguments and runs, mapping every failure to one stderr line and exit 2. Every
    /// executable's `main.swift` ends with this one call.
    public static func main() { main(arguments: nil) }

    /// The same, with a leading word (`anslag-scb fetch …`) handing the rest of the arguments
    /// to another command.
    public static func main(word: String, runs other: any AnslagCommand.Type) {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == word { other.main(arguments: Array(args.dropFirst())) } else { main(arguments: nil) }
    }

    /// The same with the arguments given (nil: the command line's), for a tool that hands a
    /// leading word (`anslag-scb fetch …`) to another command.
    public static func main(arguments: [String]?) {
        let tool = configuration.commandName ?? "anslag"
        tuneAllocator()
        SignalCleanup.install()
        // Every file the run reads is protected from -o (AtomicFile refuses it).
        ReadFiles.beginRecording()
        var command: Self
        do {
            command = try parse(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            let full = fullMessage(for: error)
            if let worded = OptionValues.wording(for: full) {
                // A value one of the tool's option types refused: its own sentence, as any error.
                printError("\(tool): \(worded)")
                Glibc.exit(ExitStatus.failure.rawValue)
            }
            let message = full.split(separator: "\n").first.map(String.init) ?? "\(error)"
            printError("\(tool): \(message) (see \(tool) --help)")
            Glibc.exit(ExitStatus.failure.rawValue)
        }
        do {
            Glibc.exit(try command.execute().rawValue)
        } catch let e as ValidationError {
            printError("\(tool): \(e.message)")
        } catch {
            printError("\(tool): \(worded(error))")
        }
        Glibc.exit(ExitStatus.failure.rawValue)
    }
}

/// The tools allocate and free large arrays again and again (a sheet's rows, a table's lines).
/// glibc would map each one above 128 KiB afresh and unmap it when freed, so every reuse costs
/// zeroed pages and a page fault per 4 KiB; keeping blocks up to 64 MiB in the heap lets them
/// be reused (peak memory is unchanged: they are freed and taken again, not kept as well).
func tuneAllocator() {
    #if canImport(Glibc)
    let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3   // <malloc.h>'s M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
    _ = glibcMallopt(mmapThreshold, 64 << 20)
    _ = glibcMallopt(trimThreshold, 128 << 20)
    #endif
}

#if canImport(Glibc)
/// glibc's `mallopt` (declared in <malloc.h>, which the Glibc module does not include).
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif

/// Without a line end, as it is (a progress line rewritten with `\r`).
public func printErrorRaw(_ s: String) {
    var s = s
    s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

public func printError(_ line: String) {
    var s = line.replacingNewlines() + "\n"
    s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

extension String {
    func replacingNewlines() -> String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}

/// Where a tool's output goes: standard output, or `-o FILE` written atomically.
public func withOutput(_ path: String?, force: Bool, inputs: [String], _ body: (ByteSink) throws -> Void) throws {
    if let path, path != "-" {
        try AtomicFile.write(to: path, force: force, inputs: inputs, body)
    } else {
        let sink = ByteSink.standardOutput()
        try body(sink)
        try sink.flush()
    }
}

/// Reads the input argument: a path, or `-` for standard input.
public func inputSource(_ argument: String) throws -> InputSource {
    if argument == "-" { return .bytes(try FileInput.readStandardInput(), name: "<stdin>") }
    return .path(argument)
}

/// Keeps `value` until the process exits, so a large result (a budget's 200 000 lines) is not
/// freed line by line after its output is written: the OS takes the memory back at once. On
/// Scripts/bench's budget workbook the freeing took 32 M instructions, all of them after the
/// work was done (callgrind).
public func keepUntilExit<T>(_ value: T) {
    _ = Unmanaged.passRetained(KeptUntilExit(value))
}

private final class KeptUntilExit<V> {
    let value: V
    init(_ value: V) { self.value = value }
}
