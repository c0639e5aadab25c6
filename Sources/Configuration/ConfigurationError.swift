/// Every problem found in a configuration, gathered so `check-config` and a refused start can list them all at once.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem: where it is and what is wrong.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// What kind of problem this is; stable, so tests and tools can match on it.
        public struct Code: Sendable, Hashable, CustomStringConvertible {
            private enum Value: String, Sendable {
                case syntax, unknownKey, wrongType, invalidValue, outOfRange, missingKey, duplicate, unknownReference
                case unreadableFile
            }
            private let value: Value
            public var description: String { value.rawValue }

            /// The file is not valid TOML.
            public static let syntax = Code(value: .syntax)
            /// A key barnnd does not know (often a typo; the message suggests the nearest known key).
            public static let unknownKey = Code(value: .unknownKey)
            /// A value of the wrong TOML type (a string where a number belongs, ...).
            public static let wrongType = Code(value: .wrongType)
            /// A value of the right type that does not parse or make sense (a bad duration, topic filter, template).
            public static let invalidValue = Code(value: .invalidValue)
            /// A number outside its allowed range.
            public static let outOfRange = Code(value: .outOfRange)
            /// A key that must be present is absent.
            public static let missingKey = Code(value: .missingKey)
            /// Two things that must be unique are not (rule names).
            public static let duplicate = Code(value: .duplicate)
            /// A name that refers to nothing (a rule's model group).
            public static let unknownReference = Code(value: .unknownReference)
            /// The configuration file itself could not be read.
            public static let unreadableFile = Code(value: .unreadableFile)
        }

        /// The kind of problem.
        public var code: Code
        /// Dotted key path, `mqtt.port`, `rules[0].payload.format`, `models.default.retrain.every`; empty for the file.
        public var keyPath: String
        /// The 1-based line in the source file, when the problem came from a file and the key could be located.
        public var line: Int?
        /// A message for a person, without the key path.
        public var message: String

        /// Creates a problem; the TOML loader fills `line` afterwards.
        public init(_ code: Code, _ keyPath: String, _ message: String, line: Int? = nil) {
            self.code = code
            self.keyPath = keyPath
            self.message = message
            self.line = line
        }

        /// `LINE: key.path: message`, or without the parts that are unknown.
        public var description: String {
            [line.map(String.init), keyPath.isEmpty ? nil : keyPath, message].compactMap { $0 }.joined(separator: ": ")
        }

        /// The problem as a compiler-style diagnostic: `FILE:LINE: key.path: message`.
        public func formatted(file: String) -> String {
            let location = line.map { "\(file):\($0)" } ?? file
            return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
        }
    }

    /// The problems, in file order when they come from a file (problems without a line last).
    public var problems: [Problem]

    /// Creates an error from problems; it should not be empty.
    public init(problems: [Problem]) {
        self.problems = problems
    }

    /// Every problem as a `FILE:LINE: key.path: message` line, for a terminal or a refused start.
    public func formatted(file: String) -> String {
        problems.map { $0.formatted(file: file) }.joined(separator: "\n")
    }

    public var description: String {
        "configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n"
            + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}
