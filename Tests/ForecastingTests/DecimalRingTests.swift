import Sampling
import Testing

@testable import Forecasting

/// The context's values are held as 32-bit decimals while they are short decimals, and read back bit for bit as a
/// ring of `Double`s would, whatever they are.
@Suite struct DecimalRingTests {
    /// A decimal of 0–4 places, occasionally missing, large, −0, a computed value or an integer past 32 bits.
    private static func reading(_ rng: inout SplitMix64, mixed: Bool) -> Double {
        let u = rng.uniform()
        let places = Int(rng.next() % 5)
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let decimal = (rng.uniform() * 200_000 - 100_000).rounded() / scale
        guard mixed else { return u < 0.05 ? .nan : decimal }
        switch u {
        case ..<0.05: return .nan
        case ..<0.07: return -0.0
        case ..<0.09: return (decimal + 1) / 3  // a bucket's mean
        case ..<0.10: return 3_000_000_000 + decimal.rounded()
        case ..<0.11: return 123_456.789_012  // more places than 32 bits hold at this size
        default: return decimal
        }
    }

    /// Fed the same values, a plain ring and a decimal ring hold the same values, bit for bit, after each.
    @Test(arguments: [(1, false), (7, false), (64, true), (262, true), (262, false)])
    func everyValueReadsBackAsAppended(capacity: Int, mixed: Bool) {
        var rng = SplitMix64(seed: UInt64(capacity) &* 31 &+ (mixed ? 1 : 0))
        var reference = RingBuffer<Double>(capacity: capacity)
        var ring = DecimalRing(capacity: capacity)
        for index in 0..<2_000 {
            let value = Self.reading(&rng, mixed: mixed || index > 1_500)
            reference.append(value)
            ring.append(value)
            #expect(ring.count == reference.count)
            let same = zip(ring, reference).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
            #expect(same, "after value \(index) (\(value))")
            if !same { return }
        }
    }

    /// Readings around the 16-bit boundary: two-decimal values mostly below 327.67, some above, now and then one of
    /// three places or a computed one, so the ring narrows, widens, rescales and turns to `Double`s and back.
    @Test(arguments: [1, 8, 64, 262])
    func valuesAcrossTheSixteenBitBoundaryReadBackAsAppended(capacity: Int) {
        var rng = SplitMix64(seed: UInt64(capacity) &* 7 &+ 3)
        var reference = RingBuffer<Double>(capacity: capacity)
        var ring = DecimalRing(capacity: capacity)
        var forms = Set<String>()
        for index in 0..<4_000 {
            let u = rng.uniform()
            // Stretches of small values between stretches that cross the boundary.
            let largest = (index / 500) % 2 == 0 ? 30_000.0 : 40_000.0
            var value = (rng.uniform() * 2 * largest - largest).rounded() / 100
            if u < 0.03 { value = .nan } else if u < 0.04 { value += 0.001 } else if u < 0.045 { value /= 3 }
            reference.append(value)
            ring.append(value)
            forms.insert(ring.holdsDoubles ? "doubles" : ring.holdsWide ? "32" : "16")
            let same = zip(ring, reference).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
            #expect(ring.count == reference.count && same, "after value \(index) (\(value))")
            if !same { return }
        }
        if capacity >= 8 { #expect(forms == ["16", "32", "doubles"]) }
    }

    /// Two-decimal readings below 327.67 take two bytes a value; a larger one widens the ring to four, and a whole
    /// ring after the last, it is two again.
    @Test func smallDecimalsTakeTwoBytes() {
        var ring = DecimalRing(capacity: 262)
        for index in 0..<262 { ring.append(Double(2_000 + index % 37) / 100) }
        #expect(!ring.holdsWide)
        #expect(ring.allocatedBytes <= 262 * 2 + 32)
        ring.append(1_013.25)
        #expect(ring.holdsWide && !ring.holdsDoubles)
        #expect(ring.last == 1_013.25 && ring[0] == Double(2_000 + 1) / 100)
        for index in 0..<261 { ring.append(Double(index) / 100) }
        #expect(ring.holdsWide)  // 1013.25 is still held
        ring.append(0.5)
        #expect(!ring.holdsWide)
        #expect(Array(ring) == (0..<261).map { Double($0) / 100 } + [0.5])
    }

    /// Short decimals take four bytes a value; more places rescale the values held, which read back unchanged.
    @Test func shortDecimalsTakeHalfTheMemory() {
        var ring = DecimalRing(capacity: 262)
        for index in 0..<262 { ring.append(Double(20_000 + index % 37) / 100) }
        ring.append(21.375)  // three places: every value held is rescaled, past 16 bits
        #expect(!ring.holdsDoubles && ring.holdsWide)
        #expect(ring.allocatedBytes <= 262 * 4 + 64)
        #expect(ring.last == 21.375)
        #expect(ring[0] == Double(20_000 + 1) / 100)
        #expect(ring[260] == Double(20_000 + 261 % 37) / 100)
    }

    /// A computed value turns the ring into `Double`s; once a whole ring of decimals has passed, it is decimals again.
    @Test func aComputedValueHoldsDoublesUntilItIsEvicted() {
        var ring = DecimalRing(capacity: 10)
        for index in 0..<10 { ring.append(Double(index) / 10) }
        ring.append(1.0 / 3)
        #expect(ring.holdsDoubles)
        #expect(ring.last == 1.0 / 3)
        #expect(ring[0] == 0.1)
        for index in 0..<10 { ring.append(Double(index) / 4) }
        #expect(!ring.holdsDoubles)
        #expect(Array(ring) == (0..<10).map { Double($0) / 4 })
    }

    /// −0 and integers past 32 bits are not decimals the ring can hold; NaN (a missing step) is.
    @Test func signedZeroAndLargeIntegersAreKeptAsTheyAre() {
        var ring = DecimalRing(capacity: 4)
        ring.append(.nan)
        ring.append(5)
        #expect(!ring.holdsDoubles)
        ring.append(-0.0)
        #expect(ring.holdsDoubles)
        #expect(ring[2].bitPattern == (-0.0).bitPattern)
        #expect(ring[0].isNaN)
        var large = DecimalRing(capacity: 4)
        large.append(2_147_483_647)
        #expect(!large.holdsDoubles)
        large.append(0.5)  // one place would take 2³¹ − 1 past 32 bits
        #expect(large.holdsDoubles)
        #expect(Array(large) == [2_147_483_647, 0.5])
    }
}
