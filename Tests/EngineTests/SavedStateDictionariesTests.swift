import Testing

@testable import Engine

/// The parts' preset dictionaries are part of the saved format: a state saved with them must inflate with them for
/// as long as the format is read, and zlib checks them by their Adler-32.
@Suite struct SavedStateDictionariesTests {
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    /// Pinned when the dictionaries were written (stop 33). A failure here means an edit made every state saved
    /// with byte 0x02 unreadable: restore the dictionary and add a new marker for a new one.
    @Test func theDictionariesAreFrozen() {
        let checksums = [
            Self.adler32(SavedStateDictionaries.hidden), Self.adler32(SavedStateDictionaries.normaliser),
            Self.adler32(SavedStateDictionaries.calibrator),
        ]
        #expect(
            checksums == [1_739_080_140, 4_182_084_024, 765_139_943], "\(checksums.map { String($0, radix: 16) })")
    }
}
