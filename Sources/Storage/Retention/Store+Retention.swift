import GRDB

extension Store {
    /// Deletes what `policy` no longer keeps, in small transactions (at most ``RetentionPolicy/chunkRows`` rows
    /// each) so the writer's batches interleave, then returns free pages to the file system (incremental vacuum).
    ///
    /// - Parameter nowUs: the time ages are measured from, µs since the Unix epoch.
    public func applyRetention(_ policy: RetentionPolicy, nowUs: Int64) throws(StorageError) -> RetentionReport {
        var report = RetentionReport()
        let chunk = policy.chunkRows
        let streamIDs = try read("listing streams for retention") { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM streams ORDER BY id")
        }
        for (table, column, limit) in [
            ("observations", "t_us", policy.observations), ("forecasts", "issued_at_us", policy.forecasts),
        ] where limit.maxAge != nil || limit.maxRows != nil {
            var deleted = 0
            for id in streamIDs {
                deleted += try trimStream(
                    table: table, column: column, streamID: id, limit: limit, nowUs: nowUs, chunk: chunk,
                    report: &report)
            }
            if table == "observations" { report.observations = deleted } else { report.forecasts = deleted }
        }
        report.drift = try trimTable(
            "drift", column: "window_end_us", limit: policy.drift, nowUs: nowUs, chunk: chunk, report: &report)
        report.events = try trimTable(
            "events", column: "time_us", limit: policy.events, nowUs: nowUs, chunk: chunk, report: &report)
        report.rejects = try trimTable(
            "rejects", column: "time_us", limit: policy.rejects, nowUs: nowUs, chunk: chunk, report: &report)
        report.pagesFreed = try write("incremental vacuum") { db in
            let before = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            try db.execute(sql: "PRAGMA incremental_vacuum")
            let after = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            return before - after
        }
        return report
    }

    private static func ageCutoff(_ limit: RetentionPolicy.Limit, nowUs: Int64) -> Int64? {
        limit.maxAge.map { age in
            let (seconds, attoseconds) = age.components
            let whole = seconds.multipliedReportingOverflow(by: 1_000_000)
            let cutoff = nowUs.subtractingReportingOverflow(whole.partialValue)
            // An age reaching past the representable past keeps everything.
            guard !whole.overflow, !cutoff.overflow, cutoff.partialValue > .min + 1_000_000 else { return .min }
            return cutoff.partialValue - attoseconds / 1_000_000_000_000
        }
    }

    /// Deletes one stream's rows below the cutoff (age, or the row cap counted from the newest) in chunks.
    private func trimStream(
        table: String, column: String, streamID: Int64, limit: RetentionPolicy.Limit, nowUs: Int64, chunk: Int,
        report: inout RetentionReport
    ) throws(StorageError) -> Int {
        var cutoff = Self.ageCutoff(limit, nowUs: nowUs) ?? .min
        if let maxRows = limit.maxRows {
            let newestDropped = try read("retention of \(table)") { db in
                try Int64.fetchOne(
                    db,
                    sql: "SELECT \(column) FROM \(table) WHERE stream_id = ? ORDER BY \(column) DESC LIMIT 1 OFFSET ?",
                    arguments: [streamID, max(0, maxRows)])
            }
            if let newestDropped { cutoff = max(cutoff, newestDropped + 1) }
        }
        guard cutoff > .min else { return 0 }
        var deleted = 0
        while true {
            let count = try write("retention of \(table)") { db in
                // The time below which the chunk's oldest rows lie; deleting by key range keeps the delete on the
                // primary key instead of a scan.
                let boundary =
                    try Int64.fetchOne(
                        db,
                        sql: """
                            SELECT \(column) FROM \(table) WHERE stream_id = ? AND \(column) < ?
                            ORDER BY \(column) LIMIT 1 OFFSET ?
                            """,
                        arguments: [streamID, cutoff, chunk]) ?? cutoff
                try db.execute(
                    sql: "DELETE FROM \(table) WHERE stream_id = ? AND \(column) < ?", arguments: [streamID, boundary])
                return db.changesCount
            }
            report.transactions += 1
            deleted += count
            if count == 0 { return deleted }
        }
    }

    /// Deletes a rowid table's rows older than the age limit or beyond the row cap, in chunks.
    private func trimTable(
        _ table: String, column: String, limit: RetentionPolicy.Limit, nowUs: Int64, chunk: Int,
        report: inout RetentionReport
    ) throws(StorageError) -> Int {
        var deleted = 0
        if let cutoff = Self.ageCutoff(limit, nowUs: nowUs) {
            deleted += try deleteChunks(
                table, filter: "\(column) < ? ORDER BY \(column)", argument: cutoff, chunk: chunk, report: &report)
        }
        if let maxRows = limit.maxRows {
            let newestDropped = try read("retention of \(table)") { db in
                try Int64.fetchOne(
                    db, sql: "SELECT id FROM \(table) ORDER BY id DESC LIMIT 1 OFFSET ?", arguments: [max(0, maxRows)])
            }
            if let newestDropped {
                deleted += try deleteChunks(
                    table, filter: "id <= ? ORDER BY id", argument: newestDropped, chunk: chunk, report: &report)
            }
        }
        return deleted
    }

    private func deleteChunks(
        _ table: String, filter: String, argument: Int64, chunk: Int, report: inout RetentionReport
    ) throws(StorageError) -> Int {
        var deleted = 0
        while true {
            let count = try write("retention of \(table)") { db in
                try db.execute(
                    sql: "DELETE FROM \(table) WHERE id IN (SELECT id FROM \(table) WHERE \(filter) LIMIT ?)",
                    arguments: [argument, chunk])
                return db.changesCount
            }
            report.transactions += 1
            deleted += count
            if count < chunk { return deleted }
        }
    }
}
