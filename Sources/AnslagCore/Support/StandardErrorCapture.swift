#if canImport(Glibc)
import Glibc
#endif

/// Runs a C call that prints its own diagnostics to standard error (libxlsxwriter's
/// `[ERROR]` lines) with descriptor 2 sent to a pipe, and returns what it printed, so that
/// the caller can word the one line the user sees. The pipe never blocks the writer: past its
/// capacity (64 KiB) the text is dropped.
public enum StandardErrorCapture {
    public static func capture<T>(_ body: () throws -> T) rethrows -> (result: T, text: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return (try body(), "") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        let saved = dup(2)
        guard saved >= 0, dup2(fds[1], 2) >= 0 else {
            close(fds[0]); close(fds[1]); if saved >= 0 { close(saved) }
            return (try body(), "")
        }
        close(fds[1])
        let result: T
        do {
            defer { fflush(nil); dup2(saved, 2); close(saved) }
            result = try body()
        } catch {
            close(fds[0])
            throw error
        }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            text.append(contentsOf: chunk[0..<n])
        }
        close(fds[0])
        return (result, String(decoding: text, as: UTF8.self))
    }
}
