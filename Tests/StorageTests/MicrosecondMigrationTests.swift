import Foundation
import GRDB
import Logging
import StorageTestKit
import Testing

@testable import Storage

/// Version 1 files (milliseconds in `_ms` columns) become version 2 (microseconds in `_us` columns) when opened.
@Suite struct MicrosecondMigrationTests {
    /// 2026-05-01T12:00:00Z in ms.
    static let noon: Int64 = 1_777_636_800_000

    /// Makes a version 1 file with the shipped v1 migration and fills every table, including pairs of times that are
    /// 1000× apart (5 and 5000 ms), which an in-place ×1000 of a unique key would collide on.
    static func makeVersion1(at path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let pool = try DatabasePool(path: path, configuration: configuration)
        try StoreMigrator.migrator.migrate(pool, upTo: "v1-initial-schema")
        let quantiles = Data(
            [Float(20.5), 21, 21.5].flatMap { value in
                withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
            })
        try pool.write { db in
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == 1)
            let noon = Self.noon
            try db.execute(
                sql: """
                    INSERT INTO streams(id, name, first_seen_ms, last_seen_ms) VALUES (1, 'lab/t1', ?, ?), (2, 'lab/t2', 5, 5000);
                    INSERT INTO observations(stream_id, t_ms, value) VALUES (1, ?, 20.5), (1, ?, 21), (1, ?, NULL),
                        (2, 5, 1), (2, 5000, 2);
                    INSERT INTO quantile_levels(id, levels) VALUES (1, '[0.1,0.5,0.9]');
                    INSERT INTO checkpoints(id, model, version, kind, created_at_ms, active, checksum, blob_bytes, blob)
                        VALUES (1, 'default', 1, 'barnn', ?, 1, 0, 1, x'00');
                    INSERT INTO stream_states(stream_id, checkpoint_id, t_ms, saved_at_ms, hidden, normaliser, calibrator)
                        VALUES (1, 1, ?, ?, x'01', x'02', x'03'), (2, NULL, -9223372036854775807 - 1, 5000, x'', x'', x'');
                    INSERT INTO drift(id, stream_id, window_end_ms, n, crps, mae, alarm)
                        VALUES (1, 1, ?, 3, 0.25, 0.5, 1), (2, 2, 5, 1, NULL, NULL, 0), (3, 2, 5000, 2, NULL, NULL, 0);
                    INSERT INTO events(id, time_ms, kind, model, stream_id) VALUES (1, ?, 'promotion', 'default', 1);
                    INSERT INTO rejects(id, time_ms, topic, excerpt, payload_bytes, reason)
                        VALUES (1, ?, 'sensors/x', 'abc', 3, 'not_a_number: bad');
                    """,
                arguments: [
                    noon, noon + 16, noon, noon + 1, noon + 16, noon - 100_000, noon + 16, noon + 20, noon + 16,
                    noon + 10, noon + 11,
                ])
            for (step, t) in [(1, noon + 32), (2, noon + 48)] {
                try db.execute(
                    sql: """
                        INSERT INTO forecasts(stream_id, issued_at_ms, step, t_ms, mean, levels_id, quantiles)
                        VALUES (1, ?, ?, ?, 21, 1, ?)
                        """,
                    arguments: [noon + 16, step, t, quantiles])
            }
        }
        try pool.close()
    }

    /// Every time column of every row, in a fixed order, for comparing before and after.
    static let timeQueries: [(v1: String, v2: String)] = [
        (
            "SELECT first_seen_ms, last_seen_ms FROM streams ORDER BY id",
            "SELECT first_seen_us, last_seen_us FROM streams ORDER BY id"
        ),
        (
            "SELECT t_ms FROM observations ORDER BY stream_id, t_ms",
            "SELECT t_us FROM observations ORDER BY stream_id, t_us"
        ),
        (
            "SELECT issued_at_ms, t_ms FROM forecasts ORDER BY stream_id, issued_at_ms, step",
            "SELECT issued_at_us, t_us FROM forecasts ORDER BY stream_id, issued_at_us, step"
        ),
        ("SELECT created_at_ms FROM checkpoints ORDER BY id", "SELECT created_at_us FROM checkpoints ORDER BY id"),
        (
            "SELECT t_ms, saved_at_ms FROM stream_states ORDER BY stream_id",
            "SELECT t_us, saved_at_us FROM stream_states ORDER BY stream_id"
        ),
        ("SELECT window_end_ms FROM drift ORDER BY id", "SELECT window_end_us FROM drift ORDER BY id"),
        ("SELECT time_ms FROM events ORDER BY id", "SELECT time_us FROM events ORDER BY id"),
        ("SELECT time_ms FROM rejects ORDER BY id", "SELECT time_us FROM rejects ORDER BY id"),
    ]

    static func times(_ db: Database, _ sql: String) throws -> [Int64] {
        try Row.fetchAll(db, sql: sql).flatMap { row in (0..<row.count).map { row[$0] as Int64 } }
    }

    /// Columns, primary keys, foreign keys, indexes and `WITHOUT ROWID` of every table, as comparable text.
    static func structure(_ db: Database) throws -> [String] {
        var lines: [String] = []
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' ORDER BY name")
        for table in tables {
            for row in try Row.fetchAll(db, sql: "PRAGMA table_xinfo(\(table))") {
                lines.append(
                    "\(table) column \(row["name"] as String) \(row["type"] as String) \(row["notnull"] as Int) "
                        + "\(row["dflt_value"] as String? ?? "-") pk\(row["pk"] as Int)")
            }
            for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_list(\(table))") {
                lines.append(
                    "\(table) fk \(row["from"] as String) → \(row["table"] as String).\(row["to"] as String) "
                        + "delete \(row["on_delete"] as String)")
            }
            for row in try Row.fetchAll(db, sql: "PRAGMA index_list(\(table))") {
                let name: String = row["name"]
                let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?)", arguments: [name])
                // Auto-index names carry the table's creation name, so only their shape is compared.
                let label = name.hasPrefix("sqlite_autoindex") ? "auto" : name
                lines.append(
                    "\(table) index \(label) unique\(row["unique"] as Int) partial\(row["partial"] as Int) "
                        + "origin \(row["origin"] as String) \(columns)")
            }
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table])
            lines.append("\(table) without rowid \(sql?.contains("WITHOUT ROWID") == true)")
            let checks = sql.map { $0.components(separatedBy: "CHECK").count - 1 } ?? 0
            lines.append("\(table) checks \(checks)")
        }
        let partial = try String.fetchAll(
            db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%WHERE%' ORDER BY name")
        lines += partial.map { "partial index \($0)" }
        return lines.sorted()
    }

    @Test func everyTimeIsMultipliedByAThousandInOneMigration() throws {
        let temporary = try TemporaryDatabase()
        try Self.makeVersion1(at: temporary.path)
        let reader = try DatabaseQueue(path: temporary.path)
        let (before, oldStructure) = try reader.read { db in
            (try Self.timeQueries.map { try Self.times(db, $0.v1) }, try Self.structure(db))
        }
        try reader.close()

        let store = try temporary.open()
        try store.pool.read { db in
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == Store.schemaVersion)
            #expect(
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                    == ["v1-initial-schema", "v2-microsecond-times", "v3-calibration-pools"])
            for (query, old) in zip(Self.timeQueries, before) {
                let expected = old.map { $0 == .min ? Int64.min : $0 * 1000 }
                #expect(try Self.times(db, query.v2) == expected, "\(query.v2)")
            }
            // Same tables, keys, constraints and indexes, only the time columns renamed (and version 3's new table).
            let renamed = oldStructure.map { $0.replacingOccurrences(of: "_ms", with: "_us") }.sorted()
            #expect(try Self.structure(db).filter { !$0.hasPrefix("calibration_pools ") } == renamed)
            #expect(try String.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            for view in [
                "streams_view", "observations_view", "forecasts_view", "checkpoints_view", "stream_states_view",
                "drift_view", "events_view", "rejects_view",
            ] {
                #expect(try db.viewExists(view), "view \(view)")
                _ = try Row.fetchAll(db, sql: "SELECT * FROM \(view)")
            }
            #expect(
                try String.fetchAll(db, sql: "SELECT t FROM observations_view WHERE stream = 'lab/t1' ORDER BY t")
                    == ["2026-05-01T12:00:00.000000Z", "2026-05-01T12:00:00.001000Z", "2026-05-01T12:00:00.016000Z"])
        }
        #expect(try store.integrityCheck() == ["ok"])

        let noon = Self.noon * 1000
        #expect(
            try store.observations(stream: "lab/t1", afterUs: .min).map(\.tUs) == [noon, noon + 1000, noon + 16_000])
        #expect(try store.observations(stream: "lab/t2", afterUs: .min).map(\.tUs) == [5000, 5_000_000])
        let history = try store.history(stream: "lab/t1", fromUs: noon, toUs: noon + 100_000, step: 2)
        #expect(history.map(\.tUs) == [noon, noon + 1000, noon + 16_000, noon + 48_000])
        #expect(history.last?.forecast?.issuedAtUs == noon + 16_000)
        let issue = try #require(try store.latestForecast(stream: "lab/t1"))
        #expect(issue.issuedAtUs == noon + 16_000)
        #expect(issue.points.map(\.tUs) == [noon + 32_000, noon + 48_000])
        #expect(issue.points.first?.quantiles == [20.5, 21, 21.5])
        #expect(try store.checkpoints(model: "default").map(\.createdAtUs) == [noon - 100_000_000])
        let states = try store.streamStates()
        #expect(states.map(\.tUs) == [noon + 16_000, .min])
        #expect(states.map(\.savedAtUs) == [noon + 20_000, 5_000_000])
        #expect(try store.drift(stream: "lab/t1", fromUs: 0, toUs: .max).map(\.windowEndUs) == [noon + 16_000])
        #expect(try store.drift(stream: "lab/t2", fromUs: 0, toUs: .max).map(\.windowEndUs) == [5000, 5_000_000])
        #expect(try store.events().map(\.timeUs) == [noon + 10_000])
        #expect(try store.rejects().map(\.timeUs) == [noon + 11_000])
        let streams = try store.streams()
        #expect(streams.map(\.firstSeenUs) == [noon, 5000])
        #expect(streams.map(\.lastSeenUs) == [noon + 16_000, 5_000_000])
        #expect(streams.first?.latestDrift?.alarm == true)
        try store.close()
    }

    @Test func theWriterStoresMicrosecondsAfterMigrating() async throws {
        let temporary = try TemporaryDatabase()
        try Self.makeVersion1(at: temporary.path)
        let store = try temporary.open()
        let writer = store.makeWriter()
        let noon = Self.noon * 1000
        // 0.5 ms apart: one row each now, where milliseconds made them one key.
        _ = writer.enqueue(
            [
                .observation(stream: "lab/t1", tUs: noon + 16_500, value: 22),
                .observation(stream: "lab/t1", tUs: noon + 17_000, value: 23),
            ], overflow: .reject)
        await writer.close()
        #expect(
            try store.observations(stream: "lab/t1", afterUs: noon + 16_000).map(\.tUs) == [
                noon + 16_500, noon + 17_000,
            ])
        #expect(try store.streams().first?.lastSeenUs == noon + 17_000)
        try store.close()
    }

}
