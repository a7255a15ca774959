import Testing
@testable import AnslagCore

/// Issue 16: every query answers exactly what it asks or refuses; recipients as a set; dates
/// travel. Expected figures come from Scripts/fixtures/population_queries.py (Python's csv
/// module over the same file), never from Anslag.
@Suite("population basis: exact or refused")
struct PopulationBasisTests {
    static let file = fixture("rules/population-2023.csv")
    static let table = try! importPopulation(.path(file)).table
    static let expected: [String: [String: Int64]] = {
        guard let bytes = try? FileInput.read(path: fixture("rules/population-queries-expected.json")),
              case .object(let m)? = try? JSONValue.parse(bytes) else { return [:] }
        var out: [String: [String: Int64]] = [:]
        for member in m { out[member.key] = Dictionary(uniqueKeysWithValues: (member.value.members ?? []).map { ($0.0, Int64($0.1.int!)) }) }
        return out
    }()

    func answer(_ q: PopulationQuery) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        let t = try q.apply(Self.table)
        let r = t.index(of: "region")!
        for o in t.observations { out[o.keys[r]] = o.value }
        return out
    }

    @Test func acceptedQueriesAgreeWithPython() throws {
        #expect(Self.expected.count == 3)
        // 26+ is made of the table's bands 26-64 and 65+ exactly.
        #expect(try answer(PopulationQuery(period: "2023M10", ages: .band(26, nil), sex: "female")) == Self.expected["26+ women 2023M10"])
        // No total sex or age: men + women, and the bands 0-25, 26-64, 65+ that cover every age.
        #expect(try answer(PopulationQuery(period: "2022M10")) == Self.expected["total 2022M10"])
        #expect(try answer(PopulationQuery(period: "2023M10", ages: .band(0, 25), sex: "male")) == Self.expected["0-25 men 2023M10"])
    }

    @Test func ageBandsNotExactlyCoveredAreRefused() throws {
        #expect(throws: QueryError("the age band 26-64 straddles 0-30; the table's ages are 0-25, 26-64, 65+; choose a band the table's groups fit")) {
            try PopulationQuery(period: "2023M10", ages: .band(0, 30)).apply(Self.table)
        }
        #expect(throws: QueryError("the age band 0-25 straddles 20-30; the table's ages are 0-25, 26-64, 65+; choose a band the table's groups fit")) {
            try PopulationQuery(period: "2023M10", ages: .band(20, 30)).apply(Self.table)
        }
        // Single ages 20 and 21 do not make 20-30 (the gap is named).
        var t = PopulationTable(metadata: .init(source: "t"), dimensions: ["region", "age"])
        t.observations = [Observation(keys: ["0114", "20"], value: 5, line: 1), Observation(keys: ["0114", "21"], value: 6, line: 2)]
        #expect(throws: QueryError("20-30 is not covered exactly: the table has no age 22; the table's ages are 20–21")) {
            try PopulationQuery(ages: .band(20, 30)).apply(t)
        }
        #expect(try PopulationQuery(ages: .band(20, 21)).apply(t).observations.map(\.value) == [11])
        // Neither a total age nor ages that end in an open group: every age cannot be summed.
        #expect(throws: QueryError("every age (the table has no total age) is not covered exactly: the table has no age 0; the table's ages are 20–21")) {
            try PopulationQuery().apply(t)
        }
    }

    @Test func sexOnATableWithoutSexIsRefused() throws {
        let t = try importPopulation(.path(fixture("scb/code-dash-text-space.csv"))).table
        #expect(throws: QueryError("the table has no sex dimension (it has region, period); it cannot answer for women")) {
            try PopulationQuery(sex: "female").apply(t)
        }
        // Only men: no total and not both sexes, so the total is refused, not taken from men.
        var men = PopulationTable(metadata: .init(source: "t"), dimensions: ["region", "sex"])
        men.observations = [Observation(keys: ["0114", "male"], value: 5, line: 1)]
        #expect(throws: QueryError("the table's sex dimension has male: no total, and not both men and women to add up")) {
            try PopulationQuery().apply(men)
        }
    }

    @Test func periodsAndRegionsNotThereAreRefused() {
        #expect(throws: QueryError("the table has no period 2024M10; it has 2022M10, 2023M10")) {
            try PopulationQuery(period: "2024M10").apply(Self.table)
        }
        do { _ = try PopulationQuery(period: "2023M10", regions: ["9999"]).apply(Self.table); Issue.record("no refusal") }
        catch { #expect("\(error)".hasPrefix("the table has no region 9999; it has 290 regions (0114, ")) }
    }

    static let civil: PopulationTable = {
        var t = PopulationTable(metadata: .init(source: "px"), dimensions: ["region", "period", "civilstand"])
        t.metadata.valueLabels = ["civilstand": ["OG": "ogifta", "G": "gifta"]]
        t.observations = [Observation(keys: ["0114", "2023", "OG"], value: 7, line: 1), Observation(keys: ["0114", "2023", "G"], value: 9, line: 2)]
        return t
    }()

    @Test func otherDimensionsAreChosenByCodeOrTextOrRefused() throws {
        #expect(try PopulationQuery(selections: ["civilstand": "ogifta"]).apply(Self.civil).observations.map(\.value) == [7])
        #expect(try PopulationQuery(selections: ["Civilstånd": "G"]).apply(Self.civil).observations.map(\.value) == [9])
        #expect(throws: QueryError("the table has a dimension civilstand with several values (OG ogifta, G gifta) and no total",
                                   remedy: .chooseValue(dimension: "civilstand"))) {
            try PopulationQuery().apply(Self.civil)
        }
        // The core names no option; a rule file's key says what to choose.
        #expect(QueryError("x", remedy: .chooseValue(dimension: "civilstand")).description == "x; choose one (where: {civilstand: VALUE} in a rule)")
        #expect(throws: QueryError("the dimension civilstand has no value skilda; it has OG ogifta, G gifta")) {
            try PopulationQuery(selections: ["civilstand": "skilda"]).apply(Self.civil)
        }
        #expect(throws: QueryError("the table has no dimension kommuntyp; it has region, period, civilstand")) {
            try PopulationQuery(selections: ["kommuntyp": "x"]).apply(Self.civil)
        }
        // A total value is used when the query leaves the dimension open.
        var withTotal = Self.civil
        withTotal.observations.append(Observation(keys: ["0114", "2023", "totalt"], value: 16, line: 3))
        #expect(try PopulationQuery().apply(withTotal).observations.map(\.value) == [16])
    }

    func ruleError(_ yaml: String) -> String {
        do {
            let set = try RuleFile.parse(bytes: Array(yaml.utf8), file: "r.yaml", directory: packageRoot + "/Fixtures/rules")
            _ = try Allocator(set: set, population: PopulationBases(table: Self.table, file: "population-2023.csv")).allocate()
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func recipientsAreCheckedAsASet() {
        #expect(ruleError("name: A\ntotal: 100\nrecipients: [\"14\", \"1480\"]\nkey: {kind: proportional, basis: population, period: 2023M10}\n")
                == "r.yaml:3: rule \"A\": recipients: 1480 Göteborg is counted twice: in 14 Västra Götalands län and in 1480 Göteborg; list either a län or its kommuner, each kommun once (or say overlap: allowed)")
        #expect(ruleError("name: A\ntotal: 100\nrecipients: [\"1480\", \"Göteborgs stad\"]\nkey: equal\n")
                == "r.yaml:3: rule \"A\": recipients[1]: 1480 is listed twice")
        #expect(ruleError("name: A\ntotal: 100\noverlap: allowed\nrecipients: [\"14\", \"1480\"]\nkey: {kind: proportional, basis: population, period: 2023M10}\n") == "no error")
        // Names of län as people write them are the län.
        let set = try? RuleFile.parse(bytes: Array("name: A\ntotal: 90\nrecipients: [Skåne län, Region Skåne, Region Stockholm]\nkey: equal\noverlap: allowed\n".utf8), file: "r.yaml")
        #expect(set?.rules[0].recipients.map(\.code) == ["12", "12", "01"] || set == nil)
        #expect(ruleError("name: A\ntotal: 90\nrecipients: [Skåne län, Region Skåne]\nkey: equal\n").contains("is listed twice"))
        // A membership table giving a kommun to two groups.
        #expect(ruleError("name: A\ntotal: 100\nrecipients: {membership: overlapping-groups.csv}\nkey: equal\n")
                == "r.yaml:3: rule \"A\": recipients: 1480 Göteborg is counted twice: in G1 and in G2; list either a län or its kommuner, each kommun once (or say overlap: allowed)")
    }

    @Test func datesTravelIntoTheAllocation() throws {
        let set = try RuleFile.read(path: fixture("rules/population.yaml"))
        let a = try Allocator(set: set, population: PopulationBases(table: Self.table, file: Self.file)).allocate()
        #expect(a.population?.referencePeriod == "2023M10")
        #expect(a.population?.periods == ["2023M10"])
        #expect(AllocationWriter.json(a).text().contains("\"reference_period\": \"2023M10\""))
    }
}

@Suite("hostile SCB sizes")
struct ScbHostileSizeTests {
    func refusal(_ name: String) -> String {
        do { _ = try importPopulation(.path(fixture("scb/hostile/" + name))); return "read" } catch { return "\(error)" }
    }

    @Test func overflowingAndSparseSizesAreRefusedBeforeAllocating() {
        let f = { (n: String) in fixture("scb/hostile/" + n) }
        #expect(refusal("px-heading-overflow.px") == "\(f("px-heading-overflow.px")): HEADING: refused: the HEADING variables declare more than 50000000 cells (v0 40 × v1 40 × v2 40 × v3 40 × v4 40 × …)")
        #expect(refusal("px-stub-overflow.px") == "\(f("px-stub-overflow.px")): STUB: refused: the STUB variables declare more than 50000000 cells (v0 40 × v1 40 × v2 40 × v3 40 × v4 40 × …)")
        #expect(refusal("jsonstat-size-overflow.json") == "\(f("jsonstat-size-overflow.json")): size: refused: the dimensions declare more than 50000000 cells (Region 4294967296 × …)")
        #expect(refusal("jsonstat-sparse-7000x7000.json") == "\(f("jsonstat-sparse-7000x7000.json")): value: refused: the dimensions declare 49000000 cells but \"value\" gives 5; at most 64 cells a value past 1000000 cells")
    }

    @Test func aSparseTableWithinTheRatioIsRead() throws {
        // The same shape, 100 × 100 declared, is far below the free cell count: read whole.
        let json = #"{"version":"2.0","class":"dataset","id":["Region","Alder"],"size":[2,2],"role":{"geo":["Region"]},"dimension":{"Region":{"category":{"index":["0114","0115"]}},"Alder":{"category":{"index":["0","1"]}}},"value":{"0":1,"3":4}}"#
        let t = try importPopulation(.bytes(Array(json.utf8), name: "s.json")).table
        #expect(t.observations.map(\.value) == [1, nil, nil, 4])
    }
}
