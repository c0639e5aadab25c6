import Foundation
import GRDB
import ProcessTestKit
import Sampling
import StorageTestKit
import Testing

@testable import Storage

@Suite struct FaultTests {
    private func observations(_ range: Range<Int>) -> [WriteItem] {
        range.map { WriteItem.observation(stream: "s\($0 % 16)", tUs: Int64($0), value: Double($0)) }
    }

    private func rowCount(_ store: Store) throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM observations") ?? -1 }
    }

    @Test func diskFullKeepsEveryRowAndStallsEnqueuersUntilSpaceComesBack() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open(StoreConfiguration(maximumPageCount: 60))
        #expect(throws: StorageError(.diskFull, message: "")) {
            try store.saveCheckpoint(
                NewCheckpoint(model: "m", createdAtUs: 0, blob: [UInt8](repeating: 1, count: 400_000)), activate: true,
                keepLast: 1)
        }
        let writer = store.makeWriter(
            configuration: WriterConfiguration(
                batchRows: 5000, maximumPendingRows: 30_000, initialBackoff: .milliseconds(5),
                maximumBackoff: .milliseconds(20)))
        #expect(writer.enqueue(observations(0..<20_000), overflow: .reject) == .accepted)
        await #expect(throws: StorageError(.diskFull, message: "")) { try await writer.flush() }
        #expect(writer.counters.lastError?.code == .diskFull)
        #expect(writer.counters.failedBatches >= 1)

        // Past the pending bound nothing is dropped: the writer refuses more (the caller keeps it) until it catches up.
        #expect(writer.enqueue(observations(20_000..<30_000), overflow: .reject) == .accepted)
        #expect(writer.enqueue(observations(30_000..<40_000), overflow: .reject) == .queueFull)
        #expect(
            writer.enqueue(observations(30_000..<40_000), overflow: .block(timeout: .milliseconds(50))) == .queueFull)
        #expect(writer.counters.rowsDropped == 0)
        #expect(writer.counters.pendingRows == 30_000)
        #expect(writer.counters.stalledSince != nil)

        // A blocked enqueuer goes on by itself once space comes back.
        let waiting = Task.detached {
            writer.enqueue(self.observations(30_000..<50_000), overflow: .block(timeout: .seconds(60)))
        }
        try await Task.sleep(for: .milliseconds(100))
        try await store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1000000") }
        #expect(await waiting.value == .accepted)
        try await writer.flush()
        #expect(writer.counters.lastError == nil)
        #expect(writer.counters.stalledSince == nil)
        #expect(writer.counters.retries >= 1)
        #expect(writer.counters.rowsDropped == 0)
        #expect(try rowCount(store) == 50_000)
        await writer.close()
        try store.close()
    }

    @Test func oneBatchLargerThanThePendingBoundIsWrittenWhole() async throws {
        // A tick of many streams with forecasts queues more rows at once than the bound: it must not be trimmed.
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let writer = store.makeWriter(
            configuration: WriterConfiguration(batchRows: 500, maximumTransactionRows: 500, maximumPendingRows: 1000))
        #expect(writer.enqueue(observations(0..<5000), overflow: .reject) == .accepted)
        #expect(writer.enqueue(observations(5000..<5100), overflow: .block(timeout: .seconds(60))) == .accepted)
        try await writer.flush()
        #expect(writer.counters.rowsDropped == 0)
        #expect(try rowCount(store) == 5100)
        await writer.close()
        try store.close()
    }

    @Test func aLockHeldByAnotherProcessPastTheTimeoutIsLockedThenRetried() async throws {
        let temporary = try TemporaryDatabase()
        let impatient = StoreConfiguration(busyTimeout: .milliseconds(50))
        let store = try temporary.open(impatient)
        let holder = try ChildProcess.piped(try ChildProcess.sibling("storage-crash-writer"), ["lock", temporary.path])
        #expect(holder.nextLine() == "locked")
        // Opening needs the write lock briefly (migrations), so a second open fails too.
        let openError = #expect(throws: StorageError.self) { try temporary.open(impatient) }
        #expect(openError?.code == .locked)
        #expect(throws: StorageError(.locked, message: "")) {
            try store.saveCheckpoint(NewCheckpoint(model: "m", createdAtUs: 0, blob: [1]), activate: true, keepLast: 1)
        }
        let writer = store.makeWriter(configuration: WriterConfiguration(initialBackoff: .milliseconds(5)))
        _ = writer.enqueue(observations(0..<100), overflow: .reject)
        await #expect(throws: StorageError(.locked, message: "")) { try await writer.flush() }
        #expect(writer.counters.lastError?.code == .locked)
        // Readers are never blocked by the lock holder (WAL).
        #expect(try store.streams().isEmpty)
        holder.finish()
        try await writer.flush()
        #expect(try rowCount(store) == 100)
        await writer.close()
        try store.close()
    }

    @Test func aReadOnlyStoreRefusesWritesWithATypedError() async throws {
        let temporary = try TemporaryDatabase()
        try temporary.open().close()
        let store = try temporary.open(StoreConfiguration(access: .readOnly))
        #expect(throws: StorageError(.readOnly, message: "")) {
            try store.saveCheckpoint(NewCheckpoint(model: "m", createdAtUs: 0, blob: [1]), activate: true, keepLast: 1)
        }
        let writer = store.makeWriter(configuration: WriterConfiguration(closeAttempts: 1))
        _ = writer.enqueue(observations(0..<10), overflow: .reject)
        await #expect(throws: StorageError(.readOnly, message: "")) { try await writer.flush() }
        await writer.close()
        #expect(writer.counters.rowsDropped == 10)
        try store.close()
    }

    /// Makes the file unwritable: `chmod 444` for a normal user; root ignores permissions, so `chattr +i` then.
    private func makeUnwritable(_ path: String) throws -> (undo: () -> Void, done: Bool) {
        if geteuid() != 0 {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
            return ({ try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path) }, true)
        }
        let chattr = { (flag: String) -> Bool in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
            process.arguments = [flag, path]
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        let done = chattr("+i")
        return ({ _ = chattr("-i") }, done)
    }

    @Test func aFileThatCannotBeWrittenIsReadOnlyAtOpen() throws {
        let temporary = try TemporaryDatabase()
        try temporary.open().close()
        let unwritable = try makeUnwritable(temporary.path)
        defer { unwritable.undo() }
        try #require(unwritable.done, "could not make the file unwritable (chattr +i needs an ext4-like file system)")
        let error = #expect(throws: StorageError.self) { try temporary.open() }
        #expect(error?.code == .readOnly)
        #expect(error?.message.contains("permissions") == true, "\(String(describing: error))")
        // The CLI can still read it.
        let reader = try temporary.open(StoreConfiguration(access: .readOnly))
        #expect(try reader.streams().isEmpty)
        try reader.close()
    }

    @Test func aFileThatIsNotADatabaseIsRecognised() throws {
        let temporary = try TemporaryDatabase()
        var generator = SplitMix64(seed: 42)
        let bytes = (0..<8192).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        try Data(bytes).write(to: URL(fileURLWithPath: temporary.path))
        let error = #expect(throws: StorageError.self) { try temporary.open() }
        #expect(error?.code == .notADatabase)
        #expect(error?.message.contains("not an SQLite database") == true)
    }

    @Test func aDamagedFileIsCorrupt() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let writer = store.makeWriter()
        _ = writer.enqueue(observations(0..<1000), overflow: .reject)
        await writer.close()
        // Move every page into the main file, so the damage below is not masked by a copy in the WAL.
        try await store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try store.close()
        // Overwrite the schema table's page (page 1 after the 100-byte header) with seeded noise.
        let url = URL(fileURLWithPath: temporary.path)
        var file = try Data(contentsOf: url)
        var generator = SplitMix64(seed: 7)
        for index in 100..<4096 { file[index] = UInt8(truncatingIfNeeded: generator.next()) }
        try file.write(to: url)
        let error = #expect(throws: StorageError.self) { try temporary.open() }
        #expect(error?.code == .corrupt)
    }

    @Test func aNewerSchemaIsRefusedWithItsVersion() throws {
        let temporary = try TemporaryDatabase()
        try temporary.open().close()
        let queue = try DatabaseQueue(path: temporary.path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 7") }
        try queue.close()
        let error = #expect(throws: StorageError.self) { try temporary.open() }
        #expect(error?.code == .newerSchema(7))
        #expect(error?.code.newerSchemaVersion == 7)
    }

    @Test func aMissingFileOpenedReadOnlyIsAnIOError() throws {
        let temporary = try TemporaryDatabase()
        let error = #expect(throws: StorageError.self) { try temporary.open(StoreConfiguration(access: .readOnly)) }
        #expect(error?.code == .io)
    }
}
