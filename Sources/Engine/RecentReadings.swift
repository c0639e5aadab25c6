import Forecasting

/// The last accepted readings of one stream, exactly as accepted, to recognise a redelivered one.
///
/// In memory only (not part of the saved state): after a restart or an eviction it starts empty. For an event
/// cadence the context ring and the Store's `observations` still answer for older readings; for a duration cadence
/// only raw readings identify a duplicate, and steps are bucket aggregates, so this window is all the engine sees.
///
/// Held as an ``ObservationRing``: readings at a regular cadence keep their times as one run and short decimals
/// their values as 16- or 32-bit integers, 0.2–0.4 KB a stream instead of 0.8; irregular times fall back to a
/// column, and every time and value reads back bit for bit.
struct RecentReadings {
    /// How many readings are kept per stream, enough for a redelivered burst of a few dozen messages or a replayed
    /// SenML pack per stream.
    static let capacity = 64

    private var readings = ObservationRing(capacity: capacity)

    /// The latest time held (readings arrive roughly in time order, so a newer reading needs no search).
    private(set) var latest = -Double.infinity

    /// Whether a reading with this time and bit-identical value was accepted and is still held.
    func contains(time: Double, value: Double) -> Bool {
        guard time <= latest else { return false }
        let bits = value.bitPattern
        for reading in readings where reading.t == time && reading.value?.bitPattern == bits { return true }
        return false
    }

    /// Bytes allocated for the readings, for memory accounting.
    var allocatedBytes: Int { readings.allocatedBytes }

    /// Keeps an accepted reading (finite: ingestion refuses NaN), evicting the oldest past ``capacity``.
    mutating func append(time: Double, value: Double) {
        readings.append(Observation(t: time, value: value))
        latest = max(latest, time)
    }
}
