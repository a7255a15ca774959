import AnslagCore
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The version every tool prints with `--version`.
public let anslagVersion = "0.15.0"

/// Who writes a workbook and when: `tool` at this version, the run date from
/// `SOURCE_DATE_EPOCH` (seconds since 1970, as reproducible builds set it) or else today (UTC).
public func outputProvenance(tool: String) -> OutputProvenance {
    var seconds = Int64(time(nil))
    if let e = getenv("SOURCE_DATE_EPOCH"), let s = Int64(String(cString: e)), s >= 0, s < 253_402_300_800 { seconds = s }
    return OutputProvenance(tool: tool, version: anslagVersion, runDate: OutputProvenance.date(secondsSince1970: seconds))
}

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
