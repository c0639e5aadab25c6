import Foundation
import Sampling
import Testing

@testable import Forecasting

@Suite struct ResamplerTests {
    static let t0 = 1_700_000_040.0  // a whole minute (divisible by 60)

    @Test func bucketsAlignToTheEpochAndAggregate() throws {
        #expect(Self.t0.truncatingRemainder(dividingBy: 60) == 0)
        let readings = [(5.0, 1.0), (30, 3), (59.999, 2), (60, 10), (61, 20), (185, 7)].map {
            Reading(time: Self.t0 + $0.0, value: $0.1)
        }
        let expected: [Cadence.Aggregate: [Double?]] = [
            .mean: [2, 15, nil], .last: [2, 20, nil], .sum: [6, 30, nil], .min: [1, 10, nil], .max: [3, 20, nil],
        ]
        for aggregate in Cadence.Aggregate.allCases {
            var resampler = Resampler(cadence: .every(seconds: 60, aggregate: aggregate))
            let (observations, rejections) = resampler.ingest(contentsOf: readings)
            #expect(rejections.isEmpty)
            #expect(observations.map(\.t) == [Self.t0, Self.t0 + 60, Self.t0 + 120])
            #expect(observations.map(\.value) == expected[aggregate]!, "\(aggregate)")
            // The bucket of t0 + 185 stays open until time passes its end.
            #expect(resampler.advance(to: Self.t0 + 239.9).isEmpty)
            #expect(resampler.advance(to: Self.t0 + 240) == [Observation(t: Self.t0 + 180, value: 7)])
        }
    }

    @Test func theNextCloseWatermarkIsNeverLateAndBarelyEarly() throws {
        #expect(Resampler(cadence: .event).nextCloseWatermark == nil)
        #expect(Resampler(cadence: .every(seconds: 60, aggregate: .mean)).nextCloseWatermark == nil)
        var rng = SplitMix64(seed: 41)
        let cadences = [0.1, 1.0 / 3, 1, 7.5, 60, 900, 86_400]
        for index in 0..<2_000 {
            let seconds = cadences[index % cadences.count]
            var resampler = Resampler(cadence: .every(seconds: seconds, aggregate: .mean))
            let origin = index % 2 == 0 ? 1_767_225_600.0 : 3.0
            var time = origin + Double.random(in: 0..<1, using: &rng) * seconds
            for _ in 0..<(1 + index % 4) {
                _ = try resampler.ingest(Reading(time: time, value: 1))
                time += Double.random(in: 0..<1, using: &rng) * 3 * seconds
            }
            if index % 3 == 0 { _ = resampler.advance(to: time) }
            let watermark = try #require(resampler.nextCloseWatermark)
            // Not late: nothing closes before it (advance is monotone in its watermark).
            var before = resampler
            #expect(before.advance(to: watermark.nextDown).isEmpty, "case \(index): \(seconds) s")
            // Barely early: the exact bucket end, a few parts in 2⁴⁰ later, closes something.
            var after = resampler
            #expect(!after.advance(to: watermark + (abs(watermark) + seconds) * 0x1p-39).isEmpty, "case \(index)")
        }
    }

    @Test func lastPicksTheLatestTimeWithinABucket() throws {
        var resampler = Resampler(cadence: .every(seconds: 10, aggregate: .last))
        _ = try resampler.ingest(Reading(time: 108, value: 1))
        _ = try resampler.ingest(Reading(time: 102, value: 2))
        #expect(try resampler.ingest(Reading(time: 110, value: 3)) == [Observation(t: 100, value: 1)])
    }

    @Test func longOutagesAreCappedAndCounted() throws {
        var resampler = Resampler(cadence: .every(seconds: 1, aggregate: .mean), maximumGapSteps: 5)
        _ = try resampler.ingest(Reading(time: 0.5, value: 1))
        let steps = try resampler.ingest(Reading(time: 1_000_000.2, value: 2))
        #expect(steps.first == Observation(t: 0, value: 1))
        #expect(steps.dropFirst().map(\.t) == [999_995, 999_996, 999_997, 999_998, 999_999])
        #expect(steps.dropFirst().allSatisfy { $0.value == nil })
        #expect(resampler.skippedGapSteps == 999_999 - 5)
        // A silent stream gets explicit gaps from the watermark, capped the same way.
        let silent = resampler.advance(to: 1_000_003)
        #expect(
            silent == [1_000_000, 1_000_001, 1_000_002].map { Observation(t: $0, value: $0 == 1_000_000 ? 2 : nil) })
    }

    @Test func badReadingsAreRejectedWithAReason() throws {
        var buckets = Resampler(cadence: .every(seconds: 60, aggregate: .mean))
        #expect(throws: ResamplerRejection.nonFiniteValue(time: 10)) {
            try buckets.ingest(Reading(time: 10, value: .nan))
        }
        #expect(throws: ResamplerRejection.nonFiniteTime) { try buckets.ingest(Reading(time: .infinity, value: 1)) }
        #expect(throws: ResamplerRejection.timeOutOfRange(time: 1e300)) {
            try buckets.ingest(Reading(time: 1e300, value: 1))
        }
        _ = try buckets.ingest(Reading(time: 130, value: 1))
        #expect(throws: ResamplerRejection.outOfOrder(time: 119, after: 120)) {
            try buckets.ingest(Reading(time: 119, value: 1))
        }
        // Within the open bucket, older readings and repeated times are fine.
        #expect(try buckets.ingest(Reading(time: 125, value: 3)).isEmpty)
        #expect(try buckets.ingest(Reading(time: 125, value: 5)).isEmpty)
        #expect(try buckets.ingest(Reading(time: 180, value: 0)) == [Observation(t: 120, value: 3)])

        var events = Resampler(cadence: .event)
        #expect(try events.ingest(Reading(time: 5, value: 1)) == [Observation(t: 5, value: 1)])
        #expect(throws: ResamplerRejection.duplicateTimestamp(time: 5)) {
            try events.ingest(Reading(time: 5, value: 2))
        }
        #expect(throws: ResamplerRejection.outOfOrder(time: 4, after: 5)) {
            try events.ingest(Reading(time: 4, value: 2))
        }
        #expect(try events.ingest(Reading(time: 5.5, value: 2)) == [Observation(t: 5.5, value: 2)])
    }

    /// A messy stream: jittered times, outages, stale and duplicate readings, NaNs.
    static func messyReadings(seed: UInt64, count: Int) -> [Reading] {
        var rng = SplitMix64(seed: seed)
        var time = Self.t0 - 7
        var readings: [Reading] = []
        for _ in 0..<count {
            let u = rng.uniform()
            if u < 0.03 {
                time += 60 * Double(Int(rng.uniform() * 40))  // outage of up to 40 buckets
            } else if u < 0.08 {
                readings.append(Reading(time: time - 70 * rng.uniform(), value: 1))  // stale
                continue
            } else if u < 0.11 {
                readings.append(Reading(time: time, value: 2))  // duplicate time
                continue
            } else if u < 0.13 {
                readings.append(Reading(time: time, value: .nan))
                continue
            }
            time += 25 * rng.uniform()
            readings.append(Reading(time: time, value: rng.normal()))
        }
        return readings
    }

    struct Run: Equatable {
        var observations: [Observation] = []
        /// Rejected readings as (time, value bits): NaN values would make `Reading`s unequal to themselves.
        var rejections: [[UInt64]] = []
        var reasons: [ResamplerRejection] = []
        var state: Resampler
    }

    /// Feeds `readings` in the given chunk sizes, optionally saving and restoring the state through JSON between
    /// chunks.
    static func feed(_ readings: [Reading], cadence: Cadence, chunks: [Int], restore: Bool) throws -> Run {
        var run = Run(state: Resampler(cadence: cadence, maximumGapSteps: 7))
        var start = 0
        for size in chunks {
            let (observations, rejections) = run.state.ingest(contentsOf: readings[start..<(start + size)])
            run.observations += observations
            run.rejections += rejections.map { [$0.reading.time.bitPattern, $0.reading.value.bitPattern] }
            run.reasons += rejections.map(\.reason)
            start += size
            if restore {
                run.state = try JSONDecoder().decode(Resampler.self, from: try JSONEncoder().encode(run.state))
            }
        }
        precondition(start == readings.count)
        return run
    }

    /// NIO's ByteToMessageDecoderVerifier, for readings: all at once, one by one, random chunks (seeded) and random
    /// chunks with a save/restore of the state between chunks give the same steps, gaps, rejections and state.
    @Test(arguments: [
        Cadence.event, .every(seconds: 60, aggregate: .mean), .every(seconds: 60, aggregate: .last),
        .every(seconds: 15, aggregate: .sum),
    ])
    func anyChunkingGivesTheSameSeries(cadence: Cadence) throws {
        let readings = Self.messyReadings(seed: 77, count: 2_000)
        let whole = try Self.feed(readings, cadence: cadence, chunks: [readings.count], restore: false)
        let single = try Self.feed(
            readings, cadence: cadence, chunks: Array(repeating: 1, count: readings.count), restore: false)
        #expect(single == whole)
        var rng = SplitMix64(seed: 5)
        for restore in [false, true] {
            var chunks: [Int] = []
            var left = readings.count
            while left > 0 {
                let size = min(left, 1 + Int(rng.uniform() * 50))
                chunks.append(size)
                left -= size
            }
            #expect(try Self.feed(readings, cadence: cadence, chunks: chunks, restore: restore) == whole)
        }
        // The series itself is sane: strictly increasing times, on the grid, gaps explicit and capped.
        #expect(zip(whole.observations, whole.observations.dropFirst()).allSatisfy { $0.t < $1.t })
        #expect(!whole.reasons.isEmpty)
        if case .every(let seconds, _) = cadence {
            #expect(whole.observations.allSatisfy { $0.t.truncatingRemainder(dividingBy: seconds) == 0 })
            #expect(whole.observations.contains { $0.value == nil })
            #expect(whole.state.skippedGapSteps > 0)
            let steps = zip(whole.observations, whole.observations.dropFirst()).map { ($1.t - $0.t) / seconds }
            // Consecutive steps are one bucket apart except where the cap skipped some.
            let jumps = steps.filter { $0 != 1 }.reduce(0) { $0 + $1 - 1 }
            #expect(Int(jumps) == whole.state.skippedGapSteps)
        } else {
            #expect(whole.observations.allSatisfy { $0.value != nil })
        }
    }
}
