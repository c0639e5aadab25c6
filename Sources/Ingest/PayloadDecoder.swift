public import Configuration
import Formats

/// Turns one MQTT payload into readings, according to a rule's payload settings. Pure: no I/O, no clock.
///
/// - `number`: the whole payload is one decimal number in UTF-8 (`21.5`, `-3e2`), surrounding whitespace ignored.
///   `nan`/`inf` are `non_finite`; hex floats and anything else are `non_numeric`.
/// - `json`: the value at `valuePath`. Numbers are taken as they are; `true`/`false` read as 1/0 (on/off sensors are
///   common and the mapping is unambiguous); strings, even numeric ones, are `non_numeric` because their format is
///   the sender's guess. The optional `timePath` holds an ISO-8601 string with offset or an epoch number in
///   `timeUnit`; when it is absent from a message the arrival time applies.
/// - `senml`: see `PayloadDecoder+SenML.swift`.
public struct PayloadDecoder: Sendable {
    /// The readings of one payload and the records of it that were rejected.
    ///
    /// `number` and `json` payloads give one reading or one rejection; a SenML pack may give several of each.
    public struct Output: Sendable, Equatable {
        /// Readings with finite values, in payload order.
        public var readings: [Reading] = []
        /// Rejected payloads or records.
        public var rejections: [Rejection] = []

        /// Creates an output.
        public init(readings: [Reading] = [], rejections: [Rejection] = []) {
            self.readings = readings
            self.rejections = rejections
        }

        static func rejected(_ reason: RejectReason, _ detail: String) -> Output {
            Output(rejections: [Rejection(reason, detail)])
        }
    }

    enum Format: Sendable {
        case number
        case json(value: JSONPath, time: JSONPath?, unit: DaemonConfiguration.TimeUnit)
        case senml
    }

    let format: Format

    /// A decoder for a rule's payload settings; throws the first path problem (``DaemonConfiguration/validate()``
    /// reports all of them).
    public init(_ settings: DaemonConfiguration.PayloadSettings) throws(JSONPath.ParseError) {
        switch settings.format {
        case .number: format = .number
        case .senml: format = .senml
        case .json:
            let value = try JSONPath(settings.valuePath ?? "")
            let time = try settings.timePath.map { (path: String) throws(JSONPath.ParseError) in try JSONPath(path) }
            format = .json(value: value, time: time, unit: settings.timeUnit)
        }
    }

    /// Decodes a payload that arrived at `arrivalTime` (seconds since the epoch; SenML relative times need it).
    public func decode(_ payload: [UInt8], arrivalTime: Double) -> Output {
        switch format {
        case .number:
            switch Self.number(payload) {
            case .success(let value): return Output(readings: [Reading(value: value)])
            case .failure(let rejection): return Output(rejections: [rejection])
            }
        case .json(let valuePath, let timePath, let unit):
            return Self.json(payload, valuePath: valuePath, timePath: timePath, unit: unit)
        case .senml:
            return Self.senml(payload, arrivalTime: arrivalTime)
        }
    }

    /// Parses a bare decimal number. Works on bytes: this runs once per message.
    static func number(_ payload: [UInt8]) -> Result<Double, Rejection> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        var start = payload.startIndex
        var end = payload.endIndex
        while start < end, isSpace(payload[start]) { start += 1 }
        while end > start, isSpace(payload[end - 1]) { end -= 1 }
        let text = payload[start..<end]
        if isDecimal(text) {
            guard let value = Double(String(decoding: text, as: UTF8.self)) else {
                return .failure(Rejection(.nonNumeric, "payload is not a number"))
            }
            guard value.isFinite else { return .failure(Rejection(.nonFinite, "number overflows a Double")) }
            return .success(value)
        }
        if text.isEmpty { return .failure(Rejection(.nonNumeric, "payload is empty")) }
        guard String(validating: payload, as: UTF8.self) != nil else {
            return .failure(Rejection(.nonNumeric, "payload is not UTF-8 text"))
        }
        let unsigned = text.first == UInt8(ascii: "-") || text.first == UInt8(ascii: "+") ? text.dropFirst() : text
        let word = String(decoding: unsigned, as: UTF8.self).lowercased()
        if ["nan", "inf", "infinity"].contains(word) {
            return .failure(Rejection(.nonFinite, "payload is \(String(decoding: text, as: UTF8.self))"))
        }
        return .failure(Rejection(.nonNumeric, "payload is not a number"))
    }

    /// `[+-]? digits [. digits] [(e|E) [+-]? digits]`, also `.5` and `5.`: what people mean by a decimal number,
    /// and not the hex floats and `nan` that `Double.init` also accepts.
    private static func isDecimal(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var byte = iterator.next()
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { (48...57).contains($0) } ?? false }
        if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { byte = iterator.next() }
        var mantissaDigits = 0
        while isDigit(byte) {
            mantissaDigits += 1
            byte = iterator.next()
        }
        if byte == UInt8(ascii: ".") {
            byte = iterator.next()
            while isDigit(byte) {
                mantissaDigits += 1
                byte = iterator.next()
            }
        }
        guard mantissaDigits > 0 else { return false }
        if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            byte = iterator.next()
            if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { byte = iterator.next() }
            guard isDigit(byte) else { return false }
            while isDigit(byte) { byte = iterator.next() }
        }
        return byte == nil
    }

    private static func json(
        _ payload: [UInt8], valuePath: JSONPath, timePath: JSONPath?, unit: DaemonConfiguration.TimeUnit
    ) -> Output {
        guard let document = JSONValue.parse(payload) else {
            return .rejected(.invalidJSON, "payload is not valid JSON")
        }
        guard let found = valuePath.resolve(in: document) else {
            return .rejected(.missingPath, "no value at '\(valuePath)'")
        }
        let value: Double
        switch found {
        case .number(let number):
            guard number.isFinite else { return .rejected(.nonFinite, "value at '\(valuePath)' is not finite") }
            value = number
        case .bool(let flag): value = flag ? 1 : 0
        default: return .rejected(.nonNumeric, "value at '\(valuePath)' is \(found.kindName)")
        }
        var time: Double?
        if let timePath, let timeValue = timePath.resolve(in: document) {
            switch timeValue {
            case .number(let number): time = number / unit.perSecond
            case .string(let text):
                guard let parsed = UTCTimestamp.parse(text, requiringOffset: true) else {
                    return .rejected(
                        .invalidTimestamp, "time at '\(timePath)' is not an ISO-8601 timestamp with offset")
                }
                time = parsed
            default: return .rejected(.invalidTimestamp, "time at '\(timePath)' is \(timeValue.kindName)")
            }
            if let checked = time, !checked.isFinite || checked < 0 {
                return .rejected(.invalidTimestamp, "time at '\(timePath)' is before 1970 or not finite")
            }
        }
        return Output(readings: [Reading(time: time, value: value)])
    }
}
