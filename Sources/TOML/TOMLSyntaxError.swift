/// A 1-based line and column in the source text; columns count Unicode scalars, not bytes.
public struct TOMLPosition: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    /// The 1-based column, counted in Unicode scalars from the start of the line.
    public var column: Int

    /// Creates a position from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The position as `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// Why a document is not valid TOML 1.0, and where the problem was found.
public struct TOMLSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line of the offending input.
    public var line: Int
    /// The 1-based column (in Unicode scalars) of the offending input.
    public var column: Int
    /// A human-readable explanation without the location prefix.
    public var message: String

    /// Creates an error at a 1-based line and column.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// Creates an error at a position.
    public init(position: TOMLPosition, message: String) {
        self.init(line: position.line, column: position.column, message: message)
    }

    /// The location of the error.
    public var position: TOMLPosition { TOMLPosition(line: line, column: column) }

    /// The error as `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}
