import GRDB

extension Store {
    /// Events with time in `fromMs...toMs`, optionally of one kind and one model, newest first, at most `limit`.
    public func events(
        fromMs: Int64 = .min, toMs: Int64 = .max, kind: String? = nil, model: String? = nil, limit: Int = 100
    )
        throws(StorageError) -> [EventRecord]
    {
        try read("listing events") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.time_ms, e.kind, e.model, s.name, e.detail
                    FROM events e LEFT JOIN streams s ON s.id = e.stream_id
                    WHERE e.time_ms BETWEEN ? AND ? AND (? IS NULL OR e.kind = ?) AND (? IS NULL OR e.model = ?)
                    ORDER BY e.time_ms DESC, e.id DESC LIMIT ?
                    """,
                arguments: [fromMs, toMs, kind, kind, model, model, Int64(clamping: limit)]
            ).map { row in
                EventRecord(timeMs: row[0], kind: row[1], model: row[2], stream: row[3], detailJSON: row[4])
            }
        }
    }

    /// Rejected messages with time in `fromMs...toMs`, newest first, at most `limit`.
    public func rejects(
        fromMs: Int64 = .min, toMs: Int64 = .max, limit: Int = 100
    ) throws(StorageError)
        -> [RejectRecord]
    {
        try read("listing rejects") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT time_ms, topic, excerpt, payload_bytes, reason FROM rejects
                    WHERE time_ms BETWEEN ? AND ? ORDER BY time_ms DESC, id DESC LIMIT ?
                    """,
                arguments: [fromMs, toMs, Int64(clamping: limit)]
            ).map { row in
                RejectRecord(timeMs: row[0], topic: row[1], excerpt: row[2], payloadBytes: row[3], reason: row[4])
            }
        }
    }
}
