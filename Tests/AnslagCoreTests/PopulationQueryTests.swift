import Testing
@testable import AnslagCore

@Suite("population queries")
struct PopulationQueryTests {
    @Test func kommunerSummedToTheirLan() throws {
        let t = try importFixture("web-title-latin1-comma.csv").table
        let q = try PopulationQuery(period: "2023", byCounty: true).apply(t)
        // Only Blekinge's kommuner are in the file: Blekinge is their sum.
        #expect(lines(q) == ["region=10 period=2023 → 874878"])
        #expect(q.regionNames["10"] == "Blekinge län")
    }

    @Test func sexAndPeriod() throws {
        let t = try importFixture("long-codes-tab.csv").table
        let women = try PopulationQuery(period: "2022", sex: "female").apply(t)
        #expect(lines(women, limit: 2) == ["region=00 period=2022 → 10979649", "region=01 period=2022 → 514120"])
        #expect(throws: QueryError("the table has no period 2030; it has 2022, 2023")) {
            try PopulationQuery(period: "2030").apply(t)
        }
    }

    @Test func ageBands() throws {
        let t = try importFixture("keys-sparse.px").table
        // The table's own band is used when it matches.
        #expect(lines(try PopulationQuery(ages: .band(0, 25)).apply(t)) == ["region=1060 period=2022 → 3000", "region=1060 period=2023 → 3010"])
        // Single ages sum; the open-ended group counts when the band has no upper end.
        let ckm = try importFixture("ckm-2025.csv").table
        #expect(lines(try PopulationQuery(ages: .band(0, 1)).apply(ckm)) == ["region=0980 period=2025 → 1010"])
        #expect(lines(try PopulationQuery(ages: .band(1, nil)).apply(ckm)) == ["region=0980 period=2025 → 60621"])
        #expect(throws: QueryError("the age group 2+ is open-ended; it cannot be split to fit 0-5; the table's ages are 0–1, 2+, total")) {
            try PopulationQuery(ages: .band(0, 5)).apply(ckm)
        }
        // A withheld value makes its sum unknown.
        let sparse = try PopulationQuery(period: "2022").apply(t)
        #expect(lines(sparse) == ["region=1060 period=2022 → 12000", "region=1080 period=2022 → [..]"])
    }

    @Test func incompleteCountiesAreRefused() throws {
        let t = try importFixture("code-dash-text-space.csv").table
        #expect(try PopulationQuery(byCounty: true).apply(t).observations.first?.value == 874_878)
        let two = try importFixture("api-v1.jsonstat.json").table
        #expect(throws: QueryError("län 10 cannot be summed: the table lacks its kommuner 1081, 1082, 1083")) {
            try PopulationQuery(byCounty: true).apply(two)
        }
    }

    @Test func ageSelectionText() {
        #expect(PopulationQuery.Ages("0-25") == .band(0, 25))
        #expect(PopulationQuery.Ages("65+") == .band(65, nil))
        #expect(PopulationQuery.Ages("7") == .band(7, 7))
        #expect(PopulationQuery.Ages("total") == .total)
        #expect(PopulationQuery.Ages("x") == nil)
    }
}
