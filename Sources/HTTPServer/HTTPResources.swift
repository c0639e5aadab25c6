public import Daemon
import Foundation
public import Inspection
public import Logging
public import Storage
import Synchronization

/// What HTTP handlers may read: the daemon's latest ``DaemonSnapshot`` and the database through a read-only Store.
///
/// Both are safe from any thread and neither waits for the engine: the snapshot is a copied value, and SQLite's WAL
/// readers do not block the daemon's writer (nor are they blocked by it).
public final class HTTPResources: Sendable {
    /// Where the engine thread publishes its snapshot.
    public let snapshots: DaemonSnapshotBox
    /// The database file the daemon writes (`storage.path`).
    public let databasePath: String
    /// The server's logger.
    public let logger: Logger
    private let opened = Mutex<Store?>(nil)

    /// Resources reading `snapshots` and the database at `databasePath`.
    public init(snapshots: DaemonSnapshotBox, databasePath: String, logger: Logger) {
        self.snapshots = snapshots
        self.databasePath = databasePath
        self.logger = logger
    }

    /// The database opened read-only, on first use (the daemon creates and migrates it at start, possibly after the
    /// server is listening) and shared afterwards.
    ///
    /// - Throws: ``InspectionError`` when the file does not exist yet or cannot be read.
    public func store() throws(InspectionError) -> Store {
        if let store = opened.withLock({ $0 }) { return store }
        let store = try InspectionStore.open(path: databasePath)
        return opened.withLock { current in
            if let current {
                try? store.close()
                return current
            }
            current = store
            return store
        }
    }

    /// Closes the Store if it was opened.
    func close() {
        let store = opened.withLock { current in
            defer { current = nil }
            return current
        }
        try? store?.close()
    }
}
