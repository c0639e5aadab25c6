import Formats

/// A `timestamp,stream,value` CSV (the layout of `shared/data` and of `barnnd history --format csv`) held in time
/// order, ready to be replayed as sensor messages.
///
/// Rows with the same timestamp keep their file order, so a replay is deterministic.
public struct ReplayRecording: Sendable {
    /// One reading.
    public struct Row: Sendable, Equatable {
        /// Unix seconds.
        public var time: Double
        /// Stream name as written in the file.
        public var stream: String
        /// The value; `nil` for an empty cell (a missing reading, which a replay skips).
        public var value: Double?

        /// Creates a row.
        public init(time: Double, stream: String, value: Double?) {
            self.time = time
            self.stream = stream
            self.value = value
        }
    }

    /// What is wrong with a CSV line.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number.
        public var line: Int
        /// What is wrong.
        public var message: String
        public var description: String { "line \(line): \(message)" }

        /// Creates an error for `line`.
        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    /// Rows sorted by time.
    public private(set) var rows: [Row]

    /// Parses CSV text with a header naming `timestamp`, `stream` and `value` columns in any order.
    public init(csv text: String) throws(ParseError) {
        var rows: [Row] = []
        var columns: (time: Int, stream: Int, value: Int)?
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingWhitespace()
            }
            guard let indices = columns else {
                guard let time = fields.firstIndex(of: "timestamp"), let stream = fields.firstIndex(of: "stream"),
                    let value = fields.firstIndex(of: "value")
                else {
                    throw ParseError(line: lineNumber, message: "header must name timestamp, stream and value columns")
                }
                columns = (time, stream, value)
                continue
            }
            guard fields.count > max(indices.time, indices.stream, indices.value) else {
                throw ParseError(
                    line: lineNumber,
                    message: "expected at least \(max(indices.time, indices.stream, indices.value) + 1) fields")
            }
            guard let time = UTCTimestamp.parse(fields[indices.time]) ?? Double(fields[indices.time]) else {
                throw ParseError(line: lineNumber, message: "unreadable timestamp '\(fields[indices.time].prefix(40))'")
            }
            let stream = String(fields[indices.stream])
            guard !stream.isEmpty else { throw ParseError(line: lineNumber, message: "empty stream name") }
            let valueText = fields[indices.value]
            var value: Double?
            if !valueText.isEmpty && valueText != "NA" && valueText != "nan" {
                guard let parsed = Double(valueText) else {
                    throw ParseError(line: lineNumber, message: "unreadable value '\(valueText.prefix(40))'")
                }
                value = parsed
            }
            rows.append(Row(time: time, stream: stream, value: value))
        }
        guard columns != nil else { throw ParseError(line: max(lineNumber, 1), message: "no header line") }
        // A stable sort keeps same-time rows in file order.
        self.rows = rows.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(
            \.element)
    }

    /// Stream names in order of first appearance.
    public var streams: [String] {
        var seen = Set<String>()
        return rows.compactMap { seen.insert($0.stream).inserted ? $0.stream : nil }
    }

    /// Wall-clock offset (seconds from the start of the replay) at which `row` is due at `speed`× data time;
    /// `speed` of `.infinity` replays as fast as possible.
    public func wallOffset(of row: Row, speed: Double) -> Double {
        guard let first = rows.first, speed.isFinite, speed > 0 else { return 0 }
        return (row.time - first.time) / speed
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var slice = self
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice
    }
}
