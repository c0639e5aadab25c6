import GRDB

extension Store {
    /// Events with time in `fromUs...toUs`, optionally of one kind and one model, newest first, at most `limit`.
    public func events(
        fromUs: Int64 = .min, toUs: Int64 = .max, kind: EventKind? = nil, model: String? = nil, limit: Int = 100
    )
        throws(StorageError) -> [EventRecord]
    {
        try read("listing events") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.time_us, e.kind, e.model, s.name, e.detail
                    FROM events e LEFT JOIN streams s ON s.id = e.stream_id
                    WHERE e.time_us BETWEEN ? AND ? AND (? IS NULL OR e.kind = ?) AND (? IS NULL OR e.model = ?)
                    ORDER BY e.time_us DESC, e.id DESC LIMIT ?
                    """,
                arguments: [fromUs, toUs, kind?.rawValue, kind?.rawValue, model, model, Int64(clamping: limit)]
            ).map { row in
                EventRecord(timeUs: row[0], kind: row[1], model: row[2], stream: row[3], detailJSON: row[4])
            }
        }
    }

    /// Rejected messages with time in `fromUs...toUs`, newest first, at most `limit`.
    public func rejects(
        fromUs: Int64 = .min, toUs: Int64 = .max, limit: Int = 100
    ) throws(StorageError)
        -> [RejectRecord]
    {
        try read("listing rejects") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT time_us, topic, excerpt, payload_bytes, reason FROM rejects
                    WHERE time_us BETWEEN ? AND ? ORDER BY time_us DESC, id DESC LIMIT ?
                    """,
                arguments: [fromUs, toUs, Int64(clamping: limit)]
            ).map { row in
                RejectRecord(timeUs: row[0], topic: row[1], excerpt: row[2], payloadBytes: row[3], reason: row[4])
            }
        }
    }
}
