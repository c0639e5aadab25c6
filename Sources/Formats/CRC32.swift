/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as in zlib and PNG: the checksum inside BARNN checkpoints
/// and beside stored checkpoint blobs. It catches torn or damaged bytes; it is not a defence against tampering.
public enum CRC32 {
    @usableFromInline static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    /// The checksum of `bytes`; `checksum("123456789".utf8) == 0xCBF43926`.
    @inlinable
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        // Inlined and specialised in the caller, so checkpoint-sized blobs are not read through a generic witness.
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
