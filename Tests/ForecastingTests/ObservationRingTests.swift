import Sampling
import Testing

@testable import Forecasting

/// The context ring holds its times as runs of one step, or a column, and reads back every step exactly as a ring
/// of observations would.
@Suite struct ObservationRingTests {
    /// A reference ring and the run-length one, fed the same steps, hold the same steps, bit for bit, after each.
    @Test(arguments: [1, 7, 64, 256])
    func everyStepReadsBackAsAppended(capacity: Int) {
        var rng = SplitMix64(seed: UInt64(capacity))
        var reference = RingBuffer<Observation>(capacity: capacity)
        var ring = ObservationRing(capacity: capacity)
        var t = 1_767_225_600.0
        for index in 0..<1_000 {
            // Mostly a fixed cadence, with gaps past the resampler's limit, a few jittered and fractional stretches.
            let u = rng.uniform()
            t += index > 600 && index < 700 ? 0.1 + 0.3 * u : u < 0.02 ? 60 * Double(1 + Int(u * 500)) : 60
            let step = Observation(t: t, value: u < 0.1 ? nil : u * 100 - 50)
            reference.append(step)
            ring.append(step)
            #expect(ring.count == reference.count)
            let same = zip(ring, reference).allSatisfy {
                $0.t.bitPattern == $1.t.bitPattern && $0.value?.bitPattern == $1.value?.bitPattern
            }
            #expect(same, "after step \(index)")
            if !same { return }
        }
    }

    @Test func aFixedCadenceIsOneRunWhateverItEvicted() {
        var ring = ObservationRing(capacity: 10)
        for i in 0..<25 { ring.append(Observation(t: 1000 + 30 * Double(i), value: Double(i))) }
        #expect(ring.times == .runs([.init(start: 1000, step: 30, skip: 15, count: 10)]))
        #expect(ring.map(\.t) == (15..<25).map { 1000 + 30 * Double($0) })
        #expect(ring.savedRuns == [1000, 30, 15, 10])
    }

    /// 256 steps of a fixed cadence hold one run for their times instead of 2 KB.
    @Test func aFixedCadenceHoldsItsTimesInARun() {
        var ring = ObservationRing(capacity: 256)
        for i in 0..<600 { ring.append(Observation(t: 60 * Double(i), value: 1)) }
        #expect(ring.timeBytes <= 64)
        var gapped = ObservationRing(capacity: 256)
        for i in 0..<600 { gapped.append(Observation(t: 60 * Double(i) + (i >= 500 ? 86_400 : 0), value: 1)) }
        #expect(gapped.savedRuns == [0, 60, 344, 156, 60 * 500 + 86_400, 60, 0, 100])
    }

    /// 2⁵³ + 2 − 1 rounds to 2⁵³, and 1 + 2⁵³ back to 2⁵³: a step that does not give the time back starts a run.
    @Test func aTimeTheStepDoesNotReproduceStartsARun() {
        let ring = ObservationRing(
            capacity: 4, elements: [Observation(t: 1, value: 0), Observation(t: 9_007_199_254_740_994, value: 0)])
        #expect(ring.savedRuns?.count == 8)
        #expect(ring.map(\.t) == [1, 9_007_199_254_740_994])
    }

    /// An event cadence makes a run per step or two; past 16 runs the times become a column.
    @Test func irregularTimesBecomeAColumn() {
        var ring = ObservationRing(capacity: 100)
        var t = 0.0
        for i in 0..<80 {
            t += 1 + Double(i % 5) * 0.25
            ring.append(Observation(t: t, value: nil))
        }
        #expect(ring.savedRuns == nil)
        if case .column = ring.times {} else { Issue.record("times are still runs: \(ring.times)") }
        // Within two rings of a fixed cadence (the times are tried once a ring), they are runs again.
        for _ in 0..<200 {
            t += 60
            ring.append(Observation(t: t, value: 1))
        }
        #expect(ring.savedRuns?.count == 4)
        #expect(ring.last?.t == t && ring.first?.t == t - 99 * 60)
    }

    @Test func damagedSavedRunsAreRefused() {
        #expect(ObservationRing.times(savedRuns: [0, 60, 2, 3], count: 3) == [120, 180, 240])
        #expect(ObservationRing.times(savedRuns: [5, .nan, 0, 1], count: 1) == [5])
        let damaged: [([Double], Int)] = [
            ([0, 60, 0, 10], 12), ([0, 60, 0, 2.5], 3), ([0, 60, 0, -1], 1), ([0, 60, 0], 3), ([.nan, 1, 0, 1], 1),
            ([0, .infinity, 0, 2], 2), ([0, .nan, 0, 2], 2), ([0, .nan, 1, 1], 1), ([0, 60, -1, 1], 1),
            ([0, 1e300, 1e9, 2], 2), ([0, 60, 1e18, 1], 1),
        ]
        for (runs, count) in damaged {
            #expect(ObservationRing.times(savedRuns: runs, count: count) == nil, "\(runs)")
        }
    }
}
