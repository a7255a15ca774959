#if canImport(Glibc)
import Glibc
#endif

/// A progress bar on standard error, `[#####     ] 12/311 file.xlsx`, rewritten in place;
/// only when standard error is a terminal.
public struct ProgressBar: Sendable {
    public let total: Int
    public let shown: Bool

    public init(total: Int) {
        self.total = total
        shown = isatty(2) != 0
    }

    /// The callback to hand to a batch (`nil` when the bar is not shown).
    public var callback: (@Sendable (Int, String) -> Void)? {
        guard shown else { return nil }
        let total = total
        return { done, file in
            let width = 30
            let filled = total == 0 ? width : done * width / total
            let name = file.split(separator: "/").last.map(String.init) ?? file
            printErrorRaw("\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total) \(name.prefix(40))\u{1B}[K")
        }
    }

    /// Clears the bar's line.
    public func finish() { if shown { printErrorRaw("\r\u{1B}[K") } }
}
