/// Parses TOML 1.0 documents into ``TOMLTable`` values, reporting every malformed input as a ``TOMLSyntaxError``.
public enum TOMLParser {
    /// The default limit on nested arrays, inline tables and table levels, which bounds recursion.
    public static let defaultMaximumDepth = 128
    /// The largest accepted `maximumDepth`; nesting is parsed recursively, so the stack sets a hard limit.
    public static let depthLimit = 512

    /// Parses a UTF-8 document (an optional leading BOM is skipped).
    public static func parse(
        _ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth
    ) throws(TOMLSyntaxError)
        -> TOMLTable
    {
        var parser = try Parser(bytes: bytes, maximumDepth: min(max(1, maximumDepth), depthLimit))
        return try parser.parseDocument()
    }

    /// Parses a document held in a `String`.
    public static func parse(
        _ text: String, maximumDepth: Int = defaultMaximumDepth
    ) throws(TOMLSyntaxError)
        -> TOMLTable
    {
        try parse(Array(text.utf8), maximumDepth: maximumDepth)
    }
}

/// ASCII byte constants, so the scanner reads like the grammar.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let apostrophe: UInt8 = 0x27
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let equals: UInt8 = 0x3D
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let delete: UInt8 = 0x7F

    static func isDigit(_ byte: UInt8) -> Bool { byte >= zero && byte <= nine }

    static func isBareKey(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, minus, underscore: true
        default: false
        }
    }
}

/// One component of a dotted key, with the byte offset where it starts.
struct KeyPart {
    var name: String
    var offset: Int
}

/// The scanner state; every method leaves `index` just after what it consumed.
struct Parser {
    let bytes: [UInt8]
    let map: SourceMap
    let maximumDepth: Int
    var index: Int

    init(bytes: [UInt8], maximumDepth: Int) throws(TOMLSyntaxError) {
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.index = hasBOM ? 3 : 0
        self.map = try SourceMap(validating: bytes, contentStart: index)
    }

    var isAtEnd: Bool { index >= bytes.count }

    /// The byte `ahead` positions on, or 0 past the end (the source map has refused real NUL bytes).
    @inline(__always)
    func peek(_ ahead: Int = 0) -> UInt8 {
        let position = index + ahead
        return position < bytes.count ? bytes[position] : 0
    }

    func error(_ message: String, at offset: Int? = nil) -> TOMLSyntaxError {
        map.error(message, at: offset ?? index)
    }

    /// A short description of the input at `index`, for "expected X, found Y" messages.
    func found() -> String {
        guard index < bytes.count else { return "end of input" }
        let byte = bytes[index]
        switch byte {
        case ASCII.lineFeed, ASCII.carriageReturn: return "a newline"
        case 0x21...0x7E: return "'" + String(UnicodeScalar(byte)) + "'"
        case ASCII.space: return "a space"
        case ASCII.tab: return "a tab"
        case ..<0x80: return unicodeNotation(UInt32(byte))
        default: return unicodeNotation(scalarValue(at: index))
        }
    }

    /// Decodes the scalar starting at `offset`; only called on input the source map has validated.
    func scalarValue(at offset: Int) -> UInt32 {
        let lead = bytes[offset]
        let length: Int
        var value: UInt32
        switch lead {
        case ..<0x80: return UInt32(lead)
        case ..<0xE0: (length, value) = (2, UInt32(lead & 0x1F))
        case ..<0xF0: (length, value) = (3, UInt32(lead & 0x0F))
        default: (length, value) = (4, UInt32(lead & 0x07))
        }
        var position = offset + 1
        while position < offset + length && position < bytes.count {
            value = value << 6 | UInt32(bytes[position] & 0x3F)
            position += 1
        }
        return value
    }

    // MARK: Document structure

    mutating func parseDocument() throws(TOMLSyntaxError) -> TOMLTable {
        let root = TableBuilder(origin: .header, offset: index, depth: 0)
        var current = root
        while true {
            skipSpaces()
            guard !isAtEnd else { break }
            switch peek() {
            case ASCII.hash:
                try skipComment()
            case ASCII.lineFeed, ASCII.carriageReturn:
                try consumeNewline()
            case ASCII.openBracket:
                current = try parseHeader(root: root)
                try finishLine(after: "a table header")
            default:
                try parseKeyValue(into: current)
                try finishLine(after: "a value")
            }
        }
        return root.freeze(map)
    }

    /// Skips spaces and tabs, the only whitespace TOML allows within a line.
    @inline(__always)
    mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == ASCII.space || bytes[index] == ASCII.tab {
            index += 1
        }
    }

    /// Consumes LF or CRLF; a CR on its own is not a TOML newline.
    mutating func consumeNewline() throws(TOMLSyntaxError) {
        if peek() == ASCII.lineFeed {
            index += 1
        } else if peek() == ASCII.carriageReturn && peek(1) == ASCII.lineFeed {
            index += 2
        } else {
            throw error("a carriage return must be followed by a line feed")
        }
    }

    /// Skips a comment up to (not including) its line end, refusing the control characters TOML forbids.
    mutating func skipComment() throws(TOMLSyntaxError) {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.lineFeed { return }
            if byte == ASCII.carriageReturn {
                if peek(1) == ASCII.lineFeed { return }
                throw error("a carriage return must be followed by a line feed")
            }
            if byte < ASCII.space && byte != ASCII.tab || byte == ASCII.delete {
                throw error("control character \(unicodeNotation(UInt32(byte))) is not allowed in a comment")
            }
            index += 1
        }
    }

    /// After a header or key/value pair only spaces and a comment may precede the line end.
    mutating func finishLine(after what: String) throws(TOMLSyntaxError) {
        skipSpaces()
        if peek() == ASCII.hash {
            try skipComment()
        }
        guard !isAtEnd else { return }
        guard peek() == ASCII.lineFeed || peek() == ASCII.carriageReturn else {
            throw error("expected a newline after \(what), found \(found())")
        }
        try consumeNewline()
    }

    /// Skips whitespace, newlines and comments, which arrays allow between elements.
    mutating func skipBlank() throws(TOMLSyntaxError) {
        while true {
            skipSpaces()
            switch peek() {
            case ASCII.hash: try skipComment()
            case ASCII.lineFeed, ASCII.carriageReturn: try consumeNewline()
            default: return
            }
        }
    }

    /// Parses `[a.b]` or `[[a.b]]` and returns the table later key/value pairs go into.
    mutating func parseHeader(root: TableBuilder) throws(TOMLSyntaxError) -> TableBuilder {
        let start = index
        let isArray = peek(1) == ASCII.openBracket
        index += isArray ? 2 : 1
        skipSpaces()
        let key = try parseKey()
        skipSpaces()
        if isArray {
            guard peek() == ASCII.closeBracket && peek(1) == ASCII.closeBracket else {
                throw error("expected ']]' to close the array-of-tables header, found \(found())")
            }
            index += 2
            return try appendArrayTable(key, root: root, header: start)
        }
        guard peek() == ASCII.closeBracket else {
            throw error("expected ']' to close the table header, found \(found())")
        }
        index += 1
        return try defineTable(key, root: root, header: start)
    }

    mutating func parseKeyValue(into table: TableBuilder) throws(TOMLSyntaxError) {
        let key = try parseKey()
        skipSpaces()
        guard peek() == ASCII.equals else {
            throw error("expected '=' after a key, found \(found())")
        }
        index += 1
        skipSpaces()
        let value = try parseValue(parentDepth: table.depth + key.count - 1)
        try insert(value, at: key, into: table)
    }

    // MARK: Keys

    /// Parses a possibly dotted key; the result is never empty.
    mutating func parseKey() throws(TOMLSyntaxError) -> [KeyPart] {
        var parts: [KeyPart] = []
        while true {
            parts.append(try parseSimpleKey())
            if parts.count > maximumDepth {
                throw error("a key has more than \(maximumDepth) dotted parts", at: parts[0].offset)
            }
            skipSpaces()
            guard peek() == ASCII.dot else { return parts }
            index += 1
            skipSpaces()
        }
    }

    mutating func parseSimpleKey() throws(TOMLSyntaxError) -> KeyPart {
        let start = index
        switch peek() {
        case ASCII.quote:
            if peek(1) == ASCII.quote && peek(2) == ASCII.quote {
                throw error("a multi-line string cannot be used as a key")
            }
            return KeyPart(name: try parseBasicString(), offset: start)
        case ASCII.apostrophe:
            if peek(1) == ASCII.apostrophe && peek(2) == ASCII.apostrophe {
                throw error("a multi-line string cannot be used as a key")
            }
            return KeyPart(name: try parseLiteralString(), offset: start)
        case let byte where ASCII.isBareKey(byte):
            while index < bytes.count && ASCII.isBareKey(bytes[index]) {
                index += 1
            }
            return KeyPart(name: String(decoding: bytes[start..<index], as: UTF8.self), offset: start)
        default:
            throw error("expected a key, found \(found())")
        }
    }
}
