extension Parser {
    /// Reads exactly `count` ASCII digits as a number, or returns nil without consuming anything.
    mutating func readDigits(_ count: Int) -> Int? {
        var value = 0
        for offset in 0..<count {
            let byte = peek(offset)
            guard ASCII.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - ASCII.zero)
        }
        index += count
        return value
    }

    mutating func expect(_ byte: UInt8, in what: String) throws(TOMLSyntaxError) {
        guard peek() == byte else {
            throw error("invalid \(what): expected '\(String(UnicodeScalar(byte)))', found \(found())")
        }
        index += 1
    }

    mutating func requireDigits(_ count: Int, in what: String) throws(TOMLSyntaxError) -> Int {
        guard let value = readDigits(count) else {
            throw error("invalid \(what): expected \(count) digits, found \(found())")
        }
        return value
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    mutating func parseDate() throws(TOMLSyntaxError) -> TOMLLocalDate {
        let start = index
        let year = try requireDigits(4, in: "date")
        try expect(ASCII.minus, in: "date")
        let month = try requireDigits(2, in: "date")
        try expect(ASCII.minus, in: "date")
        let day = try requireDigits(2, in: "date")
        guard (1...12).contains(month) else {
            throw error("invalid date: month \(month) is not in 1...12", at: start)
        }
        guard day >= 1 && day <= Parser.daysIn(month: month, year: year) else {
            throw error("invalid date: \(padded(year, 4))-\(padded(month, 2)) has no day \(day)", at: start)
        }
        return TOMLLocalDate(year: year, month: month, day: day)
    }

    mutating func parseTime() throws(TOMLSyntaxError) -> TOMLLocalTime {
        let start = index
        let hour = try requireDigits(2, in: "time")
        try expect(ASCII.colon, in: "time")
        let minute = try requireDigits(2, in: "time")
        // TOML 1.0 requires seconds; omitting them is a TOML 1.1 extension.
        try expect(ASCII.colon, in: "time")
        let second = try requireDigits(2, in: "time")
        var nanosecond = 0
        if peek() == ASCII.dot {
            index += 1
            guard ASCII.isDigit(peek()) else {
                throw error("invalid time: expected a digit after '.', found \(found())")
            }
            var scale = 100_000_000
            while index < bytes.count && ASCII.isDigit(bytes[index]) {
                // Precision beyond nanoseconds is truncated, as the spec allows.
                nanosecond += Int(bytes[index] - ASCII.zero) * scale
                scale /= 10
                index += 1
            }
        }
        guard hour <= 23 && minute <= 59 && second <= 60 else {
            throw error("invalid time: hour, minute or second out of range", at: start)
        }
        return TOMLLocalTime(hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }

    /// Parses a local date, local date-time or offset date-time; `index` is at the year.
    mutating func parseDateOrDateTime() throws(TOMLSyntaxError) -> TOMLValue {
        let date = try parseDate()
        let separator = peek()
        let isTimeSeparator =
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
            // A space only separates a time when a time follows; otherwise it ends the date.
            || separator == ASCII.space && ASCII.isDigit(peek(1))
        guard isTimeSeparator else {
            return .localDate(date)
        }
        index += 1
        let time = try parseTime()
        switch peek() {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
            return .offsetDateTime(TOMLOffsetDateTime(date: date, time: time, offsetMinutes: 0))
        case ASCII.plus, ASCII.minus:
            let start = index
            let negative = peek() == ASCII.minus
            index += 1
            let hours = try requireDigits(2, in: "offset")
            try expect(ASCII.colon, in: "offset")
            let minutes = try requireDigits(2, in: "offset")
            guard hours <= 23 && minutes <= 59 else {
                throw error("invalid offset: hours or minutes out of range", at: start)
            }
            let offset = hours * 60 + minutes
            return .offsetDateTime(
                TOMLOffsetDateTime(date: date, time: time, offsetMinutes: negative ? -offset : offset))
        default:
            return .localDateTime(TOMLLocalDateTime(date: date, time: time))
        }
    }
}
