extension Parser {
    /// Parses one value; `parentDepth` is the nesting depth of the table or array that will hold it.
    mutating func parseValue(parentDepth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        switch peek() {
        case ASCII.quote:
            if peek(1) == ASCII.quote && peek(2) == ASCII.quote {
                return .string(try parseMultilineBasicString())
            }
            return .string(try parseBasicString())
        case ASCII.apostrophe:
            if peek(1) == ASCII.apostrophe && peek(2) == ASCII.apostrophe {
                return .string(try parseMultilineLiteralString())
            }
            return .string(try parseLiteralString())
        case UInt8(ascii: "t"):
            try expectKeyword("true")
            return .boolean(true)
        case UInt8(ascii: "f"):
            try expectKeyword("false")
            return .boolean(false)
        case ASCII.openBracket:
            return try parseArray(parentDepth: parentDepth)
        case ASCII.openBrace:
            return try parseInlineTable(parentDepth: parentDepth)
        case ASCII.plus, ASCII.minus, ASCII.zero...ASCII.nine, UInt8(ascii: "i"), UInt8(ascii: "n"):
            return try parseNumberOrDateTime()
        default:
            throw error("expected a value, found \(found())")
        }
    }

    mutating func expectKeyword(_ keyword: StaticString) throws(TOMLSyntaxError) {
        let count = keyword.utf8CodeUnitCount
        let matches = keyword.withUTF8Buffer { expected in
            bytes.count - index >= count && bytes[index..<index + count].elementsEqual(expected)
        }
        guard matches else {
            throw error("expected a value, found \(found())")
        }
        index += count
    }

    /// Checks a new array or inline table against the depth cap before recursing into it.
    func checkDepth(_ depth: Int) throws(TOMLSyntaxError) {
        guard depth <= maximumDepth else {
            throw error("values are nested more than \(maximumDepth) levels deep")
        }
    }

    mutating func parseArray(parentDepth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let depth = parentDepth + 1
        try checkDepth(depth)
        let open = index
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipBlank()
            if peek() == ASCII.closeBracket {
                index += 1
                return .array(elements)
            }
            guard !isAtEnd else {
                throw error("unterminated array (opened at \(map.position(at: open)))")
            }
            elements.append(try parseValue(parentDepth: depth))
            try skipBlank()
            switch peek() {
            case ASCII.comma:
                index += 1
            case ASCII.closeBracket:
                index += 1
                return .array(elements)
            default:
                guard !isAtEnd else {
                    throw error("unterminated array (opened at \(map.position(at: open)))")
                }
                throw error("expected ',' or ']' after an array element, found \(found())")
            }
        }
    }

    /// Parses `{ ... }` on one line; the result is a plain value, which makes the table immutable afterwards.
    mutating func parseInlineTable(parentDepth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let depth = parentDepth + 1
        try checkDepth(depth)
        let table = TableBuilder(origin: .inline, offset: index, depth: depth)
        index += 1
        skipSpaces()
        if peek() == ASCII.closeBrace {
            index += 1
            return .table(table.freeze(map))
        }
        while true {
            try refuseInlineTableLineEnd()
            let key = try parseKey()
            skipSpaces()
            guard peek() == ASCII.equals else {
                try refuseInlineTableLineEnd()
                throw error("expected '=' after a key, found \(found())")
            }
            index += 1
            skipSpaces()
            try refuseInlineTableLineEnd()
            let value = try parseValue(parentDepth: depth + key.count - 1)
            try insert(value, at: key, into: table)
            skipSpaces()
            switch peek() {
            case ASCII.comma:
                index += 1
                skipSpaces()
                if peek() == ASCII.closeBrace {
                    throw error("a trailing comma is not allowed in an inline table")
                }
            case ASCII.closeBrace:
                index += 1
                return .table(table.freeze(map))
            default:
                try refuseInlineTableLineEnd()
                throw error("expected ',' or '}' in an inline table, found \(found())")
            }
        }
    }

    /// TOML 1.0 inline tables must fit on one line, so newlines and comments get a dedicated message.
    func refuseInlineTableLineEnd() throws(TOMLSyntaxError) {
        switch peek() {
        case ASCII.lineFeed, ASCII.carriageReturn:
            throw error("an inline table must be on a single line")
        case ASCII.hash:
            throw error("a comment is not allowed inside an inline table")
        case 0 where isAtEnd:
            throw error("unterminated inline table")
        default:
            return
        }
    }
}
