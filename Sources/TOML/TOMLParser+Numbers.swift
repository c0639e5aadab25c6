extension Parser {
    /// Dispatches on the shape of the token: `YYYY-` starts a date, `HH:` a time, anything else a number.
    mutating func parseNumberOrDateTime() throws(TOMLSyntaxError) -> TOMLValue {
        if ASCII.isDigit(peek()) && ASCII.isDigit(peek(1)) {
            if ASCII.isDigit(peek(2)) && ASCII.isDigit(peek(3)) && peek(4) == ASCII.minus {
                return try parseDateOrDateTime()
            }
            if peek(2) == ASCII.colon {
                return .localTime(try parseTime())
            }
        }
        return try parseNumber()
    }

    static func isNumberByte(_ byte: UInt8) -> Bool {
        ASCII.isBareKey(byte) || byte == ASCII.plus || byte == ASCII.dot
    }

    /// Scans the whole token first so that the grammar checks below work on a fixed range.
    mutating func parseNumber() throws(TOMLSyntaxError) -> TOMLValue {
        let start = index
        while index < bytes.count && Parser.isNumberByte(bytes[index]) {
            index += 1
        }
        let end = index
        var position = start
        var negative = false
        var signed = false
        if bytes[position] == ASCII.plus || bytes[position] == ASCII.minus {
            signed = true
            negative = bytes[position] == ASCII.minus
            position += 1
        }
        let body = bytes[position..<end]
        if body.elementsEqual("inf".utf8) {
            return .float(negative ? -.infinity : .infinity)
        }
        if body.elementsEqual("nan".utf8) {
            return .float(negative ? -.nan : .nan)
        }
        if end - position >= 2 && bytes[position] == ASCII.zero {
            let radix: Int64? =
                switch bytes[position + 1] {
                case UInt8(ascii: "x"): 16
                case UInt8(ascii: "o"): 8
                case UInt8(ascii: "b"): 2
                default: nil
                }
            if let radix {
                guard !signed else {
                    throw error("hexadecimal, octal and binary integers cannot have a sign", at: start)
                }
                return .integer(try parseRadixInteger(from: position + 2, to: end, radix: radix, tokenStart: start))
            }
        }
        return try parseDecimal(from: position, to: end, negative: negative, tokenStart: start)
    }

    /// Returns the end of a run of digits where every underscore sits between two digits.
    func scanDigits(from start: Int, to end: Int, isDigit: (UInt8) -> Bool) throws(TOMLSyntaxError) -> Int {
        var position = start
        guard position < end, isDigit(bytes[position]) else {
            throw error("invalid number: expected a digit", at: min(position, end))
        }
        position += 1
        while position < end {
            let byte = bytes[position]
            if isDigit(byte) {
                position += 1
            } else if byte == ASCII.underscore {
                guard position + 1 < end, isDigit(bytes[position + 1]) else {
                    throw error("invalid number: an underscore must be between two digits", at: position)
                }
                position += 2
            } else {
                break
            }
        }
        return position
    }

    mutating func parseRadixInteger(
        from start: Int, to end: Int, radix: Int64, tokenStart: Int
    )
        throws(TOMLSyntaxError) -> Int64
    {
        let isDigit: (UInt8) -> Bool = { byte in
            guard let value = hexDigitValue(byte) else { return false }
            return Int64(value) < radix
        }
        let digitsEnd = try scanDigits(from: start, to: end, isDigit: isDigit)
        guard digitsEnd == end else {
            throw error("invalid digit in a base-\(radix) integer", at: digitsEnd)
        }
        var value: Int64 = 0
        for byte in bytes[start..<end] where byte != ASCII.underscore {
            let digit = Int64(hexDigitValue(byte) ?? 0)
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflowB) = shifted.addingReportingOverflow(digit)
            guard !overflowA && !overflowB else {
                throw error("integer does not fit in 64 bits", at: tokenStart)
            }
            value = sum
        }
        return value
    }

    mutating func parseDecimal(
        from start: Int, to end: Int, negative: Bool, tokenStart: Int
    )
        throws(TOMLSyntaxError) -> TOMLValue
    {
        let integerEnd = try scanDigits(from: start, to: end, isDigit: ASCII.isDigit)
        if bytes[start] == ASCII.zero && integerEnd - start > 1 {
            throw error("leading zeros are not allowed in a decimal number", at: start)
        }
        var position = integerEnd
        var isFloat = false
        if position < end && bytes[position] == ASCII.dot {
            isFloat = true
            position = try scanDigits(from: position + 1, to: end, isDigit: ASCII.isDigit)
        }
        if position < end && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            isFloat = true
            position += 1
            if position < end && (bytes[position] == ASCII.plus || bytes[position] == ASCII.minus) {
                position += 1
            }
            position = try scanDigits(from: position, to: end, isDigit: ASCII.isDigit)
        }
        guard position == end else {
            throw error("invalid number", at: tokenStart)
        }
        if isFloat {
            var text = ""
            text.reserveCapacity(end - tokenStart)
            for byte in bytes[tokenStart..<end] where byte != ASCII.underscore {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            }
            guard let value = Double(text) else {
                throw error("invalid float", at: tokenStart)
            }
            return .float(value)
        }
        var value: Int64 = 0
        for byte in bytes[start..<integerEnd] where byte != ASCII.underscore {
            let digit = Int64(byte - ASCII.zero)
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            // Accumulating negatively lets Int64.min through without a positive intermediate.
            let (sum, overflowB) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowA && !overflowB else {
                throw error("integer does not fit in 64 bits", at: tokenStart)
            }
            value = sum
        }
        return .integer(value)
    }
}
