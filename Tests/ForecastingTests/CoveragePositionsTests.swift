import Sampling
import Testing

@testable import Forecasting

/// Step 1's coverage positions take a byte an outcome up to 15 levels and two beyond, and save as two bytes either
/// way.
@Suite struct CoveragePositionsTests {
    /// Fed the same outcomes, the window and a ring of two-byte entries evict the same and save the same.
    @Test(arguments: [1, 7, 15, 16, 40])
    func savesAndEvictsAsTwoByteEntriesWould(levels: Int) {
        var rng = SplitMix64(seed: UInt64(levels))
        var positions = CoveragePositions(capacity: 50, levels: levels)
        var reference = RingBuffer<UInt16>(capacity: 50)
        for index in 0..<500 {
            let less = Int(rng.next() % UInt64(levels + 1))
            // Mostly no tie; sometimes several quantiles equal to the outcome.
            let ties = rng.next() % 4 == 0 ? Int(rng.next() % UInt64(levels - less + 1)) : 0
            let evicted = positions.append(.init(less: less, lessOrEqual: less + ties))
            let expected = reference.append(UInt16(less) | UInt16(less + ties) << 8)
            #expect(evicted == expected.map(CoveragePositions.position(packed:)), "outcome \(index)")
            #expect(positions.saved == reference, "outcome \(index)")
            #expect(positions.count == reference.count)
        }
        // A full window of 50: one byte an outcome up to 15 levels, two beyond (malloc rounds up to 8 bytes).
        #expect(levels <= 15 ? (50...56).contains(positions.allocatedBytes) : positions.allocatedBytes >= 100)
    }
}
