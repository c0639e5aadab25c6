import Foundation
public import Logging
public import Storage
import Synchronization

/// A fresh temporary folder for one barnnd database file, where ``open(_:logger:)`` opens migrated Stores;
/// removed by ``remove()`` or when the value is dropped.
///
/// With `recordingSQL`, every statement the opened Stores' connections run is collected in ``recordedSQL``, for
/// tests that assert what SQL ran (or did not).
public final class TemporaryDatabase: Sendable {
    /// The folder holding the database file, its WAL and anything else a test puts there.
    public let directory: String
    /// The database file's path (it exists once a Store opened it).
    public let path: String
    private let recorder: StatementRecorder?

    /// Creates an empty folder under the system's temporary directory, named `prefix` plus a UUID.
    public init(prefix: String = "barnnd-db", recordingSQL: Bool = false) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        directory = base.path
        path = base.appendingPathComponent("barnnd.sqlite").path
        recorder = recordingSQL ? StatementRecorder() : nil
    }

    deinit { remove() }

    /// Opens a Store at ``path``, creating and migrating the file when `configuration` allows writes.
    public func open(
        _ configuration: StoreConfiguration = StoreConfiguration(), logger: Logger = Logger(label: "test.storage")
    ) throws -> Store {
        var configuration = configuration
        if let recorder {
            configuration.statementObserver = { sql in recorder.statements.withLock { $0.append(sql) } }
        }
        return try Store(path: path, configuration: configuration, logger: logger)
    }

    /// The statements run so far by Stores opened with recording on, oldest first.
    public var recordedSQL: [String] { recorder?.statements.withLock { $0 } ?? [] }

    /// Forgets the statements recorded so far, so a test sees only what its next step runs.
    public func clearRecordedSQL() { recorder?.statements.withLock { $0.removeAll() } }

    /// Deletes the folder and everything in it; Stores still open on it keep working on unlinked files.
    public func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// The statements recorded for one ``TemporaryDatabase``, appended to from whichever connection runs them.
private final class StatementRecorder: Sendable {
    let statements = Mutex<[String]>([])
}
