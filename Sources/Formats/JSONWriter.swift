/// Appends JSON tokens to a byte buffer: the one place barnnd escapes a JSON string or spells a JSON number.
///
/// Values written inside ``object(_:)`` and ``array(_:)`` are separated by commas automatically; ``raw(_:)`` writes
/// its text as given and takes no part in that, so hand-laid documents (pretty-printed reports, the forecast payload)
/// place their own punctuation. Non-finite numbers are `null`: JSON has no NaN or infinity.
package struct JSONWriter {
    /// How finite numbers are spelled; both styles read back to the same value.
    package enum NumberStyle: Sendable {
        /// Integral values as integers (`12`), others in Swift's shortest round-trip form (`0.25`): MQTT payloads
        /// and the CLI's reports.
        case compact
        /// Swift's shortest round-trip form always (`12.0`, `1e-05`): the backtest's JSONL, event details and the
        /// schema's JSON texts, whose bytes were fixed before this writer existed (`[0.05,0.5,0.95]` is a key).
        case swift
    }

    package var bytes: [UInt8] = []
    package var numberStyle: NumberStyle
    /// One entry per open object or array: whether a value has been written in it yet.
    private var containerHasValue: [Bool] = []
    /// A key was just written, so the next value follows its colon without a comma.
    private var awaitingValue = false

    package init(numberStyle: NumberStyle = .compact) {
        self.numberStyle = numberStyle
        bytes.reserveCapacity(1024)
    }

    /// The document as text.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    package mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    package mutating func number(_ value: Float) {
        separate()
        guard value.isFinite else { return raw("null") }
        raw(numberStyle == .compact && value == value.rounded() && abs(value) < 1e7 ? "\(Int(value))" : "\(value)")
    }

    package mutating func number(_ value: Double) {
        separate()
        guard value.isFinite else { return raw("null") }
        raw(numberStyle == .compact && value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)")
    }

    /// A number, or `null` when absent.
    package mutating func number(_ value: Float?) {
        if let value { number(value) } else { null() }
    }

    /// A number, or `null` when absent.
    package mutating func number(_ value: Double?) {
        if let value { number(value) } else { null() }
    }

    package mutating func integer(_ value: some BinaryInteger) {
        separate()
        raw("\(value)")
    }

    package mutating func bool(_ value: Bool) {
        separate()
        raw(value ? "true" : "false")
    }

    package mutating func null() {
        separate()
        raw("null")
    }

    /// A string literal: quote, backslash and control characters escaped (RFC 8259 §7), everything else as UTF-8.
    package mutating func string(_ text: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string, or `null` when absent.
    package mutating func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    /// An object key; the next value written is its value.
    package mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        awaitingValue = true
    }

    /// `{…}` around whatever `body` writes (keys and their values).
    package mutating func object(_ body: (inout JSONWriter) -> Void) {
        container(open: "{", close: "}", body)
    }

    /// `[…]` around whatever `body` writes.
    package mutating func array(_ body: (inout JSONWriter) -> Void) {
        container(open: "[", close: "]", body)
    }

    /// A value that writes itself, e.g. an event detail inside a larger message.
    package mutating func value(_ value: some JSONWritable) {
        value.write(to: &self)
    }

    private mutating func container(open: Unicode.Scalar, close: Unicode.Scalar, _ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: open))
        containerHasValue.append(false)
        body(&self)
        containerHasValue.removeLast()
        bytes.append(UInt8(ascii: close))
    }

    /// The comma before a value, unless it is the first in its container or follows its key.
    private mutating func separate() {
        if awaitingValue {
            awaitingValue = false
            return
        }
        guard let hasValue = containerHasValue.last else { return }
        if hasValue { bytes.append(UInt8(ascii: ",")) }
        containerHasValue[containerHasValue.count - 1] = true
    }
}

/// A value with a fixed JSON form, written through ``JSONWriter`` so every document shares its escaping.
package protocol JSONWritable {
    func write(to writer: inout JSONWriter)
}

extension JSONWritable {
    /// The value alone as JSON text.
    package func jsonText(numberStyle: JSONWriter.NumberStyle) -> String {
        var writer = JSONWriter(numberStyle: numberStyle)
        write(to: &writer)
        return writer.text
    }
}
