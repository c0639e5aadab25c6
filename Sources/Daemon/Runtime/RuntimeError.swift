/// Why `barnnd run` could not start or keep running; the CLI turns it into exit status 1.
public struct RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which part failed.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case storage, inbox, mqtt, engine
        }

        private let value: Value
        public var description: String { value.rawValue }

        /// The database could not be opened.
        public static let storage = Code(value: .storage)
        /// The durable inbox could not be opened or read.
        public static let inbox = Code(value: .inbox)
        /// The broker refused us for good (credentials, TLS), or the client could not be set up.
        public static let mqtt = Code(value: .mqtt)
        /// The engine could not restore its state.
        public static let engine = Code(value: .engine)
    }

    /// Which part failed.
    public var code: Code
    /// What happened.
    public var message: String

    /// An error with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: RuntimeError, rhs: RuntimeError) -> Bool { lhs.code == rhs.code }
}
