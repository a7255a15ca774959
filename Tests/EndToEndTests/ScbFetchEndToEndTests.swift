import Testing
#if canImport(Glibc)
import Glibc
#endif
import AnslagCore

/// The local PxWeb API v2 and v1 stand-in (Scripts/fixtures/pxweb_server.py) on 127.0.0.1, started
/// for one test and stopped after it; it counts the requests that reach it.
final class PxWebServer {
    let pid: pid_t
    let port: String
    let dir: String
    var api: String { "http://127.0.0.1:\(port)/api/v2" }
    /// The same server's PxWeb API v1 database (SCB's address shape).
    var v1: String { "http://127.0.0.1:\(port)/OV0104/v1/doris/sv/ssd" }

    init(_ extra: [String] = []) throws {
        dir = Tool.temporaryDirectory()
        let portFile = dir + "/port"
        let script = Tool.root + "/Scripts/fixtures/pxweb_server.py"
        let argv = (["/usr/bin/env", "python3", script, "--port-file", portFile] + extra).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The test's threads block signals and a child inherits the mask: unblock them, so the
        // server can be stopped.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK))
        var p: pid_t = 0
        guard posix_spawn(&p, "/usr/bin/env", nil, &attr, argv, environ) == 0 else { throw FetchError("cannot start the server") }
        pid = p
        var waited = 0
        while !Tool.exists(portFile) && waited < 200 { usleep(50_000); waited += 1 }
        port = String(decoding: (try? FileInput.read(path: portFile)) ?? [], as: UTF8.self)
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        Tool.removeTree(dir)
    }

    /// Requests that reached the server so far.
    func requests() throws -> Int {
        let r = try Tool.runAny("python3", ["-c", "import json,urllib.request; print(json.load(urllib.request.urlopen('http://127.0.0.1:\(port)/__count'))['requests'])"])
        return Int(r.stdout.filter(\.isNumber)) ?? -1
    }
}

@Suite("anslag-scb fetch and rule files against a local PxWeb API v2", .serialized)
struct ScbFetchEndToEndTests {
    /// A value of Scripts/fixtures/agreement_2024.py's expected file, read with Python.
    static func expected(_ path: String) throws -> String {
        let r = try Tool.runAny("python3", ["-c", "import json,sys; v=json.load(open(sys.argv[1]))\nfor k in sys.argv[2].split('/'): v=v[k]\nprint('\\n'.join(f'{a} {b}' for a, b in sorted(v.items())) if isinstance(v, dict) else v)",
                                            Tool.fixture("rules/fetch/agreement-2024-expected.json"), path])
        return r.stdout
    }

    /// The 2024 agreement's allocation written to `out`: its four rules with the 21 län's
    /// amounts exactly as the independent expected files give them, at 2023M10.
    static func expectAgreement(_ out: String) throws -> Allocation? {
        guard case .allocation(let a) = try NormalizedJSON.read(bytes: try FileInput.read(path: out), file: out) else {
            Issue.record("no allocation"); return nil
        }
        #expect(a.rules.count == 4)
        for rule in a.rules {
            let want = try amounts(rule.rule)
            #expect(want.count == 21, "\(rule.rule)")
            #expect(Dictionary(uniqueKeysWithValues: rule.recipients.map { ($0.code!, $0.amount) }) == want, "\(rule.rule)")
        }
        #expect(a.population?.referencePeriod == "2023M10 (vid respektive månads slut)")
        return a
    }

    static func amounts(_ rule: String) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for line in try expected("amounts/" + rule).split(separator: "\n") {
            let p = line.split(separator: " ")
            if p.count == 2, let v = Int64(p[1]) { out[String(p[0])] = v }
        }
        return out
    }

    @Test func theAgreementRuleFileAllocatesFromAFetchThenFromTheCache() throws {
        let server = try PxWebServer(["--max-cells", "1000", "--throttle"])
        let cache = Tool.temporaryDirectory()
        defer { Tool.removeTree(cache) }
        let out = cache + "/a.json"
        let args = [Tool.fixture("rules/fetch/agreement-2024.yaml"), "--api", server.api, "--cache", cache, "-o", out, "--force", "--stats"]
        let first = try Tool.run("anslag-allocate", args)
        #expect(first.status == 0, "\(first.stderr)")
        // 4 284 cells (21 län × 102 ages × 2 sexes) in pages of at most 1 000 (the region list
        // halved until a page fits: 8 pages); the first page is refused once with 429 and
        // Retry-After: config + metadata + 8 pages + 1 retry.
        #expect(first.stderr.contains("8 page(s), 11 request(s) sent"))
        #expect(try server.requests() == 11)
        guard let a = try Self.expectAgreement(out) else { return }
        #expect(a.population?.updated == "2024-02-22T07:00:00Z")
        // The second run is served from the cache: not one request reaches the server.
        let second = try Tool.run("anslag-allocate", args)
        #expect(second.status == 0)
        #expect(second.stderr.contains("8 page(s), 0 request(s) sent"))
        #expect(try server.requests() == 11)
        // Offline with the cache filled works; with an empty cache it refuses, saying so.
        #expect(try Tool.run("anslag-allocate", args + ["--offline"]).status == 0)
        let empty = cache + "/empty"
        let offline = try Tool.run("anslag-allocate", [Tool.fixture("rules/fetch/agreement-2024.yaml"), "--api", server.api, "--cache", empty, "--offline"])
        #expect(offline.status == 2)
        #expect(offline.stderr == "anslag-allocate: \(Tool.fixture("rules/fetch/agreement-2024.yaml")): population: SCB BE0101N1 (period 2023M10, region lan, contents=Folkmängd): not in the cache (\(empty)) and --offline forbids fetching \(server.api)/config\n")
        #expect(try server.requests() == 11)
    }

    @Test(.enabled(if: (try? Tool.runAny("python3", ["-c", "import yaml, jsonschema"]).status) == 0, "needs python3 with yaml and jsonschema"))
    func theAgreementRuleFileMatchesTheRuleSchema() throws {
        let r = try Tool.runAny("python3", ["-c", "import json, sys, yaml, jsonschema; jsonschema.validate(yaml.safe_load(open(sys.argv[2])), json.load(open(sys.argv[1])))",
                                            Tool.root + "/Schemas/allocation-rules.schema.json", Tool.fixture("rules/fetch/agreement-2024.yaml")])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func fetchSelectsAnyVariableByCodeOrText() throws {
        let server = try PxWebServer()
        let cache = Tool.temporaryDirectory()
        defer { Tool.removeTree(cache) }
        let r = try Tool.run("anslag-scb", ["fetch", "BE0101N1", "--api", server.api, "--cache", cache, "--region", "14", "--period", "2023M10",
                                            "--age", "0-25", "--sex", "female", "--where", "civilstand=ogifta", "--where", "ContentsCode=Folkmängd", "--to", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let values = r.stdout.split(separator: "\r\n").dropFirst().compactMap { Int64($0.split(separator: ",", omittingEmptySubsequences: false)[6]) }
        #expect(values.count == 26)
        #expect(String(values.reduce(0, +)) == (try Self.expected("ogifta_women_0_25_in_14")).filter(\.isNumber))
        // As served: SCB's JSON-stat bytes, which anslag-scb reads back to the same figures.
        let served = try Tool.run("anslag-scb", ["fetch", "BE0101N1", "--api", server.api, "--cache", cache, "--region", "lan", "--period", "2023M10",
                                                 "--where", "contents=BE0101N1", "--served"])
        #expect(served.status == 0)
        #expect(served.stdout.hasPrefix("{\"version\": \"2.0\", \"class\": \"dataset\""))
    }

    @Test func apiErrorsAreOneLineNamingTheQuery() throws {
        let server = try PxWebServer(["--max-cells", "100", "--config-max-cells", "100000"])
        let cache = Tool.temporaryDirectory()
        defer { Tool.removeTree(cache) }
        func fetch(_ args: [String]) throws -> Tool.Result {
            try Tool.run("anslag-scb", ["fetch"] + args + ["--api", server.api, "--cache", cache, "--timeout", "1"])
        }
        let cases: [([String], String)] = [
            (["NOPE"], "SCB NOPE: unknown table (404): Node with id, NOPE can not be found"),
            (["BE0101N1", "--period", "2023M10", "--where", "contents=Folkmängd"], "SCB BE0101N1 (period 2023M10, contents=Folkmängd): too many cells (403): The query resulted in cell that exceeds the number of allowed."),
            (["BE0101N1", "--period", "2030M01", "--where", "contents=BE0101N1"], "SCB BE0101N1 (period 2030M01, contents=BE0101N1): the table has no period 2030M01; it has 2022M10…2023M10"),
            (["BE0101N1"], "SCB BE0101N1: the variable ContentsCode (tabellinnehåll) has several values (BE0101N1 Folkmängd, BE0101N2 Folkökning) and cannot be left out; choose one with --where ContentsCode=VALUE"),
            (["BE0101N1", "--where", "civilstand=xx"], "SCB BE0101N1 (civilstand=xx): Civilstand has no value xx; it has OG ogifta, G gifta, SK skilda, ÄNKL änkor/änklingar"),
            (["BE0101N1", "--age", "0-200", "--where", "contents=Folkmängd"], "SCB BE0101N1 (age 0-200, contents=Folkmängd): the age group 100+ is open-ended; it cannot be split to fit 0-200; the table's ages are 0–99, 100+, total"),
            (["HTML"], "SCB HTML: \(server.api)/tables/HTML/metadata?lang=sv: the reply is not JSON (text/html; charset=utf-8)"),
            (["SLOW"], "SCB SLOW: no reply from \(server.api) within 1 s (--timeout)"),
        ]
        for (args, message) in cases {
            let r = try fetch(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr == "anslag-scb fetch: \(message)\n")
        }
    }

    @Test func hostileSizesExitTwoAtOnceUnderAFourGiBCap() throws {
        for name in ["px-heading-overflow.px", "px-stub-overflow.px", "jsonstat-size-overflow.json", "jsonstat-sparse-7000x7000.json"] {
            let file = Tool.fixture("scb/hostile/" + name)
            for tool in [["anslag-scb", file], ["anslag-allocate", Tool.fixture("rules/population.yaml"), "--population", file]] {
                let exe = Tool.binDirectory + "/" + tool[0]
                let t0 = clock()
                var ts0 = timespec(), ts1 = timespec()
                clock_gettime(CLOCK_MONOTONIC, &ts0)
                let r = try Tool.runAny("sh", ["-c", "ulimit -v 4194304; exec \"$0\" \"$@\"", exe] + tool.dropFirst())
                clock_gettime(CLOCK_MONOTONIC, &ts1)
                _ = t0
                let seconds = Double(ts1.tv_sec - ts0.tv_sec) + Double(ts1.tv_nsec - ts0.tv_nsec) / 1e9
                #expect(r.status == 2, "\(tool)")
                #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("refused"), "\(r.stderr)")
                #expect(seconds < 2, "\(tool): \(seconds) s")
            }
        }
    }
}
