import Foundation
import Logging
public import Storage

/// Opens the barnnd database for inspection: read-only, beside a running daemon, with one-line errors.
public enum InspectionStore {
    /// Opens `path` read-only. WAL readers do not wait for the daemon's writes; `busyTimeout` bounds the wait for
    /// the rare exclusive lock (a checkpoint, a migration).
    /// - Throws: ``InspectionError`` `.missingDatabase`, `.lockedDatabase` or `.unreadableDatabase`.
    public static func open(path: String, busyTimeout: Duration = .seconds(2)) throws(InspectionError) -> Store {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InspectionError(
                .missingDatabase,
                "no database at \(path) (give --database PATH or set storage.path in the configuration)")
        }
        guard !isDirectory.boolValue else {
            throw InspectionError(.missingDatabase, "\(path) is a directory, not a database file")
        }
        var logger = Logger(label: "barnnd.inspection")
        logger.logLevel = .critical
        do {
            let store = try Store(
                path: path, configuration: StoreConfiguration(access: .readOnly, busyTimeout: busyTimeout),
                logger: logger)
            return store
        } catch {
            throw InspectionError(error, path: path)
        }
    }

    /// Runs `body` and turns any storage fault into an ``InspectionError`` for `store`'s path.
    public static func reading<T>(_ store: Store, _ body: () throws(StorageError) -> T) throws(InspectionError) -> T {
        do { return try body() } catch { throw InspectionError(error, path: store.path) }
    }
}
