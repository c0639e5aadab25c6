import GRDB

/// An environment fault met while opening, reading or writing the barnnd database.
///
/// Other modules match on ``code`` (`catch let error as StorageError where error.code == .diskFull`); the SQLite
/// extended result code and message are kept for logs. Equality compares the code only.
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in terms a caller can act on.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: Sendable, Hashable {
            case diskFull, readOnly, locked, notADatabase, corrupt, newerSchema(Int), checksumMismatch
            case notFound, invalidArgument, closed, io, other
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The disk (or `maximumPageCount`) is full: `SQLITE_FULL`.
        public static let diskFull = Code(.diskFull)
        /// The file, its directory or the connection cannot be written: `SQLITE_READONLY`.
        public static let readOnly = Code(.readOnly)
        /// Another connection or process held the lock past the busy timeout: `SQLITE_BUSY`/`SQLITE_LOCKED`.
        public static let locked = Code(.locked)
        /// The file exists but is not an SQLite database: `SQLITE_NOTADB`.
        public static let notADatabase = Code(.notADatabase)
        /// The database file is damaged: `SQLITE_CORRUPT`.
        public static let corrupt = Code(.corrupt)
        /// The file was written by a newer barnnd whose schema version this build does not know.
        public static func newerSchema(_ version: Int) -> Code { Code(.newerSchema(version)) }
        /// A stored blob does not match its checksum.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// The requested row (a checkpoint version, a stream) does not exist.
        public static let notFound = Code(.notFound)
        /// The caller passed a value the schema cannot hold.
        public static let invalidArgument = Code(.invalidArgument)
        /// The store or writer was already closed.
        public static let closed = Code(.closed)
        /// A disk I/O error: `SQLITE_IOERR` or `SQLITE_CANTOPEN`.
        public static let io = Code(.io)
        /// Any other SQLite failure; see ``StorageError/sqliteCode``.
        public static let other = Code(.other)

        /// The schema version found in a file from a newer barnnd, if this is ``newerSchema(_:)``.
        public var newerSchemaVersion: Int? {
            if case .newerSchema(let version) = kind { version } else { nil }
        }

        public var description: String {
            switch kind {
            case .diskFull: "disk full"
            case .readOnly: "read-only"
            case .locked: "locked"
            case .notADatabase: "not a database"
            case .corrupt: "corrupt"
            case .newerSchema(let version): "newer schema (version \(version))"
            case .checksumMismatch: "checksum mismatch"
            case .notFound: "not found"
            case .invalidArgument: "invalid argument"
            case .closed: "closed"
            case .io: "I/O error"
            case .other: "SQLite error"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// The SQLite extended result code, or 0 when the fault was found by barnnd itself.
    public let sqliteCode: Int32
    /// A human-readable explanation, safe to log (never includes row values).
    public let message: String

    /// Creates an error; prefer ``classify(_:context:)`` for errors thrown by GRDB.
    public init(_ code: Code, sqliteCode: Int32 = 0, message: String) {
        self.code = code
        self.sqliteCode = sqliteCode
        self.message = message
    }

    public var description: String {
        sqliteCode == 0
            ? "storage \(code): \(message)" : "storage \(code) (SQLite code \(sqliteCode)): \(message)"
    }

    public static func == (lhs: StorageError, rhs: StorageError) -> Bool { lhs.code == rhs.code }

    /// Turns any error thrown while using the database into a `StorageError`; `context` says what was being done.
    public static func classify(_ error: any Error, context: String) -> StorageError {
        if let error = error as? StorageError { return error }
        guard let error = error as? DatabaseError else {
            return StorageError(.other, message: "\(context): \(error)")
        }
        let extended = error.extendedResultCode.rawValue
        let detail = error.message ?? "no message"
        let code: Code
        switch extended & 0xFF {
        case 13: code = .diskFull  // SQLITE_FULL
        case 8: code = .readOnly  // SQLITE_READONLY
        case 5, 6: code = .locked  // SQLITE_BUSY, SQLITE_LOCKED
        case 26: code = .notADatabase  // SQLITE_NOTADB
        case 11: code = .corrupt  // SQLITE_CORRUPT
        case 10, 14: code = .io  // SQLITE_IOERR, SQLITE_CANTOPEN
        default: code = .other
        }
        let advice: String
        switch code {
        case .diskFull: advice = "free disk space or raise the size limit; rows are kept in memory and retried"
        case .readOnly: advice = "check the file's and its directory's permissions, immutable attribute and mount"
        case .locked: advice = "another process holds the database lock past the busy timeout"
        case .notADatabase: advice = "the file is not an SQLite database"
        case .corrupt: advice = "the database file is damaged; restore a backup or run `sqlite3 FILE .recover`"
        default: advice = ""
        }
        let text = advice.isEmpty ? "\(context): \(detail)" : "\(context): \(detail) (\(advice))"
        return StorageError(code, sqliteCode: extended, message: text)
    }
}
