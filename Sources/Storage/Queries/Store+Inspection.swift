import Foundation
import GRDB

/// Row counts of the tables the `status` command summarises.
public struct StoreTotals: Sendable, Equatable {
    /// Streams ever seen.
    public var streams: Int
    /// Stored observations (gaps included).
    public var observations: Int
    /// Stored forecast rows (one per issue and step).
    public var forecasts: Int
    /// Stored events.
    public var events: Int
    /// Stored rejected messages.
    public var rejects: Int
    /// The newest observation time over all streams, µs since the Unix epoch.
    public var latestObservationUs: Int64?

    /// Creates totals.
    public init(
        streams: Int, observations: Int, forecasts: Int, events: Int, rejects: Int, latestObservationUs: Int64?
    ) {
        self.streams = streams
        self.observations = observations
        self.forecasts = forecasts
        self.events = events
        self.rejects = rejects
        self.latestObservationUs = latestObservationUs
    }
}

extension Store {
    /// The number of stored observations per stream name (streams without observations are absent).
    public func observationCounts() throws(StorageError) -> [String: Int] {
        try read("counting observations") { db in
            var counts: [String: Int] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.name, (SELECT count(*) FROM observations o WHERE o.stream_id = s.id) FROM streams s
                    """)
            while let row = try rows.next() {
                let count: Int = row[1]
                if count > 0 { counts[row[0]] = count }
            }
            return counts
        }
    }

    /// The time of the stream's newest stored observation or forecast issue (µs), or `nil` if it has neither: where an
    /// inspection window without `--since`/`--until` ends, so old or replayed data is shown rather than an empty
    /// window of the wall clock.
    public func latestActivityUs(stream: String) throws(StorageError) -> Int64? {
        try read("reading the latest time of \(stream)") { db -> Int64? in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM streams WHERE name = ?", arguments: [stream])
            else { return nil }
            let observed = try Int64.fetchOne(
                db, sql: "SELECT max(t_us) FROM observations WHERE stream_id = ?", arguments: [id])
            let issued = try Int64.fetchOne(
                db, sql: "SELECT max(issued_at_us) FROM forecasts WHERE stream_id = ?", arguments: [id])
            return [observed, issued].compactMap { $0 }.max()
        }
    }

    /// The stream's most recently issued forecast with all its steps, or `nil` if none is stored.
    public func latestForecast(stream: String) throws(StorageError) -> ForecastIssue? {
        try read("reading the latest forecast of \(stream)") { db -> ForecastIssue? in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM streams WHERE name = ?", arguments: [stream]),
                let issued = try Int64.fetchOne(
                    db, sql: "SELECT max(issued_at_us) FROM forecasts WHERE stream_id = ?", arguments: [id])
            else { return nil }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT f.step, f.t_us, f.mean, l.levels, f.quantiles
                    FROM forecasts f JOIN quantile_levels l ON l.id = f.levels_id
                    WHERE f.stream_id = ? AND f.issued_at_us = ? ORDER BY f.step
                    """,
                arguments: [id, issued])
            guard let first = rows.first else { return nil }
            let points = rows.map { row in
                ForecastPoint(
                    step: row[0], tUs: row[1], mean: row[2],
                    quantiles: QuantileCoding.decode([UInt8]((row[4] as Data?) ?? Data())))
            }
            return ForecastIssue(
                stream: stream, issuedAtUs: issued, levels: JSONText.decodeDoubles(first[3]), points: points)
        }
    }

    /// Row counts of the growing tables and the newest observation time.
    public func totals() throws(StorageError) -> StoreTotals {
        try read("counting rows") { db in
            func count(_ table: String) throws -> Int {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return StoreTotals(
                streams: try count("streams"), observations: try count("observations"),
                forecasts: try count("forecasts"), events: try count("events"), rejects: try count("rejects"),
                latestObservationUs: try Int64.fetchOne(db, sql: "SELECT max(last_seen_us) FROM streams"))
        }
    }
}
