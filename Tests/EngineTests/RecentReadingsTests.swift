import Sampling
import Testing

@testable import Engine

/// The redelivery window recognises a reading by its time and its value's exact bits, for the last 64 readings.
@Suite struct RecentReadingsTests {
    @Test func recognisesExactlyTheReadingsItHolds() {
        var recent = RecentReadings()
        let values = [21.37, 1.0 / 3, -0.0, 0.1, 3_000_000_000, 21.375]
        for (index, value) in values.enumerated() { recent.append(time: Double(index), value: value) }
        for (index, value) in values.enumerated() {
            #expect(recent.contains(time: Double(index), value: value), "\(value)")
        }
        #expect(!recent.contains(time: 2, value: 0.0))  // +0 is not the −0 accepted
        #expect(!recent.contains(time: 3, value: 0.1.nextUp))
        #expect(!recent.contains(time: 0, value: 21.38))
        #expect(!recent.contains(time: 10, value: 21.37))  // newer than anything held
    }

    @Test func forgetsTheOldestPastItsCapacity() {
        var recent = RecentReadings()
        let count = RecentReadings.capacity + 10
        for index in 0..<count { recent.append(time: Double(index), value: Double(index) / 100) }
        #expect(!recent.contains(time: 9, value: 0.09))
        #expect(recent.contains(time: 10, value: 0.1))
        #expect(recent.contains(time: Double(count - 1), value: Double(count - 1) / 100))
    }

    /// Readings at a regular cadence hold their times as one run, not 64 `Double`s: with two-decimal values a full
    /// window allocates about a third of a KB (it was 768 bytes).
    @Test func regularReadingsHoldTheirTimesAsARun() {
        var recent = RecentReadings()
        for index in 0..<200 {
            recent.append(time: 1_767_225_600 + Double(index) * 60, value: 20 + Double(index % 50) / 100)
        }
        #expect(recent.allocatedBytes <= RecentReadings.capacity * 4 + 64, "\(recent.allocatedBytes) bytes")
        #expect(recent.contains(time: 1_767_225_600 + 199 * 60, value: 20.49))
        #expect(!recent.contains(time: 1_767_225_600 + 135 * 60, value: 20.35))  // evicted
        #expect(recent.contains(time: 1_767_225_600 + 136 * 60, value: 20.36))
    }

    /// Irregular times (arrival jitter, out of order, repeated) are recognised exactly as a plain list of the last 64
    /// readings recognises them, whatever form the window holds them in.
    @Test func irregularReadingsAreRecognisedAsAPlainListWould() {
        var generator = SplitMix64(seed: 14)
        var recent = RecentReadings()
        var plain: [(time: Double, value: Double)] = []
        var time = 1_767_225_600.0
        for step in 0..<2_000 {
            // Stretches of a regular cadence, of jitter, and of readings arriving late.
            switch (step / 150) % 3 {
            case 0: time += 10
            case 1: time += 9.5 + Double(generator.next() % 1_000) / 1_000
            default: time += Double(generator.next() % 3) * 10 - 10
            }
            let value = (generator.next() % 4 == 0) ? Double(generator.next() % 1_000) / 7 : Double(step % 300) / 10
            recent.append(time: time, value: value)
            plain.append((time, value))
            if plain.count > RecentReadings.capacity { plain.removeFirst() }
            for probe in 0..<4 {
                let candidate = plain[Int(generator.next() % UInt64(plain.count))]
                let (t, v) = probe % 2 == 0 ? candidate : (candidate.time, candidate.value.nextUp)
                let expected = plain.contains { $0.time == t && $0.value.bitPattern == v.bitPattern }
                #expect(recent.contains(time: t, value: v) == expected, "step \(step): \(t), \(v)")
            }
        }
    }
}
