import Foundation
import GRDB
import GRDBSQLite
public import Logging
import Synchronization

/// The barnnd database: one SQLite file in WAL mode holding streams, observations, forecasts, checkpoints,
/// stream states, drift statistics, events and rejected messages.
///
/// Readers use a pool of connections and never block the writer. All bulk writes go through the one
/// ``StoreWriter`` made by ``makeWriter(configuration:)``; rare writes (checkpoints, retention) run directly and are
/// serialized with the writer's transactions by GRDB's single writer connection.
///
/// Times are `Int64` microseconds since the Unix epoch (UTC) everywhere, stored in columns ending `_us`; the
/// `*_view` views show them as ISO-8601 text for people using plain `sqlite3`.
public final class Store: Sendable {
    /// The schema version this build writes (`PRAGMA user_version`).
    public static let schemaVersion = 3

    /// The database file's path.
    public let path: String
    /// How the file was opened.
    public let configuration: StoreConfiguration
    let pool: DatabasePool
    let logger: Logger
    private let writerMade = Mutex(false)

    /// Opens (creating if needed) the database at `path`, sets the pragmas and migrates the schema.
    ///
    /// - Throws: ``StorageError`` with `.notADatabase`, `.corrupt`, `.readOnly`, `.locked`, `.newerSchema(_:)`,
    ///   `.io` (missing file in read-only mode, missing directory) or `.diskFull`.
    public init(
        path: String, configuration: StoreConfiguration = StoreConfiguration(), logger: Logger
    ) throws(StorageError) {
        self.path = path
        self.configuration = configuration
        self.logger = logger
        var grdb = Configuration()
        grdb.readonly = configuration.access == .readOnly
        grdb.foreignKeysEnabled = true
        grdb.maximumReaderCount = max(1, configuration.maximumReaderCount)
        grdb.busyMode = .timeout(Self.seconds(configuration.busyTimeout))
        grdb.label = "barnnd.storage"
        let settings = configuration
        grdb.prepareDatabase { db in
            if let observe = settings.statementObserver {
                db.trace { event in
                    if case .statement(let statement) = event { observe(statement.sql) }
                }
            }
            if !db.configuration.readonly {
                // Only takes effect on an empty file, before the first table exists; later opens keep the mode.
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "PRAGMA cache_size = -\(max(64, settings.writerCacheKiB))")
                if let pages = settings.maximumPageCount {
                    try db.execute(sql: "PRAGMA max_page_count = \(max(1, pages))")
                }
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: grdb)
        } catch {
            throw StorageError.classify(error, context: "cannot open \(path)")
        }
        do {
            try setUp()
        } catch {
            try? pool.close()
            throw StorageError.classify(error, context: "cannot prepare \(path)")
        }
        logger.info(
            "storage opened",
            metadata: ["storage.path": "\(path)", "storage.access": "\(configuration.access)"])
    }

    private func setUp() throws {
        let found = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
        if found > Self.schemaVersion {
            throw StorageError(
                .newerSchema(found),
                message: "\(path) has schema version \(found) but this barnnd knows up to \(Self.schemaVersion); "
                    + "upgrade barnnd or use a copy of the file")
        }
        switch configuration.access {
        case .readOnly:
            if found < Self.schemaVersion {
                throw StorageError(
                    .invalidArgument,
                    message: "\(path) has schema version \(found); open it read-write once to migrate it")
            }
        case .readWrite:
            try pool.writeWithoutTransaction { db in
                // SQLite silently opens a file it may not write read-only; say so now rather than at the first write.
                if sqlite3_db_readonly(db.sqliteConnection, "main") == 1 {
                    throw StorageError(
                        .readOnly,
                        message: "\(path) cannot be written: check its permissions, immutable attribute and mount")
                }
                // synchronous=NORMAL is safe in WAL mode (a power cut may lose the last commits, never corrupt);
                // GRDB sets it too, but after prepareDatabase, so say it here where the reason is written.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            try StoreMigrator.migrator.migrate(pool)
        }
    }

    /// Closes every connection. The writer must be closed first.
    public func close() throws(StorageError) {
        do { try pool.close() } catch { throw StorageError.classify(error, context: "cannot close \(path)") }
    }

    /// Makes the one writer of this store. Trap if called twice: two writers would fight for the lock.
    public func makeWriter(configuration: WriterConfiguration = WriterConfiguration()) -> StoreWriter {
        let first = writerMade.withLock { made in
            defer { made = true }
            return !made
        }
        precondition(first, "Store.makeWriter called twice for \(path): one writer per database")
        return StoreWriter(store: self, configuration: configuration)
    }

    /// Runs `PRAGMA integrity_check` and returns its lines (`["ok"]` for a healthy file).
    public func integrityCheck() throws(StorageError) -> [String] {
        try read("integrity check") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Runs a read on the reader pool and classifies any failure.
    func read<T>(_ context: String, _ body: (Database) throws -> T) throws(StorageError) -> T {
        do { return try pool.read(body) } catch { throw StorageError.classify(error, context: context) }
    }

    /// Runs one write transaction on the writer connection and classifies any failure.
    func write<T>(_ context: String, _ body: (Database) throws -> T) throws(StorageError) -> T {
        guard configuration.access == .readWrite else {
            throw StorageError(.readOnly, message: "\(context): \(path) was opened read-only")
        }
        do { return try pool.write(body) } catch { throw StorageError.classify(error, context: context) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
