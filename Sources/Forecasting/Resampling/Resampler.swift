/// Turns a stream's readings into its steps at the stream's ``Cadence``, with explicit missing steps.
///
/// For a duration cadence of `d` seconds, bucket `b` is `[b·d, (b+1)·d)` and its ``Observation`` carries `t = b·d`.
/// A bucket closes when a reading of a later bucket arrives (or ``advance(to:)`` passes its end); every empty bucket
/// in between becomes an observation with a nil value. **Gap cap:** at most ``maximumGapSteps`` missing steps are
/// emitted for one gap, the most recent ones (those just before the new step), because a forecaster's state only
/// needs recent context and a week-long outage at 1 s must not emit 600 000 steps; the missing steps left out are
/// counted in ``skippedGapSteps``.
///
/// Rejected readings (``ResamplerRejection``) leave the state unchanged: non-finite times or values, readings older
/// than the open bucket (its predecessors are already emitted), and in event mode readings not strictly after the
/// previous one. The result does not depend on how the readings are chunked (`ResamplerTests` checks it the way
/// NIO's `ByteToMessageDecoderVerifier` does).
/// - Complexity: O(1) per reading plus O(emitted steps); state is O(1).
public struct Resampler: Sendable, Hashable {
    /// The stream's cadence.
    public let cadence: Cadence
    /// The most missing steps emitted for one gap. The default is 1000.
    public let maximumGapSteps: Int
    /// Missing steps not emitted because of the gap cap, since creation.
    public internal(set) var skippedGapSteps = 0
    /// Event mode: the last accepted time. Duration mode: the open bucket, if any.
    var lastTime: Double?
    var open: Bucket?
    /// Duration mode: the last bucket emitted (closed), if any.
    var lastEmitted: Int64?

    /// The readings of the open bucket, reduced.
    struct Bucket: Sendable, Hashable, Codable {
        var index: Int64
        var count = 0
        var sum = 0.0
        var minimum = Double.infinity
        var maximum = -Double.infinity
        var last = 0.0
        var lastTime = -Double.infinity

        mutating func add(_ reading: Reading) {
            count += 1
            sum += reading.value
            minimum = Swift.min(minimum, reading.value)
            maximum = Swift.max(maximum, reading.value)
            if reading.time >= lastTime {
                last = reading.value
                lastTime = reading.time
            }
        }

        func value(_ aggregate: Cadence.Aggregate) -> Double {
            switch aggregate {
            case .mean: sum / Double(count)
            case .last: last
            case .sum: sum
            case .min: minimum
            case .max: maximum
            }
        }
    }

    /// A resampler that has seen nothing; traps on a non-positive bucket length or gap cap (configuration errors the
    /// daemon's validation reports first).
    public init(cadence: Cadence, maximumGapSteps: Int = 1000) {
        if case .every(let seconds, _) = cadence {
            precondition(seconds > 0 && seconds.isFinite, "bucket length must be positive, got \(seconds)")
        }
        precondition(maximumGapSteps >= 0, "maximumGapSteps must be >= 0, got \(maximumGapSteps)")
        self.cadence = cadence
        self.maximumGapSteps = maximumGapSteps
    }

    /// Readings further than this from the epoch (about ±31 700 years, in seconds) are refused: bucket indices must
    /// fit in 64 bits whatever the bucket length.
    public static let timeLimit = 1e12

    /// Takes one reading and appends the steps it closes to `output`.
    /// - Throws: ``ResamplerRejection``; the state is then unchanged.
    public mutating func ingest(_ reading: Reading, into output: inout [Observation]) throws(ResamplerRejection) {
        guard reading.time.isFinite else { throw .nonFiniteTime }
        guard abs(reading.time) <= Self.timeLimit else { throw .timeOutOfRange(time: reading.time) }
        guard reading.value.isFinite else { throw .nonFiniteValue(time: reading.time) }
        switch cadence {
        case .event:
            if let lastTime, reading.time <= lastTime {
                throw reading.time == lastTime
                    ? .duplicateTimestamp(time: reading.time) : .outOfOrder(time: reading.time, after: lastTime)
            }
            lastTime = reading.time
            output.append(Observation(t: reading.time, value: reading.value))
        case .every(let seconds, _):
            let index = Int64((reading.time / seconds).rounded(.down))
            if let open {
                if index < open.index {
                    throw .outOfOrder(time: reading.time, after: Double(open.index) * seconds)
                }
                if index == open.index {
                    self.open!.add(reading)
                    return
                }
            } else if let lastEmitted, index <= lastEmitted {
                throw .outOfOrder(time: reading.time, after: Double(lastEmitted + 1) * seconds)
            }
            close(before: index, into: &output)
            var bucket = Bucket(index: index)
            bucket.add(reading)
            open = bucket
        }
    }

    /// Takes one reading and returns the steps it closes.
    public mutating func ingest(_ reading: Reading) throws(ResamplerRejection) -> [Observation] {
        var output: [Observation] = []
        try ingest(reading, into: &output)
        return output
    }

    /// Takes many readings in order; rejections are collected with their reading instead of stopping the batch.
    public mutating func ingest(
        contentsOf readings: some Sequence<Reading>
    ) -> (
        observations: [Observation], rejections: [(reading: Reading, reason: ResamplerRejection)]
    ) {
        var observations: [Observation] = []
        var rejections: [(reading: Reading, reason: ResamplerRejection)] = []
        for reading in readings {
            do throws(ResamplerRejection) {
                try ingest(reading, into: &observations)
            } catch {
                rejections.append((reading, error))
            }
        }
        return (observations, rejections)
    }

    /// The earliest watermark at which ``advance(to:)`` has something to close, rounded down by a relative 2⁻⁴⁰ so
    /// that it is never late (a look a little early finds nothing and costs one call); nil in event mode and before
    /// the first reading. Readings only move it later.
    public var nextCloseWatermark: Double? {
        guard case .every(let seconds, _) = cadence, let reference = open?.index ?? lastEmitted.map({ $0 + 1 }) else {
            return nil
        }
        let exact = Double(reference + 1) * seconds
        return exact - (abs(exact) + seconds) * 0x1p-40
    }

    /// Closes every bucket that ends at or before `time` (a watermark, e.g. the clock minus an allowed lateness) and
    /// returns its step and the missing steps up to `time`, so a silent stream still produces explicit gaps. Readings
    /// older than the watermark are rejected afterwards. Does nothing in event mode or before the first reading.
    public mutating func advance(to time: Double) -> [Observation] {
        guard case .every(let seconds, _) = cadence, time.isFinite, abs(time) <= Self.timeLimit else { return [] }
        // The first bucket not yet ended at `time`: everything before it is final.
        let firstOpen = Int64((time / seconds).rounded(.down))
        guard let reference = open?.index ?? lastEmitted.map({ $0 + 1 }), firstOpen > reference else { return [] }
        var output: [Observation] = []
        close(before: firstOpen, into: &output)
        lastEmitted = firstOpen - 1
        return output
    }

    /// Emits the open bucket and the missing steps before bucket `index` (capped), and leaves no bucket open.
    private mutating func close(before index: Int64, into output: inout [Observation]) {
        guard case .every(let seconds, let aggregate) = cadence else { return }
        if let open {
            output.append(Observation(t: Double(open.index) * seconds, value: open.value(aggregate)))
            lastEmitted = open.index
            self.open = nil
        }
        guard let lastEmitted else { return }
        let missing = index - lastEmitted - 1
        guard missing > 0 else { return }
        let emitted = min(missing, Int64(maximumGapSteps))
        skippedGapSteps += Int(missing - emitted)
        for b in (index - emitted)..<index {
            output.append(Observation(t: Double(b) * seconds, value: nil))
        }
        self.lastEmitted = index - 1
    }
}

/// Why a reading was refused by a ``Resampler``; the daemon stores it as a reject row.
public enum ResamplerRejection: Error, Sendable, Hashable {
    /// The reading's time is NaN or infinite.
    case nonFiniteTime
    /// The reading's time is further than ``Resampler/timeLimit`` from the epoch.
    case timeOutOfRange(time: Double)
    /// The reading's value is NaN or infinite.
    case nonFiniteValue(time: Double)
    /// The reading is older than what was already emitted: before the open bucket's start (duration cadence) or
    /// before the previous reading (event cadence); `after` is that bound (Unix seconds).
    case outOfOrder(time: Double, after: Double)
    /// Event cadence: the reading has the same time as the previous one.
    case duplicateTimestamp(time: Double)
}
