/// Home Assistant's identifiers for barnnd's entities: `unique_id`s that are stable across restarts and valid as
/// the `<object_id>` level of a discovery topic.
public enum HomeAssistantIdentifier {
    /// Longest sanitized client id kept in a `unique_id`, so ids stay readable in Home Assistant's registry.
    static let clientIDLimit = 32
    /// Longest sanitized stream id kept in a `unique_id`; the hash keeps truncated ids apart.
    static let streamLimit = 64

    /// `<client id>_<stream id>_<hash>` over `[a-zA-Z0-9_-]`: every other character becomes `_` and both parts
    /// are cut to a bounded length, so a 48-bit FNV-1a hash of the exact client and stream ids keeps
    /// `lab/t1` and `lab_t1` (or two long ids sharing a prefix) apart.
    public static func uniqueID(clientID: String, stream: String) -> String {
        var bytes = Array(clientID.utf8)
        bytes.append(0)
        bytes.append(contentsOf: stream.utf8)
        return sanitized(clientID, limit: clientIDLimit) + "_" + sanitized(stream, limit: streamLimit) + "_"
            + hexadecimal(fnv1a(bytes) & 0xFFFF_FFFF_FFFF, digits: 12)
    }

    /// The device identifier of the barnnd instance with MQTT client id `clientID`.
    public static func deviceIdentifier(clientID: String) -> String {
        "barnnd_" + sanitized(clientID, limit: clientIDLimit)
            + "_" + hexadecimal(fnv1a(Array(clientID.utf8)) & 0xFFFF_FFFF, digits: 8)
    }

    /// `text` with every character outside `[a-zA-Z0-9_-]` replaced by `_`, cut to `limit` characters.
    static func sanitized(_ text: String, limit: Int) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            let allowed =
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "_" || scalar == "-"
            result.unicodeScalars.append(allowed ? scalar : "_")
        }
        return result
    }

    /// 64-bit FNV-1a: tiny, fixed forever, and good enough to tell stream ids apart.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static func hexadecimal(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
