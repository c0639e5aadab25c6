/// Appends JSON tokens to a byte buffer; numbers use Swift's shortest round-trip form, non-finite ones `null`.
package struct JSONWriter {
    package var bytes: [UInt8] = []

    package init() { bytes.reserveCapacity(1024) }

    package mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    package mutating func number(_ value: Float) {
        value.isFinite ? raw(value == value.rounded() && abs(value) < 1e7 ? "\(Int(value))" : "\(value)") : raw("null")
    }

    package mutating func number(_ value: Double) {
        value.isFinite
            ? raw(value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)") : raw("null")
    }

    package mutating func string(_ text: String) {
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
}
