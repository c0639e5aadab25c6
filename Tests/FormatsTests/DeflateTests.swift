import Testing

@testable import Formats

/// Length-prefixed zlib blobs: what goes in comes out, a stream written elsewhere reads, and a damaged blob is
/// refused with its reason instead of inflating to something else.
@Suite struct DeflateTests {
    /// Text like a saved state (JSON with packed numbers) and bytes that do not compress.
    private static func samples() -> [[UInt8]] {
        var state = 0x2545_F491_4F6C_DD1D as UInt64
        var random: [UInt8] = []
        for _ in 0..<65_536 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            random.append(UInt8(truncatingIfNeeded: state))
        }
        let json = Array(
            (0..<200).map { "{\"first\":\($0 % 12),\"codes\":\"mrmoQfP/fup27YT4AABeHSow\",\"keptMedian\":true}" }
                .joined(separator: ",").utf8)
        return [[], [0], Array("hello".utf8), json, random]
    }

    @Test func whatIsCompressedInflatesBack() throws {
        for bytes in Self.samples() {
            for level: Int32 in [1, 6, 9] {
                let blob = Deflate.compress(bytes, level: level)
                #expect(try Deflate.decompress(blob, limit: bytes.count) == bytes)
            }
        }
        let json = Self.samples()[3]
        #expect(Deflate.compress(json).count < json.count / 5)
    }

    /// `zlib.compress(b"hello")` from Python's zlib, after its length.
    @Test func aStreamFromAnotherWriterInflates() throws {
        let blob: [UInt8] = [5, 0, 0, 0, 120, 156, 203, 72, 205, 201, 201, 7, 0, 6, 44, 2, 21]
        #expect(try Deflate.decompress(blob, limit: 5) == Array("hello".utf8))
        // And without a dictionary this writer's stream is byte for byte zlib's `compress2` at level 6 but for the
        // header's window size (CINFO, the high nibble of its first byte): 512 bytes here, where zlib names 32 KB.
        let written = Deflate.compress(Array("hello".utf8))
        #expect(written[4] == 0x18 && blob[4] == 0x78)
        #expect(written.prefix(4) == blob.prefix(4) && written.dropFirst(6) == blob.dropFirst(6))
    }

    /// A preset dictionary (here a record's keys) makes a short record smaller; inflating needs the same dictionary,
    /// which zlib checks by its Adler-32, and a stream Python's zlib wrote with it (`compressobj(zdict=…)`) reads.
    @Test func aPresetDictionaryShrinksShortTextAndIsNeededToInflate() throws {
        let dictionary = Array(#"{"first":,"keptMedian":true}"#.utf8)
        let text = Array(#"{"first":3,"keptMedian":true}"#.utf8)
        let python: [UInt8] = [120, 187, 140, 237, 10, 11, 171, 134, 201, 25, 99, 145, 4, 0, 148, 11, 10, 62]
        let blob = Deflate.compress(text, dictionary: dictionary)
        // The same stream but for the header (window size and its check bits).
        #expect(Array(blob.dropFirst(6)) == Array(python.dropFirst(2)))
        #expect(blob.count < Deflate.compress(text).count - 10)
        #expect(try Deflate.decompress(blob, limit: 100, dictionary: dictionary) == text)
        #expect(
            try Deflate.decompress([UInt8(text.count), 0, 0, 0] + python, limit: 100, dictionary: dictionary) == text)
        let missing = Deflate.Failure.corrupt("needs another preset dictionary")
        #expect(throws: missing) { try Deflate.decompress(blob, limit: 100) }
        #expect(throws: missing) { try Deflate.decompress(blob, limit: 100, dictionary: Array("{}".utf8)) }
        // A stream without one inflates whatever dictionary is offered.
        #expect(try Deflate.decompress(Deflate.compress(text), limit: 100, dictionary: dictionary) == text)
        for sample in Self.samples() {
            let coded = Deflate.compress(sample, level: 9, dictionary: dictionary)
            #expect(try Deflate.decompress(coded, limit: sample.count, dictionary: dictionary) == sample)
        }
    }

    @Test func damagedBlobsAreRefused() throws {
        let bytes = Self.samples()[3]
        let blob = Deflate.compress(bytes)
        #expect(throws: Deflate.Failure.truncatedHeader) { try Deflate.decompress(blob.prefix(3), limit: 1 << 20) }
        #expect(throws: Deflate.Failure.tooLarge(claimed: bytes.count, limit: 100)) {
            try Deflate.decompress(blob, limit: 100)
        }
        // A damaged length no stream of this size can meet is refused before anything is allocated for it.
        var huge = blob
        huge.replaceSubrange(0..<4, with: [0xF0, 0xFF, 0xFF, 0xFF])
        let most = (blob.count - 4 - 6) * 1032
        #expect(throws: Deflate.Failure.tooLarge(claimed: 0xFFFF_FFF0, limit: most)) {
            try Deflate.decompress(huge, limit: Int(UInt32.max))
        }
        // The bound is deflate's own: a run of one byte, its best case, still inflates under it.
        let run = [UInt8](repeating: 7, count: 1 << 20)
        #expect(try Deflate.decompress(Deflate.compress(run, level: 9), limit: Int(UInt32.max)) == run)
        // Cut short, a byte flipped in the middle or in the checksum, or a length that is not the stream's.
        var flipped = blob
        flipped[blob.count / 2] ^= 0x10
        var checksum = blob
        checksum[blob.count - 1] ^= 0x01
        var shorter = blob
        shorter[0] &-= 1
        var longer = blob
        longer[0] &+= 1
        for damaged in [Array(blob.dropLast(5)), flipped, checksum, shorter, longer] {
            #expect(throws: Deflate.Failure.self) { try Deflate.decompress(damaged, limit: 1 << 20) }
        }
    }

    /// The gauge's small-window stream sizes what it is given as zlib would: a run of zeros to a few bytes, random
    /// bytes to their length and a little more, and about as `compress` at level 1 does for a short column.
    @Test func theGaugeSizesAsDeflateDoes() {
        var state: UInt32 = 1
        let random = (0..<2096).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        #expect(Deflate.gaugedSize([UInt8](repeating: 0, count: 2096)) < 40)
        #expect((2096...2200).contains(Deflate.gaugedSize(random)))
        let text = Array(String(repeating: "21.37,21.38,21.36,", count: 100).utf8)
        let full = Deflate.compress(text, level: 1).count - Deflate.headerLength
        #expect(abs(Deflate.gaugedSize(text) - full) <= full / 4)
    }
}
