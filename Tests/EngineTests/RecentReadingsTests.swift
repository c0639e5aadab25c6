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
}
