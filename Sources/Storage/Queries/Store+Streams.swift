import Foundation
import GRDB

extension Store {
    /// Every stream with its last-seen time, the model of its saved state and its latest drift row, by name.
    public func streams() throws(StorageError) -> [StreamSummary] {
        try read("listing streams") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.name, s.first_seen_us, s.last_seen_us, c.model, c.version,
                        d.window_end_us, d.n, d.crps, d.mae, d.coverage, d.pit_bins, d.alarm
                    FROM streams s
                    LEFT JOIN stream_states st ON st.stream_id = s.id
                    LEFT JOIN checkpoints c ON c.id = st.checkpoint_id
                    LEFT JOIN drift d ON d.id = (
                        SELECT id FROM drift WHERE stream_id = s.id ORDER BY window_end_us DESC LIMIT 1)
                    ORDER BY s.name
                    """
            ).map { row in
                let name: String = row["name"]
                let drift: DriftRecord? =
                    (row["window_end_us"] as Int64?).map { windowEnd in
                        Self.drift(row, stream: name, windowEndUs: windowEnd)
                    }
                return StreamSummary(
                    name: name, firstSeenUs: row["first_seen_us"], lastSeenUs: row["last_seen_us"],
                    model: row["model"], modelVersion: row["version"], latestDrift: drift)
            }
        }
    }

    /// Every saved stream state, by name. All rows at once: the daemon's start reads them one by one instead
    /// (``streamsWithSavedState()``, ``streamState(named:)``).
    public func streamStates() throws(StorageError) -> [StreamStateRecord] {
        try read("reading stream states") { db in
            try Row.fetchAll(db, sql: Self.streamStateQuery + " ORDER BY s.name").map(Self.streamState)
        }
    }

    /// One stream's saved state; nil when it has none.
    public func streamState(named stream: String) throws(StorageError) -> StreamStateRecord? {
        try read("reading the state of \(stream)") { db in
            try Row.fetchOne(db, sql: Self.streamStateQuery + " WHERE s.name = ?", arguments: [stream])
                .map(Self.streamState)
        }
    }

    /// The names of the streams with a saved state, most recently seen (newest stored observation) first, ties by
    /// name in descending byte order.
    public func streamsWithSavedState() throws(StorageError) -> [String] {
        try read("listing streams with a saved state") { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT s.name FROM stream_states st JOIN streams s ON s.id = st.stream_id
                    ORDER BY s.last_seen_us DESC, s.name DESC
                    """)
        }
    }

    private static let streamStateQuery = """
        SELECT s.name, st.checkpoint_id, st.t_us, st.saved_at_us, st.hidden, st.normaliser, st.calibrator
        FROM stream_states st JOIN streams s ON s.id = st.stream_id
        """

    private static func streamState(_ row: Row) -> StreamStateRecord {
        StreamStateRecord(
            stream: row[0], checkpointID: row[1], tUs: row[2], savedAtUs: row[3],
            hidden: [UInt8]((row[4] as Data?) ?? Data()), normaliser: [UInt8]((row[5] as Data?) ?? Data()),
            calibrator: [UInt8]((row[6] as Data?) ?? Data()))
    }

    /// Every model group's saved calibration score pool, for the daemon's start.
    public func calibrationPools() throws(StorageError) -> [CalibrationPoolRecord] {
        try read("reading calibration pools") { db in
            try Row.fetchAll(db, sql: "SELECT model, saved_at_us, pool FROM calibration_pools ORDER BY model").map {
                CalibrationPoolRecord(model: $0[0], savedAtUs: $0[1], pool: [UInt8](($0[2] as Data?) ?? Data()))
            }
        }
    }

    /// A stream's drift rows with window end in `fromUs...toUs`, oldest first.
    public func drift(stream: String, fromUs: Int64, toUs: Int64) throws(StorageError) -> [DriftRecord] {
        try read("reading drift of \(stream)") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.window_end_us, d.n, d.crps, d.mae, d.coverage, d.pit_bins, d.alarm
                    FROM drift d JOIN streams s ON s.id = d.stream_id
                    WHERE s.name = ? AND d.window_end_us BETWEEN ? AND ? ORDER BY d.window_end_us
                    """,
                arguments: [stream, fromUs, toUs]
            ).map { row in Self.drift(row, stream: stream, windowEndUs: row["window_end_us"]) }
        }
    }

    /// Observations newer than `afterUs` and older than `beforeUs` for one stream, oldest first: the replay after
    /// loading a saved state, and the part of a retrain's history older than the engine's context.
    public func observations(
        stream: String, afterUs: Int64, beforeUs: Int64 = .max, limit: Int = .max
    ) throws(StorageError)
        -> [(tUs: Int64, value: Double?)]
    {
        try read("reading observations of \(stream)") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.t_us, o.value FROM observations o JOIN streams s ON s.id = o.stream_id
                    WHERE s.name = ? AND o.t_us > ? AND o.t_us < ? ORDER BY o.t_us LIMIT ?
                    """,
                arguments: [stream, afterUs, beforeUs, Int64(clamping: limit)]
            ).map { row in (row[0], row[1]) }
        }
    }

    static func drift(_ row: Row, stream: String, windowEndUs: Int64) -> DriftRecord {
        DriftRecord(
            stream: stream, windowEndUs: windowEndUs, n: row["n"], crps: row["crps"], mae: row["mae"],
            coverage: JSONText.decodeLevelValues(row["coverage"]), pitBins: JSONText.decodeInts(row["pit_bins"]),
            alarm: row["alarm"] as Int != 0)
    }
}
