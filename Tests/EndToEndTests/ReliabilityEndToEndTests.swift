import Testing
import AnslagCore
import AnslagTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Issue 14 end to end: hostile sizes exit 2 at once with one line under a 4 GiB address-space
/// cap; signals leave no temporary behind; no file a run reads is ever written over; a full
/// disk is one line. The hostile files come from Scripts/fixtures/reliability.py.
enum Hostile {
    /// The files, made once per test process.
    static let dir: String = {
        let d = Tool.temporaryDirectory()
        let r = try? Tool.runAny("python3", [Tool.root + "/Scripts/fixtures/reliability.py", d])
        precondition(r?.status == 0, "reliability.py failed: \(r?.stderr ?? "")")
        return d
    }()
    static func file(_ name: String) -> String { dir + "/" + name }

    /// Runs a tool under `ulimit -v` 4 GiB; returns the result and the seconds it took.
    static func capped(_ tool: String, _ args: [String], stdin: String? = nil) throws -> (Tool.Result, Double) {
        let t0 = now()
        let r = try Tool.run("/bin/sh", ["-c", "ulimit -v 4194304; exec \"$0\" \"$@\"", Tool.binDirectory + "/" + tool] + args,
                             stdin: stdin, absolute: true)
        return (r, now() - t0)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func names(in dir: String) -> [String] { TestFiles.names(in: dir) }

    static func bytes(_ path: String) -> [UInt8] { (try? FileInput.read(path: path)) ?? [] }
}

@Suite("reliability end to end")
struct ReliabilityEndToEndTests {
    struct Case: CustomStringConvertible, Sendable {
        let tool: String, args: [String], message: String
        var stdin: String? = nil
        var description: String { "\(tool) \(args.map { $0.split(separator: "/").last.map(String.init) ?? $0 }.joined(separator: " "))" }
    }

    static let refusals: [Case] = [
        Case(tool: "anslag-convert", args: [Hostile.file("wide-line.csv")],
             message: "wide-line.csv: row 1: refused: more than 16384 fields in one record (past column XFD, the last a sheet has)"),
        Case(tool: "anslag-import", args: [Hostile.file("wide-line.csv")],
             message: "wide-line.csv: row 1: refused: more than 16384 fields in one record (past column XFD, the last a sheet has)"),
        Case(tool: "anslag-convert", args: [Hostile.file("xfd-plus-one.csv"), "--to", "json"],
             message: "xfd-plus-one.csv: row 1: refused: more than 16384 fields in one record (past column XFD, the last a sheet has)"),
        Case(tool: "anslag-convert", args: [Hostile.file("long-record.csv")],
             message: "long-record.csv: row 2: refused: a record longer than 16 MiB (quotes included; an unterminated quote runs to the end of the file)"),
        Case(tool: "anslag-import", args: [Hostile.file("empty.csv")], message: "empty.csv: the file is empty (0 bytes)"),
        Case(tool: "anslag-import", args: ["-"], message: "<stdin>: the file is empty (0 bytes)", stdin: ""),
        Case(tool: "anslag-convert", args: [Hostile.file("empty.csv")], message: "empty.csv: the file is empty (0 bytes)"),
        Case(tool: "anslag-import", args: [Hostile.file("empty.xlsx")], message: "empty.xlsx: the file is empty (0 bytes)"),
        Case(tool: "anslag-allocate", args: [Hostile.file("empty-rules.json")], message: "empty-rules.json: the rule file is empty"),
        Case(tool: "anslag-allocate", args: [Hostile.file("blank-rules.yaml")], message: "blank-rules.yaml: the rule file is empty"),
        Case(tool: "anslag-import", args: [Tool.fixture("budget/list-ok.xlsx"), "--layout", Hostile.file("empty-layout.yaml")],
             message: "empty-layout.yaml: the layout file is empty"),
        Case(tool: "anslag-allocate", args: [Hostile.file("big.json")], message: "big.json: refused: input larger than 16 MiB"),
        Case(tool: "anslag-allocate", args: [Hostile.file("deep-flow.yaml")],
             message: "deep-flow.yaml:1: refused: nested more than 256 levels deep (the limit for YAML files)"),
        Case(tool: "anslag-allocate", args: [Hostile.file("deep-block.yaml")],
             message: "deep-block.yaml:1000: refused: nested more than 256 levels deep (the limit for YAML files)"),
    ]

    @Test(arguments: refusals)
    func hostileInputExitsTwoAtOnceWithOneLine(_ c: Case) throws {
        let (r, seconds) = try Hostile.capped(c.tool, c.args, stdin: c.stdin)
        #expect(r.status == 2, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("\(c.tool): ") && r.stderr.hasSuffix(c.message + "\n"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        // A debug build on a shared machine; the release build is several times faster.
        #expect(seconds < 3, "took \(seconds) s")
    }

    @Test func aRowExactlyAsWideAsASheetIsRead() throws {
        let (r, _) = try Hostile.capped("anslag-convert", [Hostile.file("xfd-exact.csv")])
        #expect(r.status == 0)
        #expect(r.stdout == Array(repeating: "v", count: 16_384).joined(separator: ",") + "\r\n")
    }

    // MARK: Inputs are never overwritten

    /// A copy of the rule fixtures (and a batch) to write beside.
    static func rulesCopy() -> String {
        let d = Tool.temporaryDirectory()
        _ = system("cp '\(Tool.root)/Fixtures/rules/'* '\(d)/'")
        return d
    }

    struct Overwrite: CustomStringConvertible, Sendable {
        let tool: String, args: [String], target: String
        var description: String { "\(tool) \(args.joined(separator: " ")) -o \(target)" }
    }

    static let overwrites: [Overwrite] = [
        Overwrite(tool: "anslag-allocate", args: ["fixed-exceptions.yaml"], target: "storstadslan.csv"),
        Overwrite(tool: "anslag-allocate", args: ["column-basis.yaml"], target: "basis-small.csv"),
        Overwrite(tool: "anslag-allocate", args: ["population.yaml"], target: "population-2023.csv"),
        Overwrite(tool: "anslag-allocate", args: ["nested.yaml"], target: "vg-kommunalforbund.csv"),
        Overwrite(tool: "anslag-allocate", args: ["equal-thirds.yaml", "--population", "population-2023.csv", "--to", "json"], target: "population-2023.csv"),
        Overwrite(tool: "anslag-allocate", args: ["equal-thirds.yaml", "--check", "stated-thirds.csv"], target: "stated-thirds.csv"),
        Overwrite(tool: "anslag-allocate", args: ["equal-thirds.yaml", "--to", "xlsx"], target: "equal-thirds.yaml"),
        Overwrite(tool: "anslag-import", args: ["layout-input.xlsx", "--layout", "layout.yaml"], target: "layout.yaml"),
        Overwrite(tool: "anslag-import", args: ["layout-input.xlsx", "--report", "xlsx"], target: "layout-input.xlsx"),
        Overwrite(tool: "anslag-reconcile", args: ["--allocation", "allocation.csv", "batch"], target: "batch/Borås budget 2025.xlsx"),
        Overwrite(tool: "anslag-reconcile", args: ["--allocation", "allocation.csv", "batch", "--map", "map.csv"], target: "map.csv"),
        Overwrite(tool: "anslag-reconcile", args: ["--allocation", "allocation.csv", "batch"], target: "allocation.csv"),
        Overwrite(tool: "anslag-reconcile", args: ["--allocation", "equal-thirds.yaml", "batch", "--population", "population-2023.csv"], target: "population-2023.csv"),
    ]

    @Test(arguments: overwrites)
    func noFileTheRunReadsIsWrittenOverEvenWithForce(_ o: Overwrite) throws {
        let d = Self.rulesCopy()
        defer { Tool.removeTree(d) }
        _ = system("cp '\(Tool.root)/Fixtures/budget/list-ok.xlsx' '\(d)/layout-input.xlsx' && cp '\(Tool.root)/Fixtures/budget/odd-total-layout.yaml' '\(d)/layout.yaml'"
            + " && mkdir '\(d)/batch' && cp '\(Tool.root)/Fixtures/reconcile/batch/Sjuhärad/'Bor* '\(d)/batch/' && cp '\(Tool.root)/Fixtures/reconcile/allocation.csv' '\(d)/'"
            + " && printf 'Borås budget 2025.xlsx;Borås\\n' > '\(d)/map.csv'")
        let before = Hostile.bytes(d + "/" + o.target)
        #expect(!before.isEmpty)
        let cd = "cd '\(d)' && exec \"$0\" \"$@\""
        for force in [true, false] {
            let r = try Tool.run("/bin/sh", ["-c", cd, Tool.binDirectory + "/" + o.tool] + o.args + ["-o", o.target] + (force ? ["--force"] : []), absolute: true)
            #expect(r.status == 2, "\(r.stderr)")
            #expect(r.stderr == "\(o.tool): \(o.target): refusing to write the output over an input file\n", "\(r.stderr)")
            #expect(Hostile.bytes(d + "/" + o.target) == before)
        }
        #expect(Hostile.names(in: d).allSatisfy { !$0.contains(".anslag-") })
    }

    /// Identity, not name: a hard link to an input is the input.
    @Test func aHardLinkToAnInputIsTheInput() throws {
        let d = Self.rulesCopy()
        defer { Tool.removeTree(d) }
        #expect(link(d + "/storstadslan.csv", d + "/same.csv") == 0)
        let r = try Tool.run("/bin/sh", ["-c", "cd '\(d)' && exec \"$0\" \"$@\"", Tool.binDirectory + "/anslag-allocate",
                                         "fixed-exceptions.yaml", "-o", "same.csv", "--force"], absolute: true)
        #expect(r.status == 2)
        #expect(r.stderr == "anslag-allocate: same.csv: refusing to write the output over an input file\n")
        // And a file the run does not read is replaced with --force.
        let ok = try Tool.run("/bin/sh", ["-c", "cd '\(d)' && exec \"$0\" \"$@\"", Tool.binDirectory + "/anslag-allocate",
                                          "fixed-exceptions.yaml", "-o", "shares.yaml", "--force"], absolute: true)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(Hostile.bytes(d + "/shares.yaml").starts(with: Array("{".utf8)))
    }

    // MARK: A full disk

    /// A 64 KiB tmpfs, when the tests run as root and may mount one; nil otherwise.
    static func tinyDisk() -> String? {
        guard geteuid() == 0 else { return nil }
        let d = Tool.temporaryDirectory()
        guard system("mount -t tmpfs -o size=64k anslag-full '\(d)' 2>/dev/null") == 0 else { Tool.removeTree(d); return nil }
        return d
    }

    static let fullDiskCases: [Case] = [
        Case(tool: "anslag-convert", args: [Hostile.file("many-cells.csv"), "--to", "xlsx"], message: "out.xlsx"),
        Case(tool: "anslag-convert", args: [Hostile.file("many-cells.csv"), "--to", "json"], message: "out.json"),
        Case(tool: "anslag-convert", args: [Hostile.file("many-cells.csv"), "--to", "xlsx"], message: "-"),
    ]

    /// Full disk: one line naming the output the user gave and the system's reason, nothing
    /// left on the disk (libxlsxwriter's own [ERROR] lines are captured).
    @Test(.enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"), arguments: fullDiskCases)
    func aFullDiskIsOneLineNamingTheOutput(_ c: Case) throws {
        guard let disk = Self.tinyDisk() else {
            Issue.record("could not mount a 64 KiB tmpfs as root")
            return
        }
        defer { _ = system("umount '\(disk)'"); Tool.removeTree(disk) }
        let toStdout = c.message == "-"
        let target = disk + "/" + c.message
        let r = toStdout
            ? try Tool.run("/bin/sh", ["-c", "TMPDIR='\(disk)' exec \"$0\" \"$@\" > /dev/null", Tool.binDirectory + "/" + c.tool] + c.args, absolute: true)
            : try Tool.run(c.tool, c.args + ["-o", target])
        #expect(r.status == 2)
        #expect(r.stderr == "\(c.tool): \(toStdout ? "<stdout>" : target): cannot write: No space left on device\n")
        #expect(Hostile.names(in: disk) == [])
    }
}
