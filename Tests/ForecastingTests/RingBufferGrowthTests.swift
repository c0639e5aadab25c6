import Testing

@testable import Forecasting

/// Ring buffers and score windows allocate for what they hold, doubling up to their capacity and never past it:
/// a new or idle stream's rings stay small, and a full one costs its capacity, not Swift's growth past it.
@Suite struct RingBufferGrowthTests {
    @Test(arguments: [256, 300, 1000])
    func aRingAllocatesForWhatItHoldsAndNeverPastItsCapacity(capacity: Int) {
        var ring = RingBuffer<Double>(capacity: capacity)
        for value in 0..<10 { ring.append(Double(value)) }
        #expect(ring.allocatedCapacity <= 24)
        for value in 10..<(3 * capacity) { ring.append(Double(value)) }
        // malloc may round the last allocation up by a few elements.
        #expect(ring.allocatedCapacity >= capacity && ring.allocatedCapacity <= capacity + 4)
        #expect(Array(ring) == (2 * capacity..<3 * capacity).map(Double.init))
    }

    @Test func arraysGrowByDoublingUpToTheLimit() {
        var values: [Int] = []
        var capacities: [Int] = []
        for value in 0..<300 {
            values.append(value, growingUpTo: 300)
            if capacities.last != values.capacity { capacities.append(values.capacity) }
        }
        #expect(values == Array(0..<300))
        #expect(capacities.count <= 7, "\(capacities)")
        #expect(values.capacity <= 304, "\(capacities)")
    }
}
