/// Maps byte offsets to line/column positions.
///
/// Building it doubles as the UTF-8 validation pass, so the parser proper can treat every byte >= 0x80 as
/// part of a well-formed scalar and never has to decode anything except for error messages.
struct SourceMap {
    let bytes: [UInt8]
    private var lineStarts: [Int]
    /// Continuation bytes before each 64-byte block, so a column costs at most one block scan instead of a
    /// scan from the line start (which would make a long one-line inline table quadratic).
    private var continuationsBeforeBlock: [Int] = []
    private static let blockShift = 6

    /// Validates `bytes` from `contentStart` on (after a BOM, if any) and records where each line starts.
    init(validating bytes: [UInt8], contentStart: Int) throws(TOMLSyntaxError) {
        self.bytes = bytes
        self.lineStarts = [contentStart]
        let count = bytes.count
        var index = contentStart
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                if lead == 0x0A {
                    lineStarts.append(index + 1)
                } else if lead == 0 {
                    // The parser uses 0 as its end-of-input sentinel; NUL is invalid everywhere in TOML anyway.
                    throw error("NUL character (U+0000) is not allowed", at: index)
                }
                index += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF:
                length = 2
                scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF:
                length = 3
                scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4:
                length = 4
                scalar = UInt32(lead & 0x07)
            default:
                throw error("invalid UTF-8 lead byte 0x\(hex(lead))", at: index)
            }
            guard count - index >= length else {
                throw error("truncated UTF-8 sequence at end of input", at: index)
            }
            for offset in 1..<length {
                let next = bytes[index + offset]
                guard next & 0xC0 == 0x80 else {
                    throw error("invalid UTF-8 continuation byte 0x\(hex(next))", at: index)
                }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            if length == 3 && (scalar < 0x800 || (0xD800...0xDFFF).contains(scalar)) {
                throw error("invalid UTF-8 sequence (overlong encoding or surrogate)", at: index)
            }
            if length == 4 && (scalar < 0x1_0000 || scalar > 0x10_FFFF) {
                throw error("invalid UTF-8 sequence (overlong encoding or beyond U+10FFFF)", at: index)
            }
            index += length
        }
        continuationsBeforeBlock.reserveCapacity(count >> Self.blockShift + 1)
        var continuations = 0
        for (offset, byte) in bytes.enumerated() {
            if offset & (1 << Self.blockShift - 1) == 0 {
                continuationsBeforeBlock.append(continuations)
            }
            if byte & 0xC0 == 0x80 {
                continuations += 1
            }
        }
    }

    /// The number of UTF-8 continuation bytes in `bytes[0..<offset]`.
    private func continuations(before offset: Int) -> Int {
        guard !continuationsBeforeBlock.isEmpty else { return 0 }
        let block = min(offset >> Self.blockShift, continuationsBeforeBlock.count - 1)
        var total = continuationsBeforeBlock[block]
        var index = block << Self.blockShift
        while index < offset {
            if bytes[index] & 0xC0 == 0x80 {
                total += 1
            }
            index += 1
        }
        return total
    }

    /// The 1-based line and scalar column of a byte offset.
    func position(at offset: Int) -> TOMLPosition {
        var line = 0
        return position(at: offset, lineHint: &line)
    }

    /// Like `position(at:)`, starting from the line of the previous lookup, since `freeze` asks about
    /// keys in document order and most of them are on the same or the next line.
    func position(at offset: Int, lineHint line: inout Int) -> TOMLPosition {
        let last = lineStarts.count - 1
        if line > last || lineStarts[line] > offset {
            line = 0
        }
        if line < last && lineStarts[line + 1] <= offset {
            if line + 1 == last || lineStarts[line + 2] > offset {
                line += 1
            } else {
                var low = line + 1
                var high = last
                while low < high {
                    let middle = low + (high - low + 1) / 2
                    if lineStarts[middle] <= offset {
                        low = middle
                    } else {
                        high = middle - 1
                    }
                }
                line = low
            }
        }
        let start = lineStarts[line]
        let end = max(start, min(offset, bytes.count))
        var continuationCount = 0
        if end - start <= 1 << Self.blockShift {
            for byte in bytes[start..<end] where byte & 0xC0 == 0x80 {
                continuationCount += 1
            }
        } else {
            continuationCount = continuations(before: end) - continuations(before: start)
        }
        return TOMLPosition(line: line + 1, column: end - start - continuationCount + 1)
    }

    func error(_ message: String, at offset: Int) -> TOMLSyntaxError {
        TOMLSyntaxError(position: position(at: offset), message: message)
    }
}

/// Two upper-case hex digits, for byte values in messages.
func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count < 2 ? "0" + digits : digits
}

/// `U+XXXX` notation for a scalar value in messages.
func unicodeNotation(_ value: UInt32) -> String {
    var digits = String(value, radix: 16, uppercase: true)
    while digits.count < 4 {
        digits = "0" + digits
    }
    return "U+" + digits
}
