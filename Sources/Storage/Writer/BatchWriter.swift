import GRDB

/// Writes batches of ``WriteItem``s, one transaction per batch. Owned and used only by the writer thread, which is
/// why its caches need no lock.
final class BatchWriter {
    /// Per-table row counts of one committed batch.
    struct Result {
        var observations = 0
        var duplicates = 0
        var forecastRows = 0
        var streamStates = 0
        var calibrationPools = 0
        var driftRows = 0
        var events = 0
        var rejects = 0
        var invalid = 0
    }

    private let store: Store
    /// Keyed by the name's UTF-8 bytes: `String` keys would merge canonically equivalent names (`caf\u{e9}`,
    /// `cafe\u{301}`) that are two rows of `streams` (SQLite compares TEXT bytewise).
    private var streamIDs: [[UInt8]: Int64] = [:]
    private var levelIDs: [[Double]: Int64] = [:]
    /// Names and levels first resolved in the current transaction: forgotten if it rolls back.
    private var newStreams: [[UInt8]] = []
    private var newLevels: [[Double]] = []
    private var lastSeen: [Int64: Int64] = [:]
    private var pendingObservations: [PendingObservation] = []

    private struct PendingObservation {
        var streamID: Int64
        var tUs: Int64
        var arrival: Int
        var value: Double?
    }
    /// Statements of the current transaction, looked up once per batch rather than once per item: GRDB's cache
    /// hashes the whole SQL text on every lookup.
    private var statements: [SQL: SQLiteStatementHandle] = [:]

    private enum SQL: String {
        case observation = "INSERT INTO observations(stream_id, t_us, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        case lastSeen = "UPDATE streams SET last_seen_us = max(last_seen_us, ?) WHERE id = ?"
        case forecast = """
            INSERT INTO forecasts(stream_id, issued_at_us, step, t_us, mean, levels_id, quantiles)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(stream_id, issued_at_us, step) DO UPDATE SET t_us = excluded.t_us,
                mean = excluded.mean, levels_id = excluded.levels_id, quantiles = excluded.quantiles
            """
        case streamState = """
            INSERT INTO stream_states(stream_id, checkpoint_id, t_us, saved_at_us, hidden, normaliser, calibrator)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(stream_id) DO UPDATE SET checkpoint_id = excluded.checkpoint_id, t_us = excluded.t_us,
                saved_at_us = excluded.saved_at_us, hidden = excluded.hidden,
                normaliser = excluded.normaliser, calibrator = excluded.calibrator
            """
        case drift = """
            INSERT INTO drift(stream_id, window_end_us, n, crps, mae, coverage, pit_bins, alarm)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(stream_id, window_end_us) DO UPDATE SET n = excluded.n, crps = excluded.crps,
                mae = excluded.mae, coverage = excluded.coverage, pit_bins = excluded.pit_bins,
                alarm = excluded.alarm
            """
        case calibrationPool = """
            INSERT INTO calibration_pools(model, saved_at_us, pool) VALUES (?, ?, ?)
            ON CONFLICT(model) DO UPDATE SET saved_at_us = excluded.saved_at_us, pool = excluded.pool
            """
        case event = "INSERT INTO events(time_us, kind, model, stream_id, detail) VALUES (?, ?, ?, ?, ?)"
        case reject = "INSERT INTO rejects(time_us, topic, excerpt, payload_bytes, reason) VALUES (?, ?, ?, ?, ?)"
    }

    private func statement(_ sql: SQL, _ db: Database) throws -> SQLiteStatementHandle {
        if let handle = statements[sql] { return handle }
        let handle = try SQLiteStatementHandle(db, sql: sql.rawValue)
        statements[sql] = handle
        return handle
    }

    init(store: Store) { self.store = store }

    /// Writes `items` in one transaction; on failure nothing is kept and the caches are as before.
    func write(_ items: ArraySlice<WriteItem>) throws -> Result {
        newStreams.removeAll(keepingCapacity: true)
        newLevels.removeAll(keepingCapacity: true)
        lastSeen.removeAll(keepingCapacity: true)
        statements.removeAll(keepingCapacity: true)
        defer { statements.removeAll(keepingCapacity: true) }
        do {
            return try store.pool.write { db in try self.write(items, db) }
        } catch {
            for name in newStreams { streamIDs[name] = nil }
            for levels in newLevels { levelIDs[levels] = nil }
            throw error
        }
    }

    private func write(_ items: ArraySlice<WriteItem>, _ db: Database) throws -> Result {
        var result = Result()
        pendingObservations.removeAll(keepingCapacity: true)
        for item in items {
            switch item {
            case .observation(let stream, let tUs, let value):
                let id = try streamID(stream, seenAt: tUs, db)
                pendingObservations.append(
                    PendingObservation(streamID: id, tUs: tUs, arrival: pendingObservations.count, value: value))
            case .forecast(let issue): try write(issue, db, &result)
            case .streamState(let state): try write(state, db, &result)
            case .drift(let drift): try write(drift, db, &result)
            case .calibrationPool(let pool): try write(pool, db, &result)
            case .event(let event): try write(event, db, &result)
            case .reject(let reject): try write(reject, db, &result)
            }
        }
        // Inserting in key order keeps consecutive inserts on the same B-tree leaf (storage-bench: ~1.3× with 1000
        // interleaved streams); arrival order breaks ties, so the first of two observations for a (stream, time) wins.
        pendingObservations.sort { ($0.streamID, $0.tUs, $0.arrival) < ($1.streamID, $1.tUs, $1.arrival) }
        let observation = try statement(.observation, db)
        for pending in pendingObservations {
            observation.bind(1, pending.streamID)
            observation.bind(2, pending.tUs)
            observation.bind(3, pending.value)
            if try observation.step() {
                if observation.changes == 0 {
                    result.duplicates += 1
                } else {
                    result.observations += 1
                    if let seen = lastSeen[pending.streamID] {
                        if pending.tUs > seen { lastSeen[pending.streamID] = pending.tUs }
                    } else {
                        lastSeen[pending.streamID] = pending.tUs
                    }
                }
            } else {
                result.invalid += 1
            }
        }
        if !lastSeen.isEmpty {
            let update = try statement(.lastSeen, db)
            for (id, tUs) in lastSeen {
                update.bind(1, tUs)
                update.bind(2, id)
                _ = try update.step()
            }
        }
        return result
    }

    private func write(_ issue: ForecastIssue, _ db: Database, _ result: inout Result) throws {
        let streamID = try streamID(issue.stream, seenAt: issue.issuedAtUs, db)
        let levelsID = try levelsID(issue.levels, db)
        let insert = try statement(.forecast, db)
        for point in issue.points {
            guard point.quantiles.count == issue.levels.count else {
                result.invalid += 1
                continue
            }
            insert.bind(1, streamID)
            insert.bind(2, issue.issuedAtUs)
            insert.bind(3, Int64(point.step))
            insert.bind(4, point.tUs)
            insert.bind(5, point.mean)
            insert.bind(6, levelsID)
            QuantileCoding.withLittleEndianBytes(point.quantiles) { insert.bind(7, bytes: $0) }
            if try insert.step() { result.forecastRows += 1 } else { result.invalid += 1 }
        }
    }

    private func write(_ state: StreamStateRecord, _ db: Database, _ result: inout Result) throws {
        let streamID = try streamID(state.stream, seenAt: state.tUs, db)
        let upsert = try statement(.streamState, db)
        upsert.bind(1, streamID)
        upsert.bind(2, state.checkpointID)
        upsert.bind(3, state.tUs)
        upsert.bind(4, state.savedAtUs)
        state.hidden.withUnsafeBytes { upsert.bind(5, bytes: $0) }
        state.normaliser.withUnsafeBytes { upsert.bind(6, bytes: $0) }
        state.calibrator.withUnsafeBytes { upsert.bind(7, bytes: $0) }
        if try upsert.step() { result.streamStates += 1 } else { result.invalid += 1 }
    }

    private func write(_ pool: CalibrationPoolRecord, _ db: Database, _ result: inout Result) throws {
        let upsert = try statement(.calibrationPool, db)
        upsert.bind(1, pool.model)
        upsert.bind(2, pool.savedAtUs)
        pool.pool.withUnsafeBytes { upsert.bind(3, bytes: $0) }
        if try upsert.step() { result.calibrationPools += 1 } else { result.invalid += 1 }
    }

    private func write(_ drift: DriftRecord, _ db: Database, _ result: inout Result) throws {
        let streamID = try streamID(drift.stream, seenAt: drift.windowEndUs, db)
        let upsert = try statement(.drift, db)
        upsert.bind(1, streamID)
        upsert.bind(2, drift.windowEndUs)
        upsert.bind(3, Int64(drift.n))
        upsert.bind(4, drift.crps)
        upsert.bind(5, drift.mae)
        upsert.bind(6, JSONText.object(drift.coverage))
        upsert.bind(7, JSONText.array(drift.pitBins))
        upsert.bind(8, Int64(drift.alarm ? 1 : 0))
        if try upsert.step() { result.driftRows += 1 } else { result.invalid += 1 }
    }

    private func write(_ event: EventRecord, _ db: Database, _ result: inout Result) throws {
        let eventStream = try event.stream.map { try streamID($0, seenAt: event.timeUs, db) }
        let insert = try statement(.event, db)
        insert.bind(1, event.timeUs)
        insert.bind(2, event.kind)
        insert.bind(3, event.model)
        insert.bind(4, eventStream)
        insert.bind(5, event.detailJSON)
        if try insert.step() { result.events += 1 } else { result.invalid += 1 }
    }

    private func write(_ reject: RejectRecord, _ db: Database, _ result: inout Result) throws {
        let insert = try statement(.reject, db)
        insert.bind(1, reject.timeUs)
        insert.bind(2, reject.topic)
        insert.bind(3, reject.excerpt)
        insert.bind(4, Int64(reject.payloadBytes))
        insert.bind(5, reject.reason)
        if try insert.step() { result.rejects += 1 } else { result.invalid += 1 }
    }

    private func streamID(_ name: String, seenAt tUs: Int64, _ db: Database) throws -> Int64 {
        let key = Array(name.utf8)
        if let id = streamIDs[key] { return id }
        try db.execute(
            sql: """
                INSERT INTO streams(name, first_seen_us, last_seen_us) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET first_seen_us = min(first_seen_us, excluded.first_seen_us)
                """,
            arguments: [name, tUs, tUs])
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM streams WHERE name = ?", arguments: [name]) else {
            throw StorageError(.other, message: "stream row vanished while writing")
        }
        streamIDs[key] = id
        newStreams.append(key)
        return id
    }

    private func levelsID(_ levels: [Double], _ db: Database) throws -> Int64 {
        if let id = levelIDs[levels] { return id }
        let text = JSONText.array(levels)
        try db.execute(
            sql: "INSERT INTO quantile_levels(levels) VALUES (?) ON CONFLICT(levels) DO NOTHING", arguments: [text])
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM quantile_levels WHERE levels = ?", arguments: [text])
        else { throw StorageError(.other, message: "quantile levels row vanished while writing") }
        levelIDs[levels] = id
        newLevels.append(levels)
        return id
    }
}
