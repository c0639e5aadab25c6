import Forecasting

/// The last accepted readings of one stream, exactly as accepted, to recognise a redelivered one.
///
/// In memory only (not part of the saved state): after a restart or an eviction it starts empty. For an event
/// cadence the context ring and the Store's `observations` still answer for older readings; for a duration cadence
/// only raw readings identify a duplicate, and steps are bucket aggregates, so this window is all the engine sees.
struct RecentReadings {
    /// How many readings are kept per stream: about 1 KiB (0.75 when the readings are short decimals), enough for a
    /// redelivered burst of a few dozen messages or a replayed SenML pack per stream.
    static let capacity = 64

    private var times = RingBuffer<Double>(capacity: capacity)
    /// The values, as 32-bit decimals while they are short decimals, as readings published as text are.
    private var values = DecimalRing(capacity: capacity)

    /// The latest time held (readings arrive roughly in time order, so a newer reading needs no search).
    private(set) var latest = -Double.infinity
    /// Whether a reading with this time and bit-identical value was accepted and is still held.
    func contains(time: Double, value: Double) -> Bool {
        guard time <= latest else { return false }
        let bits = value.bitPattern
        for index in times.indices where times[index] == time && values[index].bitPattern == bits { return true }
        return false
    }

    mutating func append(time: Double, value: Double) {
        times.append(time)
        values.append(value)
        latest = max(latest, time)
    }
}
