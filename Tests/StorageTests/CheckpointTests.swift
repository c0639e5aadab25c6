import Formats
import GRDB
import StorageTestKit
import Testing

@testable import Storage

@Suite struct CheckpointTests {
    private func make(_ byte: UInt8, at time: Int64) -> NewCheckpoint {
        NewCheckpoint(
            model: "default", createdAtUs: time, trainingMetricsJSON: #"{"loss":0.5}"#,
            validationMetricsJSON: #"{"crps":0.25}"#, blob: [UInt8](repeating: byte, count: 1000))
    }

    @Test func oneActiveVersionAndRollback() throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let first = try store.saveCheckpoint(make(1, at: 10), activate: true, keepLast: 5)
        let second = try store.saveCheckpoint(make(2, at: 20), activate: true, keepLast: 5)
        let third = try store.saveCheckpoint(make(3, at: 30), activate: false, keepLast: 5)
        #expect([first.version, second.version, third.version] == [1, 2, 3])
        #expect(try store.activeCheckpoint(model: "default")?.info.version == 2)
        #expect(try store.activeCheckpoint(model: "default")?.blob == [UInt8](repeating: 2, count: 1000))

        try store.activateCheckpoint(model: "default", version: 1)
        let active = try store.activeCheckpoint(model: "default")
        #expect(active?.info.version == 1)
        #expect(active?.info.validationMetricsJSON == #"{"crps":0.25}"#)
        #expect(active?.info.checksum == CRC32.checksum(active?.blob ?? []))
        #expect(try store.checkpoints(model: "default").filter(\.isActive).map(\.version) == [1])
        #expect(try store.activeCheckpoint(model: "other") == nil)

        #expect(throws: StorageError(.notFound, message: "")) {
            try store.activateCheckpoint(model: "default", version: 42)
        }
        try store.close()
    }

    @Test func keepsTheLastKAndTheActiveVersion() throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        try store.saveCheckpoint(make(1, at: 10), activate: true, keepLast: 2)
        for version in 2...5 {
            try store.saveCheckpoint(make(UInt8(version), at: Int64(version) * 10), activate: false, keepLast: 2)
        }
        #expect(try store.checkpoints(model: "default").map(\.version) == [5, 4, 1])
        #expect(try store.checkpoint(model: "default", version: 2) == nil)
        try store.close()
    }

    @Test func aDamagedBlobFailsItsChecksum() throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        try store.saveCheckpoint(make(7, at: 10), activate: true, keepLast: 2)
        try store.pool.write { db in try db.execute(sql: "UPDATE checkpoints SET blob = zeroblob(1000)") }
        #expect(throws: StorageError(.checksumMismatch, message: "")) {
            try store.activeCheckpoint(model: "default")
        }
        try store.close()
    }
}
