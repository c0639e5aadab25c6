/// Fixed-width numbers that saved states (Forecasting's `RingBuffer`, the saved forecasts, the recurrent state) encode
/// as one base64 string of their little-endian bytes instead of a list of numbers: bit-exact (NaN and infinities
/// included, so a restored state forecasts exactly as before), about half the size of JSON numbers, and much cheaper
/// to encode and decode. Saved stream states are mostly such windows, and the engine encodes them on its own thread.
public protocol PackedScalar: Codable {
    /// The integer with the same bits.
    associatedtype Bits: FixedWidthInteger
    /// This value's bits.
    var packedBits: Bits { get }
    /// The value with these bits.
    init(packedBits: Bits)
}

extension Double: PackedScalar {
    /// The IEEE 754 bits.
    public var packedBits: UInt64 { bitPattern }
    /// The value of these IEEE 754 bits.
    public init(packedBits: UInt64) { self.init(bitPattern: packedBits) }
}

extension Float: PackedScalar {
    /// The IEEE 754 bits.
    public var packedBits: UInt32 { bitPattern }
    /// The value of these IEEE 754 bits.
    public init(packedBits: UInt32) { self.init(bitPattern: packedBits) }
}

extension UInt8: PackedScalar {
    /// The value itself.
    public var packedBits: UInt8 { self }
    /// The value itself.
    public init(packedBits: UInt8) { self = packedBits }
}

extension UInt16: PackedScalar {
    /// The value itself.
    public var packedBits: UInt16 { self }
    /// The value itself.
    public init(packedBits: UInt16) { self = packedBits }
}

/// Base64 (RFC 4648, padded) of little-endian scalar bytes.
///
/// `pack` and `unpack` are inlinable so that callers get them specialized for their scalar: unspecialized across the
/// module boundary, every byte went through `FixedWidthInteger`'s generic shift by witness calls, and packing was
/// nearly half of what saving a stream's state cost (11 of 25 % of `engine-bench memory`'s samples, stop 33).
public enum ScalarPacking {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// The base64 text of `values`' little-endian bytes.
    @inlinable
    public static func pack<Scalar: PackedScalar>(_ values: some Collection<Scalar>) -> String {
        let bits = values.map { $0.packedBits.littleEndian }
        return bits.withUnsafeBytes { encode($0) }
    }

    /// The base64 text of `bytes`.
    @usableFromInline
    static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        let groups = (bytes.count + 2) / 3
        return String(unsafeUninitializedCapacity: groups * 4) { text in
            var index = 0
            var out = 0
            while index < bytes.count {
                let count = min(3, bytes.count - index)
                var group = UInt32(bytes[index]) << 16
                if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
                if count > 2 { group |= UInt32(bytes[index + 2]) }
                for position in 0..<4 {
                    text[out] =
                        position <= count
                        ? alphabet[Int((group >> (18 - 6 * UInt32(position))) & 63)] : UInt8(ascii: "=")
                    out += 1
                }
                index += 3
            }
            return out
        }
    }

    /// The scalars of `text`, or nil when it is not padded base64 of a whole number of them.
    @inlinable
    public static func unpack<Scalar: PackedScalar>(_ text: String, as _: Scalar.Type) -> [Scalar]? {
        guard let bytes = decode(text) else { return nil }
        let width = MemoryLayout<Scalar.Bits>.size
        guard bytes.count % width == 0 else { return nil }
        let count = bytes.count / width
        return bytes.withUnsafeBytes { raw in
            (0..<count).map {
                Scalar(
                    packedBits: Scalar.Bits(
                        littleEndian: raw.loadUnaligned(fromByteOffset: $0 * width, as: Scalar.Bits.self)))
            }
        }
    }

    /// The bytes of padded base64 `text`, or nil when it is not.
    @usableFromInline
    static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            var group: UInt32 = 0
            var padding = 0
            for position in 0..<4 {
                let character = characters[index + position]
                if character == UInt8(ascii: "=") {
                    // Padding only at the end, at most two.
                    guard index + 4 == characters.count, position >= 2 else { return nil }
                    padding += 1
                    group <<= 6
                } else {
                    guard padding == 0 else { return nil }
                    let sextet = reverse[Int(character)]
                    guard sextet != 0xFF else { return nil }
                    group = group << 6 | UInt32(sextet)
                }
            }
            bytes.append(UInt8(truncatingIfNeeded: group >> 16))
            if padding < 2 { bytes.append(UInt8(truncatingIfNeeded: group >> 8)) }
            if padding < 1 { bytes.append(UInt8(truncatingIfNeeded: group)) }
            index += 4
        }
        return bytes
    }
}

extension KeyedDecodingContainer {
    /// The numbers under `key` as ``ScalarPacking`` text or, as states saved before packing hold them, as a list.
    /// - Throws: `DecodingError.dataCorrupted` for text that is not packed `Scalar`s; the list's errors otherwise.
    public func decodePackedOrList<Scalar: PackedScalar>(_ type: Scalar.Type, forKey key: Key) throws -> [Scalar] {
        guard let text = try? decode(String.self, forKey: key) else { return try decode([Scalar].self, forKey: key) }
        guard let values = ScalarPacking.unpack(text, as: type) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "not packed \(Scalar.self) values")
        }
        return values
    }
}
