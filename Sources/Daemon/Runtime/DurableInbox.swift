import Foundation
import GRDBSQLite
public import MQTT
import Synchronization

/// A write-ahead log of received MQTT messages: a small SQLite file (WAL, `synchronous=NORMAL`) that the network
/// thread appends to before the broker gets the PUBACK, and that the engine thread trims once the observations
/// made from the messages are committed to the Store.
///
/// ## Guarantee
/// A QoS 1 message is acknowledged to the broker only after its row is committed to this file's WAL. A process crash
/// (SIGKILL, a trap) does not lose committed WAL frames, so every acknowledged message is either in the Store or in
/// the inbox, and ``pending()`` hands it back at the next start. A power cut may lose the last commits
/// (`synchronous=NORMAL`); the broker then still holds what it had not had acknowledged. Messages may be seen twice
/// (redelivery, replayed rows that were already stored): the Store ignores a second observation of the same
/// (stream, time), so with timestamps in the payload each observation lands exactly once. Readings of a duration
/// cadence that sit in a bucket still open when the inbox is trimmed are not covered (at most one bucket per stream).
///
/// Thread-safety: every use of the connection holds `state`'s mutex; the network thread (append) and the engine
/// thread (trim, replay) never overlap inside SQLite.
public final class DurableInbox: Sendable {
    /// Why the inbox could not be opened or written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The SQLite result code.
        public var code: Int32
        /// What was being done, with SQLite's message.
        public var message: String
        public var description: String { "inbox: \(message) (SQLite code \(code))" }
    }

    /// Appends failing now: since when (Unix seconds) and the last error.
    public struct AppendFailure: Sendable, Equatable {
        /// When the first failed append of this run happened.
        public var since: Double
        /// The last failure.
        public var reason: String
    }

    /// One message read back from the inbox.
    public struct Entry: Sendable, Equatable {
        /// Position in the inbox; increases with every append and is never reused.
        public var id: Int64
        /// The message as received.
        public var message: Message
    }

    private struct State: ~Copyable {
        let database: OpaquePointer
        let insert: OpaquePointer
        /// Inbox ids of appended messages not yet handed to the engine, in queue order (`nil`: the append failed).
        var unconsumed: [Int64?] = []
        var unconsumedStart = 0
        var failure: AppendFailure?

        deinit {
            sqlite3_finalize(insert)
            sqlite3_close_v2(database)
        }
    }

    /// The file's path.
    public let path: String
    private let state: Mutex<State>

    /// Opens or creates the inbox at `path`.
    public init(path: String) throws(Failure) {
        self.path = path
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let opened = sqlite3_open_v2(path, &handle, flags, nil)
        guard opened == SQLITE_OK, let database = handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw Failure(code: opened, message: "cannot open \(path): \(message)")
        }
        do throws(Failure) {
            sqlite3_busy_timeout(database, 5000)
            try Self.execute(database, "PRAGMA journal_mode = WAL")
            // NORMAL in WAL mode: a commit is durable against a process crash; only a power cut can lose the tail.
            try Self.execute(database, "PRAGMA synchronous = NORMAL")
            try Self.execute(
                database,
                """
                CREATE TABLE IF NOT EXISTS inbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
                    qos INTEGER NOT NULL, received_at REAL NOT NULL)
                """)
            var statement: OpaquePointer?
            let sql = "INSERT INTO inbox (topic, payload, qos, received_at) VALUES (?, ?, ?, ?)"
            let prepared = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            guard prepared == SQLITE_OK, let statement else {
                throw Failure(code: prepared, message: "prepare insert: \(String(cString: sqlite3_errmsg(database)))")
            }
            state = Mutex(State(database: database, insert: statement))
        } catch {
            sqlite3_close_v2(database)
            throw error
        }
    }

    /// Appends `message` and commits; the id is remembered for ``consume(_:)``. A failed append leaves no trace
    /// (its message is not acknowledged; the caller retries it), and is remembered in ``failure`` until one succeeds.
    public func append(_ message: Message) throws(Failure) {
        let result: Result<Int64, Failure> = state.withLock { state in
            let outcome = Self.insert(message, state: state)
            switch outcome {
            case .success(let id):
                state.unconsumed.append(id)
                state.failure = nil
            case .failure(let error):
                let since = state.failure?.since ?? Self.wallClock()
                state.failure = AppendFailure(since: since, reason: error.description)
            }
            return outcome
        }
        _ = try result.get()
    }

    /// Set while appends fail (the disk is full, the file read-only): intake is stalled until one succeeds.
    public var failure: AppendFailure? { state.withLock { $0.failure } }

    private static func wallClock() -> Double { Date().timeIntervalSince1970 }

    /// Marks the next `count` appended messages as handed to the engine; returns the highest inbox id among them
    /// (`nil` when none of them was stored).
    public func consume(_ count: Int) -> Int64? {
        state.withLock { state in
            let end = min(state.unconsumed.count, state.unconsumedStart + count)
            let taken = state.unconsumed[state.unconsumedStart..<end].compactMap { $0 }.max()
            state.unconsumedStart = end
            if state.unconsumedStart > 4096, state.unconsumedStart * 2 > state.unconsumed.count {
                state.unconsumed.removeFirst(state.unconsumedStart)
                state.unconsumedStart = 0
            }
            return taken
        }
    }

    /// Every message still in the inbox, oldest first.
    public func pending() throws(Failure) -> [Entry] {
        try state.withLock { state throws(Failure) in
            var statement: OpaquePointer?
            let sql = "SELECT id, topic, payload, qos, received_at FROM inbox ORDER BY id"
            let prepared = sqlite3_prepare_v2(state.database, sql, -1, &statement, nil)
            guard prepared == SQLITE_OK, let statement else {
                throw Failure(code: prepared, message: "select: \(String(cString: sqlite3_errmsg(state.database)))")
            }
            defer { sqlite3_finalize(statement) }
            var entries: [Entry] = []
            while true {
                let step = sqlite3_step(statement)
                if step == SQLITE_DONE { break }
                guard step == SQLITE_ROW else {
                    throw Failure(code: step, message: "select: \(String(cString: sqlite3_errmsg(state.database)))")
                }
                let topic = String(cString: sqlite3_column_text(statement, 1))
                let length = Int(sqlite3_column_bytes(statement, 2))
                let payload: [UInt8] =
                    length > 0
                    ? Array(UnsafeRawBufferPointer(start: sqlite3_column_blob(statement, 2), count: length)) : []
                let qos = QoS(rawValue: sqlite3_column_int(statement, 3)) ?? .atLeastOnce
                let message = Message(
                    topic: topic, payload: payload, qos: qos, receivedAt: sqlite3_column_double(statement, 4))
                entries.append(Entry(id: sqlite3_column_int64(statement, 0), message: message))
            }
            return entries
        }
    }

    /// Deletes every message with an id up to `id`: their observations are committed to the Store.
    public func remove(through id: Int64) throws(Failure) {
        try state.withLock { state throws(Failure) in
            try Self.execute(state.database, "DELETE FROM inbox WHERE id <= \(id)")
        }
    }

    /// How many messages the inbox holds.
    public func count() throws(Failure) -> Int {
        try pending().count
    }

    private static func insert(_ message: Message, state: borrowing State) -> Result<Int64, Failure> {
        let statement = state.insert
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        sqlite3_bind_text(statement, 1, message.topic, -1, transient)
        let payloadBound = message.payload.withUnsafeBytes { bytes in
            sqlite3_bind_blob(
                statement, 2, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), transient)
        }
        sqlite3_bind_int(statement, 3, message.qos.rawValue)
        sqlite3_bind_double(statement, 4, message.receivedAt)
        let step = sqlite3_step(statement)
        guard payloadBound == SQLITE_OK, step == SQLITE_DONE else {
            let code = step == SQLITE_DONE ? payloadBound : step
            return .failure(Failure(code: code, message: "insert: \(String(cString: sqlite3_errmsg(state.database)))"))
        }
        return .success(sqlite3_last_insert_rowid(state.database))
    }

    private static func execute(_ database: OpaquePointer, _ sql: String) throws(Failure) {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(database, sql, nil, nil, &error)
        guard code == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "error \(code)"
            sqlite3_free(error)
            throw Failure(code: code, message: "\(sql.prefix(40)): \(message)")
        }
    }

    /// SQLITE_TRANSIENT: SQLite copies bound text and blobs before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
