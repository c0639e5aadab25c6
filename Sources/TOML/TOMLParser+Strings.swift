extension Parser {
    /// Whether `byte` is a control character TOML refuses inside strings (tab is allowed, newlines are
    /// handled by the callers because only multi-line strings accept them).
    @inline(__always)
    static func isForbiddenControl(_ byte: UInt8) -> Bool {
        byte < ASCII.space && byte != ASCII.tab || byte == ASCII.delete
    }

    func controlCharacterError() -> TOMLSyntaxError {
        let byte = peek()
        if byte == ASCII.carriageReturn {
            return error("a carriage return must be followed by a line feed")
        }
        return error("control character \(unicodeNotation(UInt32(byte))) must be escaped")
    }

    /// Parses `"..."`; `index` is at the opening quote.
    mutating func parseBasicString() throws(TOMLSyntaxError) -> String {
        let open = index
        index += 1
        var output: [UInt8] = []
        var runStart = index
        while true {
            guard index < bytes.count else {
                throw error("unterminated string", at: open)
            }
            let byte = bytes[index]
            switch byte {
            case ASCII.quote:
                output.append(contentsOf: bytes[runStart..<index])
                index += 1
                return String(decoding: output, as: UTF8.self)
            case ASCII.backslash:
                output.append(contentsOf: bytes[runStart..<index])
                try parseEscape(into: &output)
                runStart = index
            case ASCII.lineFeed, ASCII.carriageReturn:
                throw error("unterminated string: a basic string cannot contain a newline (use \"\"\" for multi-line)")
            case _ where Parser.isForbiddenControl(byte):
                throw controlCharacterError()
            default:
                index += 1
            }
        }
    }

    /// Parses `'...'`; `index` is at the opening apostrophe.
    mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        let open = index
        index += 1
        let start = index
        while true {
            guard index < bytes.count else {
                throw error("unterminated string", at: open)
            }
            let byte = bytes[index]
            switch byte {
            case ASCII.apostrophe:
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            case ASCII.lineFeed, ASCII.carriageReturn:
                throw error("unterminated string: a literal string cannot contain a newline (use ''' for multi-line)")
            case _ where Parser.isForbiddenControl(byte):
                throw controlCharacterError()
            default:
                index += 1
            }
        }
    }

    /// Skips the newline TOML trims right after an opening `"""` or `'''`.
    mutating func skipNewlineAfterOpeningDelimiter() {
        if peek() == ASCII.lineFeed {
            index += 1
        } else if peek() == ASCII.carriageReturn && peek(1) == ASCII.lineFeed {
            index += 2
        }
    }

    /// At a run of at least three `delimiter`s, returns how many of them (0...2) belong to the content.
    ///
    /// Up to two delimiters may sit right before the closing three, so the run is 3...5 long.
    func closingRunContentCount(_ delimiter: UInt8) throws(TOMLSyntaxError) -> Int {
        var length = 3
        while peek(length) == delimiter {
            length += 1
        }
        guard length <= 5 else {
            throw error("too many consecutive quotes in a multi-line string", at: index + 5)
        }
        return length - 3
    }

    /// Parses `"""..."""`; `index` is at the first opening quote.
    mutating func parseMultilineBasicString() throws(TOMLSyntaxError) -> String {
        try parseMultilineString(delimiter: ASCII.quote, escapes: true)
    }

    /// Parses `'''...'''`; `index` is at the first opening apostrophe.
    mutating func parseMultilineLiteralString() throws(TOMLSyntaxError) -> String {
        try parseMultilineString(delimiter: ASCII.apostrophe, escapes: false)
    }

    /// The one loop behind both multi-line forms: they differ only in the delimiter and in whether a backslash
    /// starts an escape (basic) or is an ordinary character (literal).
    private mutating func parseMultilineString(delimiter: UInt8, escapes: Bool) throws(TOMLSyntaxError) -> String {
        let open = index
        index += 3
        skipNewlineAfterOpeningDelimiter()
        var output: [UInt8] = []
        var runStart = index
        while true {
            guard index < bytes.count else {
                throw error("unterminated multi-line string", at: open)
            }
            let byte = bytes[index]
            switch byte {
            case delimiter where peek(1) == delimiter && peek(2) == delimiter:
                let extra = try closingRunContentCount(delimiter)
                output.append(contentsOf: bytes[runStart..<index + extra])
                index += extra + 3
                return String(decoding: output, as: UTF8.self)
            case ASCII.backslash where escapes:
                output.append(contentsOf: bytes[runStart..<index])
                if !(try skipLineEndingBackslash()) {
                    try parseEscape(into: &output)
                }
                runStart = index
            case ASCII.lineFeed:
                index += 1
            case ASCII.carriageReturn:
                guard peek(1) == ASCII.lineFeed else {
                    throw controlCharacterError()
                }
                // Newlines are normalised to LF, as the spec permits, so values do not depend on the editor.
                output.append(contentsOf: bytes[runStart..<index])
                index += 1
                runStart = index
            case _ where Parser.isForbiddenControl(byte):
                throw controlCharacterError()
            default:
                index += 1
            }
        }
    }

    /// Handles a backslash followed by optional spaces and a newline, which removes all whitespace up to
    /// the next visible character; returns false when the backslash starts an ordinary escape instead.
    mutating func skipLineEndingBackslash() throws(TOMLSyntaxError) -> Bool {
        var ahead = 1
        while peek(ahead) == ASCII.space || peek(ahead) == ASCII.tab {
            ahead += 1
        }
        let next = peek(ahead)
        guard next == ASCII.lineFeed || next == ASCII.carriageReturn && peek(ahead + 1) == ASCII.lineFeed else {
            return false
        }
        index += ahead
        while true {
            switch peek() {
            case ASCII.space, ASCII.tab, ASCII.lineFeed:
                index += 1
            case ASCII.carriageReturn where peek(1) == ASCII.lineFeed:
                index += 2
            default:
                return true
            }
        }
    }

    /// Decodes the escape at `index` (a backslash) and appends its UTF-8 bytes.
    mutating func parseEscape(into output: inout [UInt8]) throws(TOMLSyntaxError) {
        let escaped: UInt8
        switch peek(1) {
        case UInt8(ascii: "b"): escaped = 0x08
        case UInt8(ascii: "t"): escaped = ASCII.tab
        case UInt8(ascii: "n"): escaped = ASCII.lineFeed
        case UInt8(ascii: "f"): escaped = 0x0C
        case UInt8(ascii: "r"): escaped = ASCII.carriageReturn
        case ASCII.quote: escaped = ASCII.quote
        case ASCII.backslash: escaped = ASCII.backslash
        case UInt8(ascii: "u"):
            try appendUnicodeEscape(digits: 4, into: &output)
            return
        case UInt8(ascii: "U"):
            try appendUnicodeEscape(digits: 8, into: &output)
            return
        default:
            index += 1
            throw error("invalid escape sequence '\\\(found().trimmingQuotes)'", at: index - 1)
        }
        output.append(escaped)
        index += 2
    }

    mutating func appendUnicodeEscape(digits: Int, into output: inout [UInt8]) throws(TOMLSyntaxError) {
        let start = index
        var value: UInt32 = 0
        for offset in 0..<digits {
            guard let digit = hexDigitValue(peek(2 + offset)) else {
                throw error("\\\(digits == 4 ? "u" : "U") must be followed by \(digits) hex digits", at: start)
            }
            value = value << 4 | UInt32(digit)
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("\(unicodeNotation(value)) is not a Unicode scalar value (surrogate or too large)", at: start)
        }
        output.append(contentsOf: scalar.utf8)
        index += 2 + digits
    }
}

func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    case 0x61...0x66: byte - 0x61 + 10
    default: nil
    }
}

extension String {
    /// `found()` wraps ASCII characters in quotes; escape messages embed the bare character instead.
    var trimmingQuotes: String {
        if count == 3, first == "'", last == "'" {
            return String(dropFirst().dropLast())
        }
        return self
    }
}
