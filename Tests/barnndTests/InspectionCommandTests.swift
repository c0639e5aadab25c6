import Foundation
import Testing

/// Each inspection command against a database filled through Storage: golden table, CSV and JSON output.
@Suite struct InspectionCommandTests {
    /// Runs `barnnd arguments… --database <fixture>` and expects success with nothing on standard error.
    func output(
        _ arguments: [String], fixture: InspectionFixture, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let result = try BarnndProcess.run(arguments + ["--database", fixture.path])
        #expect(result.status == 0, "\(arguments): \(result.standardError)", sourceLocation: sourceLocation)
        #expect(result.standardError.isEmpty, sourceLocation: sourceLocation)
        return result.standardOutput
    }

    func filled() async throws -> InspectionFixture {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        return fixture
    }

    /// Every line of a table fits an 80-column terminal.
    func expectFits(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in text.split(separator: "\n") {
            #expect(line.count <= 80, "too wide (\(line.count)): \(line)", sourceLocation: sourceLocation)
        }
    }

    @Test func historyInEveryFormat() async throws {
        let fixture = try await filled()
        let window = ["--since", "2026-05-01T00:00:00Z", "--until", "2026-05-01T12:00:00Z"]
        let table = try output(["history", "lab/t1"] + window, fixture: fixture)
        expectFits(table)
        try Golden.check(table, "history-t1.txt")
        try Golden.check(
            try output(["history", "lab/t1", "--format", "csv"] + window, fixture: fixture), "history-t1.csv")
        let json = try output(["history", "lab/t1", "--format", "json", "--step", "2"] + window, fixture: fixture)
        try Golden.check(json, "history-t1-step2.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["step"] as? Int == 2)
        #expect((document["points"] as? [Any])?.count == 13)
    }

    @Test func anEmptyHistoryWindowSaysWhereTheDataIs() async throws {
        let fixture = try await filled()
        let table = try output(
            ["history", "lab/t1", "--since", "2020-01-01", "--until", "2020-01-02"], fixture: fixture)
        #expect(table.contains("no observations or forecasts in this window\n"))
        let lines = table.split(separator: "\n")
        let hint = try #require(lines.firstIndex { $0.hasPrefix("the stream's data runs from 2026-05-01") })
        #expect(lines[hint + 1].hasPrefix("try --since 2026-05-01T"))
        expectFits(table)
    }

    @Test func historySummaryScoresTheStoredQuantiles() async throws {
        let fixture = try await filled()
        let json = try output(
            ["history", "lab/t2", "--format", "json", "--since", "2026-05-01", "--until", "2026-05-01T05:00:00Z"],
            fixture: fixture)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let summary = try #require(document["summary"] as? [String: Any])
        // lab/t2: y = 5 + i, quantiles (4 + i, 4.5 + i, 5.25 + i) at (0.1, 0.5, 0.9): the median misses by 0.5,
        // every y sits inside the 80% interval, and CRPS = 2 Σ w ρ with Riemann weights (0.3, 0.4, 0.3):
        // 2 · (0.3 · 0.1 · 1 + 0.4 · 0.5 · 0.5 + 0.3 · 0.1 · 0.25) = 0.275.
        #expect(summary["n"] as? Int == 6)
        #expect(abs((summary["mae"] as? Double ?? 0) - 0.5) < 1e-9)
        #expect(abs((summary["crps"] as? Double ?? 0) - 0.275) < 1e-6)
        #expect((summary["coverage"] as? [String: Double]) == ["0.8": 1])
    }

    @Test func relativeTimesCountFromNow() async throws {
        let fixture = try await filled()
        // BARNND_NOW is 2026-05-01T12:00:00Z in every run.
        let relative = try output(["history", "lab/t1", "--since=-3h", "--until", "now"], fixture: fixture)
        let absolute = try output(
            ["history", "lab/t1", "--since", "2026-05-01T09:00:00Z", "--until", "2026-05-01T12:00:00Z"],
            fixture: fixture)
        #expect(relative == absolute)
        let today = try output(["history", "lab/t1", "--since", "today", "--format", "csv"], fixture: fixture)
        #expect(today.split(separator: "\n").count == 14)
        let yesterday = try output(
            ["history", "lab/t1", "--since", "yesterday", "--until", "today", "--format", "csv"], fixture: fixture)
        #expect(yesterday.split(separator: "\n").count == 2)  // the header and the midnight row
    }

    @Test func withoutAWindowOldDataIsShownUpToItsNewestTime() async throws {
        let fixture = try await filled()
        // Months after the data: the default window ends at lab/t1's newest row (its last forecast issue, 11:00),
        // not at the wall clock, where it would be empty.
        let later = ["BARNND_NOW": "2026-09-01T00:00:00Z"]
        let result = try BarnndProcess.run(
            ["history", "lab/t1", "--format", "csv", "--database", fixture.path], environment: later)
        #expect(result.status == 0, "\(result.standardError)")
        let explicit = try output(
            [
                "history", "lab/t1", "--format", "csv", "--since", "2026-04-30T11:00:00Z", "--until",
                "2026-05-01T11:00:00Z",
            ],
            fixture: fixture)
        #expect(result.standardOutput == explicit)
        #expect(explicit.split(separator: "\n").count > 10)
        // A live stream (data within the last day) keeps the wall clock's last 24 hours.
        let live = try output(["history", "lab/t1", "--format", "csv"], fixture: fixture)
        let lastDay = try output(["history", "lab/t1", "--format", "csv", "--since=-24h"], fixture: fixture)
        #expect(live == lastDay)
    }

    @Test func streamsInEveryFormatAndOrder() async throws {
        let fixture = try await filled()
        let table = try output(["streams"], fixture: fixture)
        expectFits(table)
        try Golden.check(table, "streams.txt")
        try Golden.check(try output(["streams", "--format", "csv"], fixture: fixture), "streams.csv")
        try Golden.check(try output(["streams", "--format", "json"], fixture: fixture), "streams.json")
        let byCRPS = try output(["streams", "--sort", "crps", "--format", "csv"], fixture: fixture)
        #expect(
            byCRPS.split(separator: "\n").dropFirst().map { $0.prefix { $0 != "," } } == [
                "lab/t2", "lab/t1", "lab/humidity",
            ])
        let bySeen = try output(["streams", "--sort", "last-seen", "--format", "csv"], fixture: fixture)
        #expect(
            bySeen.split(separator: "\n").dropFirst().map { $0.prefix { $0 != "," } } == [
                "lab/t1", "lab/t2", "lab/humidity",
            ])
    }

    @Test func checkpointsEventsAndRejects() async throws {
        let fixture = try await filled()
        let checkpoints = try output(["checkpoints"], fixture: fixture)
        expectFits(checkpoints)
        try Golden.check(checkpoints, "checkpoints.txt")
        try Golden.check(
            try output(["checkpoints", "default", "--format", "json"], fixture: fixture), "checkpoints.json")
        try Golden.check(try output(["checkpoints", "--format", "csv"], fixture: fixture), "checkpoints.csv")
        let events = try output(["events"], fixture: fixture)
        expectFits(events)
        try Golden.check(events, "events.txt")
        try Golden.check(
            try output(["events", "--kind", "drift_alarm", "--format", "json"], fixture: fixture),
            "events-drift_alarm.json")
        try Golden.check(try output(["events", "--format", "csv"], fixture: fixture), "events.csv")
        let rejects = try output(["rejects", "--since", "today"], fixture: fixture)
        expectFits(rejects)
        try Golden.check(rejects, "rejects.txt")
        try Golden.check(
            try output(["rejects", "--since", "today", "--format", "csv"], fixture: fixture), "rejects.csv")
        try Golden.check(
            try output(["rejects", "--since", "today", "--format", "json"], fixture: fixture), "rejects.json")
        #expect(try output(["rejects", "--since=-1h"], fixture: fixture) == "no rejected messages in this window\n")
    }

    @Test func statusFromTheDatabaseAlone() async throws {
        let fixture = try await filled()
        let table = try output(["status", "--no-broker"], fixture: fixture)
        expectFits(table.replacingOccurrences(of: fixture.path, with: "/var/lib/barnnd/barnnd.sqlite"))
        try Golden.check(table.replacingOccurrences(of: fixture.path, with: "DB"), "status.txt")
        let json = try output(["status", "--no-broker", "--format", "json"], fixture: fixture)
        try Golden.check(json.replacingOccurrences(of: fixture.path, with: "DB"), "status.json")
        #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) is [String: Any])
    }

    @Test func theConfigurationStoragePathIsTheFallback() async throws {
        let fixture = try await filled()
        let config = fixture.directory + "/barnnd.toml"
        try """
        [storage]
        path = "\(fixture.path)"
        [[rules]]
        name = "lab"
        topic = "sensors/#"
        stream = "{1}"
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try BarnndProcess.run(["streams", "--format", "csv", "--config", config])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("lab/t1,"))
    }
}

/// `--help` of every inspection command documents its formats, and the JSON ones their keys.
@Suite struct InspectionHelpTests {
    @Test(arguments: [
        ("history", "\"summary\""), ("streams", "\"window\""), ("checkpoints", "\"crc32\""), ("events", "\"detail\""),
        ("rejects", "\"excerpt\""), ("status", "\"broker\""), ("plot", "librsvg2-bin"),
    ])
    func helpDocumentsTheOutput(_ command: String, _ key: String) throws {
        let result = try BarnndProcess.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains(key))
        #expect(result.standardOutput.contains("--database <database>"))
    }
}
