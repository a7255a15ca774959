// The normalized-JSON readers: the whole-document reader (every kind Anslag writes) and the
// streamed budget reader, which reads a file (here an in-memory one).
import AnslagCore
#if canImport(Glibc)
import Glibc
#endif

func fuzzNormalizedJSON(_ bytes: [UInt8]) {
    _ = try? NormalizedJSON.read(bytes: bytes, file: "fuzz.json")
    guard let path = scratchFile(bytes), let stream = try? BudgetJSONStream(path: path) else { return }
    _ = try? stream.read(sheets: { _, _ in }, table: { _ in }, line: { _ in })
}
