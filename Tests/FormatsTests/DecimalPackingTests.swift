import Formats
import Testing

/// Columns of short decimals pack as varint differences of their integers, bit-exact; anything else is refused.
@Suite struct DecimalPackingTests {
    /// A smooth sensor at two places, with gaps, negative values and a jump: bit-exact, and about a fifth of the
    /// text of the bits.
    @Test func decimalsRoundTripBitExactlyInAFifthOfTheText() throws {
        var values: [Double] = []
        var reading = 2137
        for i in 0..<262 {
            reading += [-3, 0, 1, 2, -1, 0, 0, 4][i % 8] + (i == 100 ? -400_000 : 0)
            values.append(i % 37 == 5 ? .nan : Double(reading) / 100)
        }
        let text = try #require(DecimalPacking.pack(values))
        #expect(text.first == "2")
        let back = try #require(DecimalPacking.unpack(text))
        #expect(back.map(\.bitPattern) == values.map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern })
        #expect(text.count * 5 < ScalarPacking.pack(values).count)
    }

    /// Integers need no places; the fewest places that give every value back are chosen.
    @Test func theFewestPlacesAreChosen() throws {
        #expect(DecimalPacking.pack([1013, 1012, -7, 0])?.first == "0")
        #expect(DecimalPacking.pack([0.004, 1.5])?.first == "3")
        #expect(DecimalPacking.pack([Double]())?.first == "0")
        #expect(DecimalPacking.unpack(try #require(DecimalPacking.pack([0.1, 0.2, 0.3]))) == [0.1, 0.2, 0.3])
    }

    /// Values that are not short decimals (a mean of three readings, −0, infinity, beyond 2⁵³ at their places) are
    /// refused, so the caller saves their bits.
    @Test func otherValuesAreRefused() {
        #expect(DecimalPacking.pack([1.0 / 3]) == nil)
        #expect(DecimalPacking.pack([1, -0.0]) == nil)
        #expect(DecimalPacking.pack([.infinity]) == nil)
        #expect(DecimalPacking.pack([1e17 + 0.5, 1e300]) == nil)
        #expect(DecimalPacking.pack([0.123_456_789_123_4]) == nil)
    }

    /// Damaged text is nil, never a trap: no digit, bad base64, a truncated varint, an integer past 2⁵³.
    @Test func damagedTextIsRefused() {
        #expect(DecimalPacking.unpack("") == nil)
        #expect(DecimalPacking.unpack("x" + ScalarPacking.pack([UInt8(2)])) == nil)
        #expect(DecimalPacking.unpack("2!!!!") == nil)
        #expect(DecimalPacking.unpack("2" + ScalarPacking.pack([UInt8(0x81)])) == nil)
        let huge = [UInt8](repeating: 0xFF, count: 9) + [0x01]
        #expect(DecimalPacking.unpack("0" + ScalarPacking.pack(huge)) == nil)
    }
}
