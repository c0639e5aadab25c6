/// The `forecasts.quantiles` encoding: little-endian IEEE-754 Float32, one per level, no header.
enum QuantileCoding {
    /// Calls `body` with the encoded bytes; on little-endian hosts this is the array's own storage, no copy.
    static func withLittleEndianBytes<R>(
        _ values: [Float], _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows
        -> R
    {
        #if _endian(little)
            return try values.withUnsafeBytes(body)
        #else
            return try values.map { $0.bitPattern.littleEndian }.withUnsafeBytes(body)
        #endif
    }

    /// Decodes a stored blob; trailing bytes that do not fill a Float32 are ignored.
    static func decode(_ bytes: [UInt8]) -> [Float] {
        let count = bytes.count / 4
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let base = index * 4
            let bits =
                UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16
                | UInt32(bytes[base + 3]) << 24
            values[index] = Float(bitPattern: bits)
        }
        return values
    }
}
