import Foundation
import Logging
import Storage

/// A fresh temporary directory holding one database file; removed when the value is dropped.
final class TemporaryDatabase: Sendable {
    let directory: String
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "barnnd-storage-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        directory = base.path
        path = base.appendingPathComponent("barnnd.sqlite").path
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Opens the store at ``path``.
    func open(_ configuration: StoreConfiguration = StoreConfiguration()) throws -> Store {
        try Store(path: path, configuration: configuration, logger: Logger(label: "test.storage"))
    }
}
