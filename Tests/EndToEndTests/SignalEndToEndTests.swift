import Testing
import AnslagCore
#if canImport(Glibc)
import Glibc
#endif

/// Signals mid-write. Each tool is held once its output is complete but not yet in place
/// (the test hook ANSLAG_TEST_HOLD_OUTPUT: the tool creates the file it names, then waits),
/// then sent the signal. Both ways of writing are tested: unnamed temporaries (O_TMPFILE,
/// the default on Linux) and named ones beside the target (ANSLAG_NAMED_TEMPORARIES=1, what
/// other file systems get), which the signal handler must remove.
@Suite("signals during a write", .serialized)
struct SignalEndToEndTests {
    struct Writer: CustomStringConvertible, Sendable {
        let tool: String, args: [String], output: String
        var description: String { "\(tool) -o \(output)" }
    }

    static let allocation = Tool.fixture("reconcile/allocation.csv")
    /// An allocation JSON for anslag-export, made once.
    static let exportInput: String = {
        let path = Hostile.dir + "/allocation.json"
        _ = try? Tool.run("anslag-allocate", [Tool.fixture("rules/equal-thirds.yaml"), "-o", path, "--force"])
        return path
    }()
    static let writers: [Writer] = [
        Writer(tool: "anslag-convert", args: [Tool.fixture("xlsx/basic.xlsx")], output: "out.xlsx"),
        Writer(tool: "anslag-convert", args: [Tool.fixture("xlsx/basic.xlsx")], output: "out.json"),
        Writer(tool: "anslag-scb", args: [Tool.fixture("scb/blekinge-cp1252.px")], output: "out.xlsx"),
        Writer(tool: "anslag-scb", args: [Tool.fixture("scb/blekinge-cp1252.px")], output: "out.csv"),
        Writer(tool: "anslag-export", args: [exportInput], output: "out.xlsx"),
        Writer(tool: "anslag-export", args: [exportInput, "--to", "csv"], output: "out.csv"),
        Writer(tool: "anslag-allocate", args: [Tool.fixture("rules/equal-thirds.yaml")], output: "out.xlsx"),
        Writer(tool: "anslag-allocate", args: [Tool.fixture("rules/equal-thirds.yaml")], output: "out.json"),
        Writer(tool: "anslag-import", args: [Tool.fixture("budget/list-wrong.xlsx"), "--report", "xlsx"], output: "out.xlsx"),
        Writer(tool: "anslag-import", args: [Tool.fixture("budget/list-wrong.xlsx")], output: "out.json"),
        Writer(tool: "anslag-reconcile", args: ["--allocation", allocation, Tool.fixture("reconcile/batch/Sjuhärad")], output: "out.xlsx"),
        Writer(tool: "anslag-reconcile", args: ["--allocation", allocation, Tool.fixture("reconcile/batch/Sjuhärad")], output: "out.json"),
    ]

    /// Starts `tool` with extra environment, standard output to `stdoutPath`.
    static func spawn(_ tool: String, _ args: [String], env: [String], stdoutPath: String = "/dev/null", absolute: Bool = false) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let exe = absolute ? tool : Tool.binDirectory + "/" + tool
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var environment: [UnsafeMutablePointer<CChar>?] = []
        var e = environ
        while let p = e.pointee { environment.append(strdup(p)); e += 1 }
        environment += env.map { strdup($0) } + [nil]
        defer { environment.forEach { free($0) } }
        // The test runner's threads may block signals; the child starts with none blocked and
        // the default actions, as from a shell.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t(), these = sigset_t()
        sigemptyset(&none)
        sigemptyset(&these)
        for sig in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&these, sig) }
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &these)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        guard posix_spawn(&pid, exe, &actions, &attr, argv, environment) == 0 else { return -1 }
        return pid
    }

    /// Waits up to 60 s for `path` to exist.
    static func waitFor(_ path: String) -> Bool {
        for _ in 0..<600 {
            if access(path, F_OK) == 0 { return true }
            usleep(100_000)
        }
        return false
    }

    /// Runs `w` until held, sends `sig`, and returns what is left in its output folder
    /// (and in its TMPDIR) and how it ended.
    static func interrupt(_ w: Writer, signal sig: Int32, named: Bool, toStandardOutput: Bool = false) -> (left: [String], signalled: Int32?) {
        let d = Tool.temporaryDirectory()
        defer { Tool.removeTree(d) }
        mkdir(d + "/out", 0o755); mkdir(d + "/tmp", 0o755)
        var env = ["ANSLAG_TEST_HOLD_OUTPUT=\(d)/held", "TMPDIR=\(d)/tmp", "SWIFT_BACKTRACE=enable=no"]
        if named { env.append("ANSLAG_NAMED_TEMPORARIES=1") }
        let args = w.args + (toStandardOutput ? ["--to", "xlsx"] : ["-o", d + "/out/" + w.output])
        let pid = spawn(w.tool, args, env: env, stdoutPath: toStandardOutput ? d + "/stdout.xlsx" : "/dev/null")
        guard pid > 0 else { return (["spawn failed"], nil) }
        let held = waitFor(d + "/held")
        if named && held {
            // The named temporary is there while held.
            let during = Hostile.names(in: toStandardOutput ? d + "/tmp" : d + "/out")
            if during.count != 1 || !during[0].contains(".anslag-") { kill(pid, SIGKILL); return (["during: \(during)"], nil) }
        }
        kill(pid, sig)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let signalled = (status & 0x7f) != 0 ? status & 0x7f : nil
        let left = Hostile.names(in: d + "/out") + Hostile.names(in: d + "/tmp").map { "tmp/" + $0 }
        return (held ? left : ["never held"] + left, signalled)
    }

    @Test(arguments: writers)
    func termIntAndHupLeaveNothing(_ w: Writer) throws {
        for named in [false, true] {
            for sig in [SIGTERM, SIGINT, SIGHUP] {
                let r = Self.interrupt(w, signal: sig, named: named)
                #expect(r.left == [], "\(w) \(named ? "named" : "unnamed") signal \(sig): \(r.left)")
                #expect(r.signalled == sig, "ended by the signal itself (re-raised), not an exit")
            }
        }
    }

    @Test func xlsxToStandardOutputLeavesNothingInTMPDIR() throws {
        let w = Writer(tool: "anslag-convert", args: [Tool.fixture("xlsx/basic.xlsx")], output: "-")
        for named in [false, true] {
            for sig in [SIGTERM, SIGINT, SIGHUP] {
                let r = Self.interrupt(w, signal: sig, named: named, toStandardOutput: true)
                #expect(r.left == [], "\(named ? "named" : "unnamed") signal \(sig): \(r.left)")
                #expect(r.signalled == sig)
            }
        }
    }

    /// SIGKILL cannot be caught. What it leaves, documented: nothing with unnamed temporaries
    /// (the default on Linux); the one named temporary beside the target where the file system
    /// has no O_TMPFILE.
    @Test func killLeavesNothingUnnamedAndTheNamedTemporaryOtherwise() throws {
        let w = Writer(tool: "anslag-convert", args: [Tool.fixture("xlsx/basic.xlsx")], output: "out.xlsx")
        let unnamed = Self.interrupt(w, signal: SIGKILL, named: false)
        #expect(unnamed.left == [])
        #expect(unnamed.signalled == SIGKILL)
        let named = Self.interrupt(w, signal: SIGKILL, named: true)
        #expect(named.left.count == 1 && named.left[0].hasPrefix(".out.xlsx.anslag-"), "\(named.left)")
        let stdout = Self.interrupt(w, signal: SIGKILL, named: false, toStandardOutput: true)
        #expect(stdout.left == [])
    }

    /// `nohup`: an ignored SIGHUP stays ignored, and the output is written.
    @Test func anIgnoredHangupStaysIgnored() throws {
        let d = Tool.temporaryDirectory()
        defer { Tool.removeTree(d) }
        let pid = Self.spawn("/bin/sh", ["-c", "trap '' HUP; exec \"$0\" \"$@\"", Tool.binDirectory + "/anslag-convert",
                                         Tool.fixture("xlsx/basic.xlsx"), "-o", d + "/o.csv"],
                             env: ["ANSLAG_TEST_HOLD_OUTPUT=\(d)/held", "SWIFT_BACKTRACE=enable=no"], absolute: true)
        #expect(Self.waitFor(d + "/held"))
        kill(pid, SIGHUP)
        usleep(200_000)
        unlink(d + "/held")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(status == 0)
        #expect(Hostile.names(in: d) == ["o.csv"])
    }
}
