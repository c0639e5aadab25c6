public import Storage

/// Why an inspection command cannot answer; `message` is the one line shown to the operator.
///
/// The CLI maps ``code`` to an exit status; nothing else here decides one.
public struct InspectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in terms the operator can act on.
    public enum Code: Sendable, Hashable {
        /// No file at the database path.
        case missingDatabase
        /// Another process holds a lock that readers cannot pass (an exclusive lock, not an ordinary writer).
        case lockedDatabase
        /// The file is not a barnnd database, is damaged, or has a schema this build cannot read.
        case unreadableDatabase
        /// The stream is not stored.
        case unknownStream
        /// A time, duration or other argument could not be understood.
        case invalidArgument
        /// PNG output needs a converter that is not installed.
        case converterMissing
        /// The converter or the output file failed.
        case outputFailed
    }

    /// What went wrong.
    public let code: Code
    /// One line for the operator, without a trailing newline.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Explains a storage fault met while reading `path`.
    public init(_ error: StorageError, path: String) {
        switch error.code {
        case .locked:
            self.init(
                .lockedDatabase,
                "database \(path) is locked by another process (an exclusive lock, not the daemon's normal writes); "
                    + "try again")
        case .notADatabase, .corrupt, .checksumMismatch:
            self.init(.unreadableDatabase, "database \(path) is not a barnnd database or is damaged (\(error.code))")
        case .invalidArgument:
            self.init(.unreadableDatabase, "database \(path) is not a barnnd database (no barnnd schema)")
        case .io:
            self.init(.missingDatabase, "cannot open database \(path) (check the path and its permissions)")
        default:
            if let version = error.code.newerSchemaVersion {
                self.init(
                    .unreadableDatabase,
                    "database \(path) has schema version \(version), newer than this barnnd; upgrade barnnd")
            } else {
                self.init(.unreadableDatabase, "cannot read database \(path): \(error.message)")
            }
        }
    }

    /// The stream is not stored; suggests the closest names.
    public static func unknownStream(_ name: String, known: [String]) -> InspectionError {
        let suggestions = StreamNameSuggestions.closest(to: name, among: known)
        if known.isEmpty {
            return InspectionError(.unknownStream, "unknown stream '\(name)': the database holds no streams yet")
        }
        if suggestions.isEmpty {
            return InspectionError(
                .unknownStream,
                "unknown stream '\(name)' (\(known.count) streams stored; list them with `barnnd streams`)")
        }
        let list = suggestions.map { "'\($0)'" }.joined(separator: ", ")
        return InspectionError(.unknownStream, "unknown stream '\(name)'; did you mean \(list)?")
    }
}
