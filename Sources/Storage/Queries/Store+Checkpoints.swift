import Formats
import Foundation
import GRDB

extension Store {
    /// Stores a checkpoint as the model's next version, optionally makes it the active one, and deletes the oldest
    /// inactive versions beyond `keepLast` (the active version is always kept).
    ///
    /// - Returns: the stored metadata, with its version.
    /// - Throws: ``StorageError`` (`.diskFull`, `.readOnly`, `.locked`, …); nothing is stored then.
    @discardableResult
    public func saveCheckpoint(
        _ checkpoint: NewCheckpoint, activate: Bool, keepLast: Int
    ) throws(StorageError)
        -> CheckpointInfo
    {
        let checksum = CRC32.checksum(checkpoint.blob)
        return try write("saving checkpoint of \(checkpoint.model)") { db in
            let version =
                (try Int.fetchOne(
                    db, sql: "SELECT max(version) FROM checkpoints WHERE model = ?", arguments: [checkpoint.model])
                    ?? 0) + 1
            if activate {
                try db.execute(
                    sql: "UPDATE checkpoints SET active = 0 WHERE model = ? AND active = 1",
                    arguments: [checkpoint.model])
            }
            try db.execute(
                sql: """
                    INSERT INTO checkpoints(model, version, kind, created_at_us, training_metrics,
                        validation_metrics, active, checksum, blob_bytes, blob)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    checkpoint.model, version, checkpoint.kind, checkpoint.createdAtUs,
                    checkpoint.trainingMetricsJSON, checkpoint.validationMetricsJSON, activate ? 1 : 0,
                    Int64(checksum), checkpoint.blob.count, Data(checkpoint.blob),
                ])
            try Self.pruneCheckpoints(db, model: checkpoint.model, keepLast: keepLast)
            return try Self.checkpointInfo(db, model: checkpoint.model, version: version)!
        }
    }

    /// Makes `version` the model's only active version (a rollback when it is older).
    /// - Throws: ``StorageError`` `.notFound` if that version is not stored.
    public func activateCheckpoint(model: String, version: Int) throws(StorageError) {
        try write("activating \(model) v\(version)") { db in
            guard try Self.checkpointInfo(db, model: model, version: version) != nil else {
                throw StorageError(.notFound, message: "checkpoint \(model) v\(version) is not stored")
            }
            try db.execute(
                sql: "UPDATE checkpoints SET active = 0 WHERE model = ? AND active = 1 AND version <> ?",
                arguments: [model, version])
            try db.execute(
                sql: "UPDATE checkpoints SET active = 1 WHERE model = ? AND version = ?", arguments: [model, version])
        }
    }

    /// The model's active checkpoint with its verified blob, or `nil` if none is active.
    /// - Throws: ``StorageError`` `.checksumMismatch` if the blob is damaged.
    public func activeCheckpoint(model: String) throws(StorageError) -> Checkpoint? {
        try loadCheckpoint("WHERE model = ? AND active = 1", [model], what: "active checkpoint of \(model)")
    }

    /// One stored version with its verified blob, or `nil` if it is not stored.
    public func checkpoint(model: String, version: Int) throws(StorageError) -> Checkpoint? {
        try loadCheckpoint(
            "WHERE model = ? AND version = ?", [model, version], what: "checkpoint \(model) v\(version)")
    }

    /// Metadata of the stored checkpoints (of one model, or all), newest version first.
    public func checkpoints(model: String? = nil) throws(StorageError) -> [CheckpointInfo] {
        try read("listing checkpoints") { db in
            let filter = model == nil ? "" : "WHERE model = ?"
            let arguments: StatementArguments = model.map { [$0] } ?? []
            return try Row.fetchAll(
                db, sql: "SELECT \(Self.infoColumns) FROM checkpoints \(filter) ORDER BY model, version DESC",
                arguments: arguments
            ).map(Self.info)
        }
    }

    private func loadCheckpoint(
        _ filter: String, _ arguments: StatementArguments, what: String
    ) throws(StorageError)
        -> Checkpoint?
    {
        let loaded = try read("reading \(what)") { db -> Checkpoint? in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT \(Self.infoColumns), blob FROM checkpoints \(filter)", arguments: arguments)
            else { return nil }
            let blob = [UInt8]((row["blob"] as Data?) ?? Data())
            return Checkpoint(info: Self.info(row), blob: blob)
        }
        if let loaded, CRC32.checksum(loaded.blob) != loaded.info.checksum {
            throw StorageError(
                .checksumMismatch,
                message: "\(what) (v\(loaded.info.version)) fails its CRC-32 check: the stored blob is damaged")
        }
        return loaded
    }

    static let infoColumns = """
        id, model, version, kind, created_at_us, training_metrics, validation_metrics, active, checksum, blob_bytes
        """

    static func info(_ row: Row) -> CheckpointInfo {
        CheckpointInfo(
            id: row["id"], model: row["model"], version: row["version"], kind: row["kind"],
            createdAtUs: row["created_at_us"], trainingMetricsJSON: row["training_metrics"],
            validationMetricsJSON: row["validation_metrics"], isActive: row["active"] as Int != 0,
            checksum: UInt32(truncatingIfNeeded: row["checksum"] as Int64), blobBytes: row["blob_bytes"])
    }

    static func checkpointInfo(_ db: Database, model: String, version: Int) throws -> CheckpointInfo? {
        try Row.fetchOne(
            db, sql: "SELECT \(infoColumns) FROM checkpoints WHERE model = ? AND version = ?",
            arguments: [model, version]
        ).map(info)
    }

    static func pruneCheckpoints(_ db: Database, model: String, keepLast: Int) throws {
        try db.execute(
            sql: """
                DELETE FROM checkpoints WHERE model = ? AND active = 0 AND version NOT IN (
                    SELECT version FROM checkpoints WHERE model = ? ORDER BY version DESC LIMIT ?)
                """,
            arguments: [model, model, max(1, keepLast)])
    }
}
