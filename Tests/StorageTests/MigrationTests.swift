import GRDB
import StorageTestKit
import Testing

@testable import Storage

@Suite struct MigrationTests {
    @Test func migratesAnEmptyFileAndSetsThePragmas() throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        try store.pool.read { db throws in
            for table in [
                "streams", "observations", "quantile_levels", "forecasts", "checkpoints", "stream_states", "drift",
                "events", "rejects",
            ] {
                #expect(try db.tableExists(table), "table \(table)")
            }
            for view in ["observations_view", "forecasts_view", "events_view", "streams_view"] {
                #expect(try db.viewExists(view), "view \(view)")
            }
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == Store.schemaVersion)
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 2)
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
        }
        try store.pool.write { db throws in
            #expect(try Int.fetchOne(db, sql: "PRAGMA synchronous") == 1)
            #expect(try Int.fetchOne(db, sql: "PRAGMA cache_size") == -16384)
        }
        try store.close()
    }

    /// `storage.cache_mib` reaches the writing connection's page cache (negative: KiB, not pages).
    @Test func theWriterCacheIsTheConfiguredSize() throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open(StoreConfiguration(writerCacheKiB: 2048))
        try store.pool.write { db throws in #expect(try Int.fetchOne(db, sql: "PRAGMA cache_size") == -2048) }
        try store.close()
    }

    @Test func reopeningRunsNoMigrationTwice() throws {
        let temporary = try TemporaryDatabase()
        try temporary.open().close()
        let store = try temporary.open()
        let applied = try store.pool.read { db throws in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(applied == ["v1-initial-schema", "v2-microsecond-times", "v3-calibration-pools"])
        try store.close()
    }

    /// The CLI opens a live daemon's file read-only: opening and reading must not change the file in any way.
    @Test func aReadOnlyOpenOfACurrentFileRunsNoWritingStatement() throws {
        let temporary = try TemporaryDatabase(recordingSQL: true)
        try temporary.open().close()
        #expect(temporary.recordedSQL.contains { $0.hasPrefix("CREATE TABLE") })
        temporary.clearRecordedSQL()
        let store = try temporary.open(StoreConfiguration(access: .readOnly))
        _ = try store.streams()
        try store.close()
        let statements = temporary.recordedSQL
        #expect(statements.contains { $0.contains("user_version") }, "the schema version is checked: \(statements)")
        let writing = ["INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "VACUUM"]
        let written = statements.filter { sql in
            writing.contains { sql.uppercased().hasPrefix($0) } || (sql.hasPrefix("PRAGMA") && sql.contains("="))
        }
        #expect(written.isEmpty)
    }

    @Test func viewsShowISOTimesAndStreamNames() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let writer = store.makeWriter()
        _ = writer.enqueue(
            [.observation(stream: "lab/t1", tUs: 1_777_636_800_000_000, value: 21.5)], overflow: .reject)
        await writer.close()
        let row = try store.pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM observations_view") }
        #expect(row?["stream"] == "lab/t1")
        #expect(row?["t"] == "2026-05-01T12:00:00.000000Z")
        #expect(row?["value"] == 21.5)
        try store.close()
    }
}
