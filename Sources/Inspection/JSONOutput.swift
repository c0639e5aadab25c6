/// A JSON document built in a fixed key order, so `--format json` output is stable and diffable.
///
/// Objects keep the order their keys were written in; numbers use the shortest text that reads back exactly;
/// non-finite numbers become `null`. Arrays of objects print one element per line; everything else prints on one line.
public indirect enum JSONOutput: Sendable, Equatable {
    /// A JSON object with keys in the given order.
    case object([(String, JSONOutput)])
    /// A JSON array.
    case array([JSONOutput])
    /// A number.
    case number(Double)
    /// An integer (counts, milliseconds).
    case integer(Int64)
    /// A string.
    case string(String)
    /// true or false.
    case bool(Bool)
    /// null.
    case null

    /// A number or null.
    public static func number(_ value: Double?) -> JSONOutput { value.map { .number($0) } ?? .null }
    /// A string or null.
    public static func string(_ value: String?) -> JSONOutput { value.map { .string($0) } ?? .null }

    public static func == (lhs: JSONOutput, rhs: JSONOutput) -> Bool { lhs.rendered() == rhs.rendered() }

    /// The document as text with a final newline.
    public func rendered() -> String {
        var text = ""
        write(into: &text, indent: 0)
        return text + "\n"
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: false
        default: true
        }
    }

    /// Prints on one line: no array of containers anywhere inside (a history point with its quantiles, a stream
    /// with its drift window); arrays of objects print one element per line.
    private var isFlat: Bool {
        switch self {
        case .object(let members): members.allSatisfy { $0.1.isFlat }
        case .array(let elements): elements.allSatisfy(\.isScalar)
        default: true
        }
    }

    private func write(into text: inout String, indent: Int) {
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .integer(let value): text += String(value)
        case .number(let value): text += Self.numberText(value)
        case .string(let value): Self.writeString(value, into: &text)
        case .array(let elements):
            if elements.isEmpty {
                text += "[]"
            } else if isFlat {
                text += "["
                for (index, element) in elements.enumerated() {
                    if index > 0 { text += ", " }
                    element.write(into: &text, indent: indent)
                }
                text += "]"
            } else {
                let pad = String(repeating: "  ", count: indent + 1)
                text += "[\n"
                for (index, element) in elements.enumerated() {
                    text += pad
                    element.write(into: &text, indent: indent + 1)
                    text += index == elements.count - 1 ? "\n" : ",\n"
                }
                text += String(repeating: "  ", count: indent) + "]"
            }
        case .object(let members):
            if members.isEmpty {
                text += "{}"
            } else if isFlat {
                text += "{"
                for (index, (key, value)) in members.enumerated() {
                    if index > 0 { text += ", " }
                    Self.writeString(key, into: &text)
                    text += ": "
                    value.write(into: &text, indent: indent)
                }
                text += "}"
            } else {
                let pad = String(repeating: "  ", count: indent + 1)
                text += "{\n"
                for (index, (key, value)) in members.enumerated() {
                    text += pad
                    Self.writeString(key, into: &text)
                    text += ": "
                    value.write(into: &text, indent: indent + 1)
                    text += index == members.count - 1 ? "\n" : ",\n"
                }
                text += String(repeating: "  ", count: indent) + "}"
            }
        }
    }

    static func numberText(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    private static func writeString(_ value: String, into text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
