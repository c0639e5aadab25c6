import Logging
import Storage
import Testing

/// The queries Storage gained for the CLI (`Store+Inspection.swift`), read through a read-only store.
@Suite struct StoreInspectionTests {
    func readOnly(_ fixture: InspectionFixture) throws -> Store {
        try Store(
            path: fixture.path, configuration: StoreConfiguration(access: .readOnly), logger: Logger(label: "test"))
    }

    @Test func observationCountsIncludeGapsAndSkipStreamsWithout() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let store = try readOnly(fixture)
        #expect(try store.observationCounts() == ["lab/t1": 12, "lab/t2": 6, "lab/humidity": 3])
    }

    @Test func latestForecastHasEveryStepOfTheNewestIssue() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let store = try readOnly(fixture)
        let issue = try #require(try store.latestForecast(stream: "lab/t1"))
        #expect(issue.issuedAtUs == InspectionFixture.t0 + 11 * InspectionFixture.hour)
        #expect(issue.levels == InspectionFixture.fullLevels)
        #expect(issue.points.map(\.step) == [1, 2, 3])
        #expect(issue.points.map(\.tUs) == (12...14).map { InspectionFixture.t0 + Int64($0) * InspectionFixture.hour })
        #expect(issue.points.allSatisfy { $0.quantiles.count == 7 && $0.quantiles == $0.quantiles.sorted() })
        #expect(try store.latestForecast(stream: "lab/humidity") == nil)
        #expect(try store.latestForecast(stream: "nope") == nil)
    }

    @Test func totalsCountEveryTable() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let store = try readOnly(fixture)
        #expect(
            try store.totals()
                == StoreTotals(
                    streams: 3, observations: 21, forecasts: 42, events: 3, rejects: 2,
                    latestObservationUs: InspectionFixture.t0 + 11 * InspectionFixture.hour))
    }

    @Test func anEmptyDatabaseHasNoTotals() throws {
        let fixture = try InspectionFixture()
        try Store(path: fixture.path, logger: Logger(label: "test")).close()
        let store = try readOnly(fixture)
        #expect(
            try store.totals()
                == StoreTotals(
                    streams: 0, observations: 0, forecasts: 0, events: 0, rejects: 0, latestObservationUs: nil))
        #expect(try store.observationCounts().isEmpty)
    }
}
