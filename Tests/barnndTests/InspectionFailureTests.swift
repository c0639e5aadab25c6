import Foundation
import GRDB
import Sampling
import Testing

/// One clear line and a documented exit status for every way the database or the arguments can be wrong, and no
/// failure while the daemon is writing.
@Suite struct InspectionFailureTests {
    func expectFailure(
        _ arguments: [String], status: Int32, message: String, environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let result = try BarnndProcess.run(arguments, environment: environment)
        #expect(result.status == status, "\(result.standardError)", sourceLocation: sourceLocation)
        #expect(result.standardOutput.isEmpty, sourceLocation: sourceLocation)
        #expect(result.standardError == "barnnd: \(message)\n", sourceLocation: sourceLocation)
    }

    @Test func aMissingDatabaseIsNamed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString).sqlite")
            .path
        for command in [["streams"], ["history", "x"], ["status"], ["plot", "x", "--out", "/tmp/x.svg"]] {
            try expectFailure(
                command + ["--database", path], status: 66,
                message: "no database at \(path) (give --database PATH or set storage.path in the configuration)")
        }
        try expectFailure(
            ["streams"], status: 66,
            message: "no database at \(path) (give --database PATH or set storage.path in the configuration)",
            environment: ["BARNND_DATABASE": path])
    }

    @Test func noDatabaseAndNoConfigurationSaysHowToGiveOne() throws {
        try expectFailure(
            ["streams"], status: 64,
            message: "no database given: pass --database PATH or set BARNND_DATABASE (configuration: "
                + "/nonexistent/barnnd.toml: cannot read the file: No such file or directory)")
    }

    @Test func aCorruptFileIsNotABarnndDatabase() async throws {
        let fixture = try InspectionFixture()
        var generator = SplitMix64(seed: 7)
        let bytes = (0..<8192).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        try Data(bytes).write(to: URL(fileURLWithPath: fixture.path))
        try expectFailure(
            ["streams", "--database", fixture.path], status: 65,
            message: "database \(fixture.path) is not a barnnd database or is damaged (not a database)")
    }

    @Test func anotherSQLiteFileIsNotABarnndDatabase() async throws {
        let fixture = try InspectionFixture()
        let queue = try DatabaseQueue(path: fixture.path)
        try await queue.write { db in try db.execute(sql: "CREATE TABLE notes (text TEXT)") }
        try queue.close()
        try expectFailure(
            ["events", "--database", fixture.path], status: 65,
            message: "database \(fixture.path) is not a barnnd database (no barnnd schema)")
    }

    @Test func aDamagedPageIsReportedAsDamaged() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        // Fold the WAL into the file, then overwrite every page after the schema with garbage.
        let queue = try DatabaseQueue(path: fixture.path)
        try await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: fixture.path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 8192)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 8192))
        try handle.close()
        let result = try BarnndProcess.run(["streams", "--database", fixture.path])
        #expect(result.status == 65)
        #expect(
            result.standardError.hasPrefix("barnnd: database \(fixture.path) is not a barnnd database or is damaged"))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }

    /// A connection that may keep a transaction open between accesses, as another process would.
    func holdingConnection(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    @Test func anExclusiveLockIsReportedAsLocked() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        // A WAL database in exclusive locking mode keeps every other connection out until it closes.
        let queue = try holdingConnection(fixture.path)
        try await queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
            try db.execute(sql: "BEGIN EXCLUSIVE")
            try db.execute(sql: "INSERT INTO events(time_us, kind) VALUES (0, 'held')")
        }
        defer { try? queue.close() }
        try expectFailure(
            ["streams", "--database", fixture.path], status: 75,
            message: "database \(fixture.path) is locked by another process (an exclusive lock, not the daemon's "
                + "normal writes); try again")
        try await queue.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
    }

    @Test func commandsRunWhileAWriterHoldsATransaction() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let queue = try holdingConnection(fixture.path)
        try await queue.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "INSERT INTO streams(name, first_seen_us, last_seen_us) VALUES ('uncommitted', 0, 0)")
        }
        defer { try? queue.close() }
        for command in [
            ["streams"], ["history", "lab/t1", "--since", "today"], ["checkpoints"], ["events"], ["rejects"],
            ["status", "--no-broker"], ["plot", "lab/t1", "--since", "today", "--out", fixture.directory + "/p.svg"],
        ] {
            let result = try BarnndProcess.run(command + ["--database", fixture.path])
            #expect(result.status == 0, "\(command): \(result.standardError)")
            #expect(!result.standardOutput.contains("uncommitted"))
        }
        try await queue.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
    }

    @Test func anUnknownStreamSuggestsCloseNames() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        try expectFailure(
            ["history", "lab/t3", "--database", fixture.path], status: 64,
            message: "unknown stream 'lab/t3'; did you mean 'lab/t1', 'lab/t2'?")
        try expectFailure(
            ["plot", "humidity", "--out", fixture.directory + "/h.svg", "--database", fixture.path], status: 64,
            message: "unknown stream 'humidity'; did you mean 'lab/humidity'?")
        try expectFailure(
            ["checkpoints", "defualt", "--database", fixture.path], status: 64,
            message: "no checkpoints of model 'defualt'; did you mean 'default'?")
    }

    @Test func unreadableTimesAndOptionsAreUsageErrors() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        try expectFailure(
            ["history", "lab/t1", "--since", "last tuesday", "--database", fixture.path], status: 64,
            message: "--since: cannot read time 'last tuesday': use ISO-8601 (2026-05-01T12:00:00Z, 2026-05-01), "
                + "now, today, yesterday, or an offset like -2h, -30m, -7d, '2h ago'")
        try expectFailure(
            ["history", "lab/t1", "--since", "now", "--until=-1h", "--database", fixture.path], status: 64,
            message: "--since is after --until")
        let badFormat = try BarnndProcess.run(["streams", "--format", "xml", "--database", fixture.path])
        #expect(badFormat.status == 64)
        #expect(badFormat.standardError.contains("unknown format 'xml'; use table, csv or json"))
        let badNow = try BarnndProcess.run(["streams", "--database", fixture.path], environment: ["BARNND_NOW": "x"])
        #expect(badNow.status == 0)  // streams needs no "now"
        try expectFailure(
            ["events", "--database", fixture.path], status: 64,
            message: "--since: BARNND_NOW: cannot read 'x' as an ISO-8601 time", environment: ["BARNND_NOW": "x"])
    }
}
