import AnslagCore
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The version every tool prints with `--version`.
public let anslagVersion = "0.15.0"

/// `--lang sv|en` for what a tool says on the terminal; default from `LANG` (Swedish when it
/// names a Swedish locale). Workbooks are Swedish whatever this says.
public struct LanguageOption: ParsableArguments {
    @Option(name: .long, help: "Language of messages on the terminal: sv or en (default from LANG).")
    public var lang: String?

    public init() {}

    public func language() throws -> Language {
        if let lang {
            guard let l = Language(rawValue: lang.lowercased()) else { throw ValidationError("--lang takes sv or en, not \"\(lang)\"") }
            return l
        }
        let env = getenv("LC_ALL").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? getenv("LANG").map { String(cString: $0) }
        return Language.fromLocale(env)
    }
}
