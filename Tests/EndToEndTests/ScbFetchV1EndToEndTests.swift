import Testing
import AnslagCore

/// `anslag-scb fetch` and rule files through PxWeb API v1 (GET metadata, POST a JSON query)
/// against the local stand-in; expected figures come from the server's own `value()`
/// (`pxweb_server.py --expect`) and from Scripts/fixtures/agreement_2024.py, never from Anslag.
@Suite("anslag-scb fetch and rule files against a local PxWeb API v1", .serialized)
struct ScbFetchV1EndToEndTests {
    static let table = "BE/BE0101/BE0101A/BefolkningNy"

    /// value(region, civ, age, sex, period, contents) for ages lo…hi, by the server's script.
    static func expected(_ args: [String]) throws -> [Int64] {
        let r = try Tool.runAny("python3", [Tool.root + "/Scripts/fixtures/pxweb_server.py", "--expect"] + args)
        return r.stdout.split(separator: "\n").compactMap { Int64($0) }
    }

    @Test func aTableGivenByItsV1PathIsFetchedByPostWithExactFiguresThenFromTheCache() throws {
        let server = try PxWebServer()
        let cache = Tool.temporaryDirectory()
        defer { Tool.removeTree(cache) }
        // --api is the v2 base: the path (it has slashes) sends the fetch to --api-v1.
        func fetch(_ region: String) throws -> Tool.Result {
            try Tool.run("anslag-scb", ["fetch", Self.table, "--api", server.api, "--api-v1", server.v1, "--cache", cache, "--region", region, "--period", "2023M10",
                                        "--age", "0-25", "--sex", "female", "--where", "civilstand=ogifta", "--where", "ContentsCode=Folkmängd", "--to", "csv"])
        }
        let r = try fetch("14")
        #expect(r.status == 0, "\(r.stderr)")
        let values = r.stdout.split(separator: "\r\n").dropFirst().compactMap { Int64($0.split(separator: ",", omittingEmptySubsequences: false)[6]) }
        let want = try Self.expected(["14", "OG", "2", "2023M10", "BE0101N1", "0", "25"])
        #expect(want.count == 26)
        #expect(values == want)
        // ?config, the metadata (GET), one data POST; no v2 request.
        #expect(try server.requests() == 3)
        // The same query again: from the cache, the same bytes, nothing sent.
        let again = try fetch("14")
        #expect(again.status == 0)
        #expect(again.stdout == r.stdout)
        #expect(try server.requests() == 3)
        // Another selection is another POST body, so another cache entry: one request more
        // (the limits and the metadata are kept).
        let other = try fetch("01")
        #expect(other.status == 0)
        let otherValues = other.stdout.split(separator: "\r\n").dropFirst().compactMap { Int64($0.split(separator: ",", omittingEmptySubsequences: false)[6]) }
        #expect(otherValues == (try Self.expected(["01", "OG", "2", "2023M10", "BE0101N1", "0", "25"])))
        #expect(try server.requests() == 4)
        // As served: v1's JSON-stat 2.0 bytes.
        let served = try Tool.run("anslag-scb", ["fetch", Self.table, "--api", server.v1, "--cache", cache, "--region", "lan", "--period", "2023M10",
                                                 "--where", "contents=BE0101N1", "--served"])
        #expect(served.status == 0, "\(served.stderr)")
        #expect(served.stdout.hasPrefix("{\"version\": \"2.0\", \"class\": \"dataset\""))
    }

    @Test func theAgreementRuleFileAllocatesThroughV1InPagesThenFromTheCache() throws {
        let server = try PxWebServer(["--max-cells", "1000", "--throttle"])
        let dir = Tool.temporaryDirectory()
        defer { Tool.removeTree(dir) }
        // The agreement's rule file with the table named by its v1 path.
        let rules = dir + "/agreement-v1.yaml"
        let write = try Tool.runAny("python3", ["-c", "import sys; t=open(sys.argv[1], encoding='utf-8').read(); n=t.replace('scb: BE0101N1,', 'scb: \(Self.table),'); assert n != t; open(sys.argv[2], 'w', encoding='utf-8').write(n)",
                                                Tool.fixture("rules/fetch/agreement-2024.yaml"), rules])
        #expect(write.status == 0, "\(write.stderr)")
        let cache = dir + "/cache"
        let out = dir + "/a.json"
        // --api is a v1 base here: every table is asked through v1.
        let args = [rules, "--api", server.v1, "--cache", cache, "-o", out, "--force", "--stats"]
        let first = try Tool.run("anslag-allocate", args)
        #expect(first.status == 0, "\(first.stderr)")
        // 4 284 cells (21 län × 102 ages × 2 sexes) under ?config's maxValues 1 000: 8 POSTs;
        // the first is refused once with 429 and Retry-After: ?config + metadata + 8 + 1 retry.
        #expect(first.stderr.contains("8 page(s), 11 request(s) sent"), "\(first.stderr)")
        #expect(try server.requests() == 11)
        guard let a = try ScbFetchEndToEndTests.expectAgreement(out) else { return }
        #expect(a.population?.source.contains(server.v1) == true, "\(String(describing: a.population?.source))")
        // The second run is served from the cache: not one request reaches the server.
        let second = try Tool.run("anslag-allocate", args)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("8 page(s), 0 request(s) sent"))
        #expect(try server.requests() == 11)
        #expect(try Tool.run("anslag-allocate", args + ["--offline"]).status == 0)
        #expect(try server.requests() == 11)
        // Offline with an empty cache: refused, naming the query and the v1 address.
        let empty = dir + "/empty"
        let offline = try Tool.run("anslag-allocate", [rules, "--api", server.v1, "--cache", empty, "--offline"])
        #expect(offline.status == 2)
        #expect(offline.stderr == "anslag-allocate: \(rules): population: SCB \(Self.table) (period 2023M10, region lan, contents=Folkmängd): not in the cache (\(empty)) and --offline forbids fetching \(server.v1)/\(Self.table)\n")
    }

    @Test func v1ErrorsAreOneLineNamingTheQuery() throws {
        let server = try PxWebServer(["--max-cells", "100", "--config-max-cells", "100000"])
        let cache = Tool.temporaryDirectory()
        defer { Tool.removeTree(cache) }
        let t = Self.table
        let cases: [([String], String)] = [
            (["BE/NOPE"], "SCB BE/NOPE: unknown table (404): Page not found"),
            ([t, "--period", "2023M10", "--where", "contents=Folkmängd"], "SCB \(t) (period 2023M10, contents=Folkmängd): too many cells (403): The query resulted in cell that exceeds the number of allowed."),
            (["TEST/Stale", "--period", "2024M10", "--region", "01", "--where", "contents=BE0101N1"], "SCB TEST/Stale (period 2024M10, region 01, contents=BE0101N1): bad selection (400): Value, 2024M10 is not a valid value code for variable Tid"),
            ([t], "SCB \(t): the variable ContentsCode (tabellinnehåll) has several values (BE0101N1 Folkmängd, BE0101N2 Folkökning) and cannot be left out; choose one with --where ContentsCode=VALUE"),
            ([t, "--period", "2030M01", "--where", "contents=BE0101N1"], "SCB \(t) (period 2030M01, contents=BE0101N1): the table has no period 2030M01; it has 2022M10…2023M10"),
        ]
        for (args, message) in cases {
            let r = try Tool.run("anslag-scb", ["fetch"] + args + ["--api", server.v1, "--cache", cache, "--timeout", "5"])
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr == "anslag-scb fetch: \(message)\n")
        }
    }
}
