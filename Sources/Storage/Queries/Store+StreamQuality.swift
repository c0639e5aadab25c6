import GRDB

extension Store {
    /// The latest drift window of each of the `limit` streams scored most recently, newest first: the bounded
    /// per-stream coverage and CRPS that `/metrics` exports.
    public func latestDrift(limit: Int) throws(StorageError) -> [DriftRecord] {
        guard limit > 0 else { return [] }
        return try read("reading the latest drift windows") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.name, d.window_end_us, d.n, d.crps, d.mae, d.coverage, d.pit_bins, d.alarm
                    FROM streams s
                    JOIN drift d ON d.id = (
                        SELECT id FROM drift WHERE stream_id = s.id ORDER BY window_end_us DESC LIMIT 1)
                    ORDER BY d.window_end_us DESC, s.name
                    LIMIT ?
                    """,
                arguments: [limit]
            ).map { row in Self.drift(row, stream: row["name"], windowEndUs: row["window_end_us"]) }
        }
    }
}
