#if canImport(Glibc)
import Glibc
#endif

/// Folder helpers both test targets use (AnslagCoreTests and EndToEndTests, the reliability
/// tests above all): a fresh temporary folder, the names in a folder, removing a folder.
public enum TestFiles {
    /// A new, empty folder `/tmp/PREFIX-XXXXXX`.
    public static func temporaryDirectory(_ prefix: String) -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        return String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
    }

    /// The names in a folder (not `.` and `..`), sorted; none when it cannot be read.
    public static func names(in dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    /// Removes a folder and everything in it.
    public static func removeTree(_ dir: String) { _ = system("rm -rf '\(dir)'") }
}
