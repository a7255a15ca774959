import Testing
import PropertyBased
@testable import AnslagCore

/// The quota's floor and whether it is exact, computed here without Anslag's code.
private func floorQuota(_ total: Int64, _ basis: Int64, _ sum: Int64) -> (Int64, Bool) {
    let p = Int128(total) * Int128(basis)
    return (Int64(p / Int128(sum)), p % Int128(sum) == 0)
}

private let inputs = Gen.int64(in: 0...2_000_000_000_000)
private let bases = Gen.int64(in: 0...12_000_000).array(of: 1...40)

@Suite("Apportion (largest remainder), properties")
struct ApportionPropertyTests {
    static func run(_ total: Int64, _ b: [Int64], order: [Int]? = nil) throws -> [Int64] {
        let idx = order ?? Array(b.indices)
        let (shares, _) = try Apportion.split(total, bases: idx.map { Int128(b[$0]) }, ids: idx.map { "r\($0 + 1000)" })
        var out = [Int64](repeating: 0, count: b.count)
        for (k, i) in idx.enumerated() { out[i] = shares[k].amount }
        return out
    }

    @Test func sumsExactlyAndEachAmountIsFloorOrCeilOfItsQuota() async {
        await propertyCheck(count: 300, input: inputs, bases) { total, b in
            guard b.reduce(0, +) > 0 else { return }
            let sum = b.reduce(0, +)
            let a = try! Self.run(total, b)
            #expect(a.reduce(0, +) == total)
            var ceilings = 0
            var floors: Int64 = 0
            for i in b.indices {
                let (f, exact) = floorQuota(total, b[i], sum)
                floors += f
                #expect(a[i] == f || (!exact && a[i] == f + 1))
                if a[i] == f + 1 { ceilings += 1 }
            }
            // The number of ceilings is the residual left by rounding every quota down.
            #expect(Int64(ceilings) == total - floors)
        }
    }

    @Test func monotonicInBasis() async {
        await propertyCheck(count: 300, input: inputs, bases) { total, b in
            guard b.reduce(0, +) > 0 else { return }
            let a = try! Self.run(total, b)
            for i in b.indices { for j in b.indices where b[i] > b[j] { #expect(a[i] >= a[j]) } }
        }
    }

    @Test func invariantUnderRecipientOrder() async {
        await propertyCheck(count: 200, input: inputs, bases, Gen.int(in: 0...1_000_000)) { total, b, seed in
            guard b.reduce(0, +) > 0 else { return }
            var order = Array(b.indices)
            var s = UInt64(seed) &+ 0x9E3779B97F4A7C15
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                s = s &* 6364136223846793005 &+ 1442695040888963407
                order.swapAt(i, Int((s >> 33) % UInt64(i + 1)))
            }
            #expect(try! Self.run(total, b) == (try! Self.run(total, b, order: order)))
        }
    }

    @Test func floorRoundingLeavesTheResidual() async {
        await propertyCheck(count: 200, input: inputs, bases) { total, b in
            guard b.reduce(0, +) > 0 else { return }
            let (shares, _) = try! Apportion.split(total, bases: b.map { Int128($0) }, ids: b.indices.map { "\($0)" }, rounding: .floorReportResidual)
            let sum = b.reduce(0, +)
            #expect(shares.map(\.amount) == b.map { floorQuota(total, $0, sum).0 })
            #expect(total - shares.reduce(0) { $0 + $1.amount } < Int64(b.count))
        }
    }
}

@Suite("Apportion, worked examples")
struct ApportionExampleTests {
    @Test func equalThirdsTieBrokenByCode() throws {
        let (s, _) = try Apportion.split(10_000_000, bases: [1, 1, 1], ids: ["c", "a", "b"])
        // Equal remainders and bases: the lowest id ("a") gets the krona.
        #expect(s.map(\.amount) == [3_333_333, 3_333_334, 3_333_333])
    }

    @Test func tieBrokenByLargerBasisFirst() throws {
        // 10 × 1/4 = 2.5 and 10 × 3/4 = 7.5: equal remainders (1/2); the larger basis wins.
        let (s, _) = try Apportion.split(10, bases: [1, 3], ids: ["a", "b"])
        #expect(s.map(\.amount) == [2, 8])
        let (c, _) = try Apportion.split(10, bases: [1, 3], ids: ["a", "b"], tieBreak: .code)
        #expect(c.map(\.amount) == [3, 7])
    }

    @Test func zeroBasisIsRefused() {
        #expect(throws: Apportion.Problem.zeroBasis) { try Apportion.split(100, bases: [0, 0], ids: ["a", "b"]) }
        #expect(throws: Apportion.Problem.negative) { try Apportion.split(-1, bases: [1], ids: ["a"]) }
    }

    @Test func quotaTextIsExact() {
        let q = Quota(whole: 3_333_333, remainder: 1, denominator: 3)
        #expect(q.fraction == "10000000/3")
        #expect(q.decimal() == "3333333.333333333")
        #expect(Quota(fraction: "10000000/3") == q)
        #expect(Quota(whole: 5, remainder: 2, denominator: 8).decimal() == "5.25")
        #expect(Fraction("1/3")?.description == "1/3")
        #expect(Fraction("25 %")?.description == "1/4")
        #expect(Fraction("0,5")?.description == "1/2")
        #expect(Fraction("-1/2") == nil)
    }
}

@Suite("Rule files: bad input names the rule and the field")
struct RuleErrorTests {
    func error(_ yaml: String, population: PopulationTable? = nil) -> String {
        do {
            let set = try RuleFile.parse(bytes: Array(yaml.utf8), file: "r.yaml", directory: packageRoot + "/Fixtures/rules")
            _ = try Allocator(set: set, population: population.map { PopulationBases(table: $0, file: "pop.csv") }).allocate()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    static let pop: PopulationTable = {
        var t = PopulationTable(metadata: .init(source: "pop.csv"), dimensions: ["region", "period"])
        t.observations = [Observation(keys: ["0114", "2023M10"], value: 100, line: 1), Observation(keys: ["0115", "2023M10"], value: 0, line: 2)]
        return t
    }()

    @Test func unknownRecipientCode() {
        #expect(error("name: A\ntotal: 10\nrecipients: ['01', '99']\nkey: equal\n")
                == "r.yaml:3: rule \"A\": recipients[1]: unknown recipient code 99 (not a län or kommun code)")
    }

    @Test func negativeTotal() {
        #expect(error("name: A\ntotal: -5\nrecipients: lan\nkey: equal\n") == "r.yaml:2: rule \"A\": total: the total is negative (-5 kr)")
    }

    @Test func fixedPartsExceedingTheTotal() {
        #expect(error("name: A\ntotal: 100\nrecipients:\n  - {name: X, amount: 80}\n  - {name: Y, amount: 30}\nkey: equal\n")
                == "r.yaml: rule \"A\": the fixed amounts (110 kr) exceed the total (100 kr)")
        #expect(error("name: A\ntotal: 100\nrecipients: ['01', '03']\nkey: {kind: fixed, amount: 60}\n")
                == "r.yaml: rule \"A\": key: the fixed amounts (2 recipients, 120 kr) exceed the 100 kr total")
    }

    @Test func basisOfZero() {
        #expect(error("name: A\ntotal: 100\nrecipients: ['0115']\nkey: population\n", population: Self.pop)
                == "r.yaml: rule \"A\": key: the basis sums to zero over the recipients, so 100 kr cannot be split by it")
    }

    @Test func periodMissingFromThePopulation() {
        #expect(error("name: A\ntotal: 100\nrecipients: ['0114']\nkey: {kind: proportional, period: 2022M10}\n", population: Self.pop)
                == "r.yaml: rule \"A\": key: pop.csv: the table has no period 2022M10; it has 2023M10")
    }

    @Test func duplicateRecipients() {
        #expect(error("name: A\ntotal: 100\nrecipients: ['0114', '0114']\nkey: equal\n") == "r.yaml:3: rule \"A\": recipients[1]: 0114 is listed twice")
    }

    @Test func cyclesInNesting() {
        let yaml = """
            rules:
              - name: A
                total: 100
                recipients: [{name: X, rule: B}, {name: Y}]
                key: equal
              - name: B
                recipients: [{name: Z, rule: A}]
                key: equal
            """
        #expect(error(yaml) == "r.yaml: rule \"A\": rules[0]: rules nest in a cycle: A → B → A")
    }

    @Test func unknownFieldAndMissingPopulation() {
        #expect(error("name: A\ntotal: 100\nrecipients: lan\nkey: {kind: proportional, agee: 0-25}\n")
                == "r.yaml:4: rule \"A\": key: unknown field \"agee\"; known fields: kind, basis, age, sex, period, base, amount, exceptions, file, column, where")
        #expect(error("name: A\ntotal: 100\nrecipients: lan\nkey: population\n")
                == "r.yaml: rule \"A\": key: this key needs population figures")
    }

    @Test func sharesMustAddUpToOne() {
        #expect(error("name: A\ntotal: 100\nrecipients: [{name: X, share: 1/3}, {name: Y, share: 1/3}]\nkey: shares\n")
                == "r.yaml: rule \"A\": key: the shares add up to 2/3, not 1")
    }

    @Test func aliasBombIsRefused() {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var prev = "a"
        for n in ["b", "c", "d", "e", "f", "g", "h"] {
            yaml += "\(n): &\(n) [" + Array(repeating: "*\(prev)", count: 10).joined(separator: ", ") + "]\n"
            prev = n
        }
        #expect(error(yaml).contains("too many values"))
    }
}

@Suite("Population bases")
struct PopulationBasesTests {
    /// SCB's usual shape: region × single ages (oldest open) × sex × period.
    static let table: PopulationTable = {
        var t = PopulationTable(metadata: .init(source: "t"), dimensions: ["region", "age", "sex", "period"])
        var seed: UInt64 = 7
        for region in ["1060", "1080", "1081", "1082", "1083"] {
            for age in (0...11).map({ $0 == 11 ? "11+" : String($0) }) {
                for sex in ["male", "female"] {
                    for period in ["2022M10", "2023M10"] {
                        seed = seed &* 6364136223846793005 &+ 1442695040888963407
                        t.observations.append(Observation(keys: [region, age, sex, period], value: Int64(seed >> 50), line: 0))
                    }
                }
            }
        }
        return t
    }()

    @Test func theSingleAgeIndexAgreesWithTheGeneralQuery() throws {
        let index = try #require(SingleAgeIndex(Self.table))
        for band in ["total", "0-5", "3", "0-10", "6+", "11+", "2-9"] {
            for sex in ["total", "male", "female"] {
                let fast = try #require(try index.values(period: "2023M10", ages: PopulationQuery.Ages(band)!, sex: sex, file: "t"))
                let slow = try PopulationQuery(period: "2023M10", ages: PopulationQuery.Ages(band)!, sex: sex).apply(Self.table)
                var expected: [String: Int64] = [:]
                for o in slow.observations { expected[o.keys[0]] = o.value }
                #expect(fast == expected, "\(band) \(sex)")
            }
        }
        // A band the open group straddles goes to the general path, which refuses it.
        #expect(try index.values(period: "2023M10", ages: .band(5, 12), sex: "total", file: "t") == nil)
    }

    @Test func eachQuestionIsAnsweredOnce() throws {
        let bases = PopulationBases(table: Self.table, file: "t")
        let b = PopulationBasis(period: "2022M10", ages: "0-5", sex: "total")
        let first = try bases.values(b)
        #expect(try bases.values(b) == first)
        _ = try bases.values(PopulationBasis(period: "2022M10", ages: "6+", sex: "total"))
        #expect(bases.queries == 2)
        // Län 10 (Blekinge) is summed from its five kommuner.
        #expect(first["10"] == ["1060", "1080", "1081", "1082", "1083"].reduce(0) { $0 + first[$1]! })
    }
}

@Suite("Allocation JSON and rule files")
struct AllocationRoundTripTests {
    static func allocate(_ file: String) throws -> Allocation {
        let set = try RuleFile.read(path: fixture("rules/" + file))
        let bases = try set.populationFile.map { PopulationBases(table: try importPopulation(.path($0)).table, file: $0) }
        return try Allocator(set: set, population: bases).allocate()
    }

    @Test(arguments: ["nested.yaml", "base-rest.yaml", "shares.yaml", "fixed-first.yaml", "floor-residual.yaml", "kommuner-in.yaml"])
    func importOfExportIsTheSameAllocation(_ file: String) throws {
        let a = try Self.allocate(file)
        let bytes = AllocationWriter.json(a).bytes()
        guard case .allocation(let back) = try NormalizedJSON.read(bytes: bytes, file: "a.json") else {
            Issue.record("not read back as an allocation"); return
        }
        #expect(back == a)
    }

    @Test func aJSONRuleFileMeansTheSameAsItsYAML() throws {
        let json = """
            {"name": "Tredjedelar", "total": "10 000 000 kr",
             "recipients": [{"name": "Kommunalförbunden"}, {"name": "Vårdsamverkan"}, {"name": "Regionen"}],
             "key": "equal"}
            """
        let fromJSON = try Allocator(set: RuleFile.parse(bytes: Array(json.utf8), file: "r.json"), population: nil).allocate()
        var fromYAML = try Self.allocate("equal-thirds.yaml")
        fromYAML.rulesFile = "r.json"
        #expect(fromJSON == fromYAML)
    }

    @Test func wrongAllocationJSONNamesThePath() throws {
        var text = String(decoding: AllocationWriter.json(try Self.allocate("equal-thirds.yaml")).bytes(), as: UTF8.self)
        text = text.replacingFirst("\"quota_exact\": \"10000000/3\"", with: "\"quota_exact\": \"10000001/3\"")
        #expect(throws: ReadError.malformed(file: "a.json", part: "$.rules[0].recipients[0].quota", detail: "expected 3333333.666666666, the decimal of quota_exact")) {
            try NormalizedJSON.read(bytes: Array(text.utf8), file: "a.json")
        }
    }
}

extension String {
    func replacingFirst(_ a: String, with b: String) -> String {
        guard let r = range(of: a) else { return self }
        return replacingCharacters(in: r, with: b)
    }
}
