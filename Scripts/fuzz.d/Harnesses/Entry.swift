// libFuzzer entry point for every Anslag harness (built only with ANSLAG_FUZZ=1: see
// Package.swift and Scripts/fuzz). The harness is chosen by ANSLAG_FUZZ_HARNESS; each lives in
// its own file here. A harness must never crash, trap, leak past ASan's limits or hang on any
// input: errors are thrown and ignored.
import AnslagCore
#if canImport(Glibc)
import Glibc
#endif

typealias Harness = @Sendable ([UInt8]) -> Void

let harnesses: [String: Harness] = [
    "xlsx": fuzzXlsx, "ods": fuzzOds, "xls": fuzzXls, "csv": fuzzCsv,
    "budget": fuzzBudget, "rules": fuzzRules, "layout": fuzzLayout, "json": fuzzNormalizedJSON,
    "px": fuzzPx, "jsonstat": fuzzJsonStat, "scbcsv": fuzzScbCsv,
]

nonisolated(unsafe) var selected: Harness?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = getenv("ANSLAG_FUZZ_HARNESS").map { String(cString: $0) } ?? ""
    guard let h = harnesses[name] else {
        let all = harnesses.keys.sorted().joined(separator: ", ")
        let line = "set ANSLAG_FUZZ_HARNESS to one of: \(all)\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        exit(2)
    }
    selected = h
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, let h = selected else { return 0 }
    h(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// The repository (for fixtures a rule file names).
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)
    return parts.joined(separator: "/")
}()

/// Reads every sheet of a spreadsheet both ways: streamed, and whole as a grid.
func readAllSheets(_ reader: any SpreadsheetReader) {
    for i in reader.sheets.indices {
        _ = try? reader.readSheet(at: i) { _, _ in }
        _ = try? reader.sheet(at: i)
    }
}

/// One unnamed file in /tmp (O_TMPFILE: nothing is left behind) for readers that take a path;
/// each call replaces its content and returns its /proc path.
let scratch: Int32 = open("/tmp", 0o20_000_000 | 0o200_000 | O_RDWR, 0o600)

func scratchFile(_ bytes: [UInt8]) -> String? {
    guard scratch >= 0, ftruncate(scratch, 0) == 0 else { return nil }
    let written = bytes.withUnsafeBytes { pwrite(scratch, $0.baseAddress, $0.count, 0) }
    return written == bytes.count ? "/proc/self/fd/\(scratch)" : nil
}

/// SwiftPM links an executable with `main` defined as `<module>_main` (so tests can link the
/// module); here that entry hands over to libFuzzer's driver, as libFuzzer's own main would.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("anslag_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
}
