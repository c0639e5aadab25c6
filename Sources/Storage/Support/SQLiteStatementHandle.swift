import GRDB
import GRDBSQLite

/// Raw binding on a GRDB cached statement, for the writer's hot path: GRDB's `StatementArguments` allocate per row,
/// which costs about half the insert rate. The statement stays owned (and finalized) by GRDB's statement cache.
struct SQLiteStatementHandle {
    /// `SQLITE_TRANSIENT`: SQLite copies the bytes before the bind returns (the macro does not import into Swift).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    let raw: OpaquePointer
    let connection: OpaquePointer?

    init(_ db: Database, sql: String) throws {
        raw = try db.cachedStatement(sql: sql).sqliteStatement
        connection = db.sqliteConnection
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(raw, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(raw, index, value) } else { sqlite3_bind_null(raw, index) }
    }

    func bind(_ index: Int32, _ value: Double?) {
        if let value, value.isFinite { sqlite3_bind_double(raw, index, value) } else { sqlite3_bind_null(raw, index) }
    }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(raw, index)
            return
        }
        var text = value
        text.withUTF8 { utf8 in
            _ = sqlite3_bind_text(raw, index, utf8.baseAddress, Int32(utf8.count), Self.transient)
        }
    }

    func bind(_ index: Int32, bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, bytes.count > 0 {
            sqlite3_bind_blob(raw, index, base, Int32(bytes.count), Self.transient)
        } else {
            sqlite3_bind_zeroblob(raw, index, 0)
        }
    }

    /// Steps once and resets. Returns whether the row was stored; `false` when the schema refused this row
    /// (constraint, type, size): the transaction goes on. Throws on environment faults (full, I/O, busy).
    func step() throws -> Bool {
        let code = sqlite3_step(raw)
        sqlite3_reset(raw)
        if code == SQLITE_DONE || code == SQLITE_ROW { return true }
        switch code & 0xFF {
        case SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_TOOBIG, SQLITE_RANGE: return false
        default:
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(
                resultCode: ResultCode(rawValue: sqlite3_extended_errcode(connection)), message: message)
        }
    }

    /// Rows changed by the last step (0 when `ON CONFLICT DO NOTHING` skipped a duplicate).
    var changes: Int32 { sqlite3_changes(connection) }
}
