import Formats
import Testing

@Suite struct CRC32Tests {
    /// The check values of the CRC catalogue (CRC-32/ISO-HDLC) and of zlib's `crc32`.
    @Test func matchesTheStandardCheckValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum("123456789".utf8) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum("The quick brown fox jumps over the lazy dog".utf8) == 0x414F_A339)
    }

    /// Checkpoints checksum a slice of their encoding, so a slice must give what the same bytes give alone.
    @Test func aSliceChecksumsItsOwnBytes() {
        let bytes = Array("xx123456789yy".utf8)
        #expect(CRC32.checksum(bytes[2..<11]) == 0xCBF4_3926)
    }

    @Test func everySingleBitFlipChangesTheChecksum() {
        let bytes = Array("a checkpoint blob".utf8)
        let original = CRC32.checksum(bytes)
        for index in bytes.indices {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[index] ^= 1 << bit
                #expect(CRC32.checksum(flipped) != original)
            }
        }
    }
}
