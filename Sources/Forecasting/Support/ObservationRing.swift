/// The last `capacity` steps of a stream, oldest first, as a ring of values and the times as runs of one step.
///
/// A stream's steps after resampling are a fixed cadence, save for gaps past the resampler's limit, so its times
/// are a few runs `start + (skip + j)·step`. A ring of ``Observation``s spent half its 16 bytes a step on them (a
/// 256-step context: 4 KB, 2 of them times). A time joins a run only when that formula gives it bit for bit, so
/// every time reads back exactly as appended; an event cadence (or times the formula does not reproduce) makes runs
/// of one or two, and past ``maximumRuns`` the ring keeps the times as a plain column instead, as before.
public struct ObservationRing: Sendable {
    /// One run of times: the `j`-th is `start + Double(skip + j) * step`. `step` is NaN while the run has one time.
    struct Run: Sendable, Equatable {
        var start: Double
        var step: Double
        /// Times of the run already evicted from the front (the formula's index keeps counting from `start`).
        var skip: Int
        var count: Int

        func time(_ j: Int) -> Double { skip + j == 0 ? start : start + Double(skip + j) * step }

        /// Its times, oldest first.
        var times: [Double] { (0..<count).map(time) }
    }

    /// How the times are held.
    enum Times: Sendable, Equatable {
        case runs([Run])
        /// The times, and how many were appended since the column was last found not to fit in runs.
        case column(RingBuffer<Double>, appended: Int)
    }

    /// Runs at most before the times become a column: 16 runs (512 bytes) against 2 KB of times at 256 steps, and
    /// reading a time walks them.
    static let maximumRuns = 16

    /// The most steps held.
    public var capacity: Int { values.capacity }
    /// The values, oldest first, NaN for a missing step: what the seasonal-naive fallback reads as its history. Held
    /// as 32-bit decimals while the readings are short decimals (``DecimalRing``).
    public private(set) var values: DecimalRing
    private(set) var times: Times = .runs([])

    /// An empty ring; traps if `capacity < 1` (a programmer error).
    public init(capacity: Int) {
        values = DecimalRing(capacity: capacity)
    }

    /// A ring of `capacity` holding the last `capacity` of `elements` (oldest first), its times as runs where they fit.
    public init(capacity: Int, elements: some Sequence<Observation>) {
        self.init(capacity: capacity)
        for element in elements { append(element) }
    }

    /// Appends `observation`, evicting the oldest when full.
    /// - Complexity: O(1) amortised; allocates only while the ring first grows, or when a run starts.
    public mutating func append(_ observation: Observation) {
        let evicts = values.isFull
        values.append(observation.value ?? .nan)
        switch times {
        case .column(var column, let appended):
            times = .runs([])  // no second reference while the column is appended to
            column.append(observation.t)
            // Once a whole ring has passed since the times stopped fitting in runs (an irregular stretch has left
            // it), they are tried again: O(capacity) once per capacity steps.
            if appended + 1 >= capacity, let runs = Self.runs(column) {
                times = .runs(runs)
            } else {
                times = .column(column, appended: appended + 1 >= capacity ? 0 : appended + 1)
            }
        case .runs(var runs):
            times = .runs([])  // no second reference while the runs are changed
            Self.extend(&runs, with: observation.t)
            if evicts {
                runs[0].skip += 1
                runs[0].count -= 1
                if runs[0].count == 0 { runs.removeFirst() }
            }
            if runs.count > Self.maximumRuns {
                times = .column(RingBuffer(capacity: capacity, elements: runs.flatMap(\.times)), appended: 0)
            } else {
                times = .runs(runs)
            }
        }
    }

    private static func extend(_ runs: inout [Run], with t: Double) {
        if let last = runs.indices.last {
            // A NaN step is a run of one time that was never evicted from.
            if runs[last].step.isNaN {
                let step = t - runs[last].start
                if step.isFinite && step != 0 && runs[last].start + step == t {
                    runs[last].step = step
                    runs[last].count = 2
                    return
                }
            } else if runs[last].time(runs[last].count) == t {
                runs[last].count += 1
                return
            }
        }
        runs.append(Run(start: t, step: .nan, skip: 0, count: 1))
    }

    /// The runs of `times`, or nil when they need more than ``maximumRuns``.
    private static func runs(_ times: some Sequence<Double>) -> [Run]? {
        var runs: [Run] = []
        for time in times {
            extend(&runs, with: time)
            if runs.count > maximumRuns { return nil }
        }
        return runs
    }

    /// The time of the `i`-th oldest step.
    private func time(_ i: Int) -> Double {
        switch times {
        case .column(let column, _): return column[i]
        case .runs(let runs):
            var j = i
            for run in runs {
                if j < run.count { return run.time(j) }
                j -= run.count
            }
            preconditionFailure("ObservationRing index \(i) out of range 0..<\(count)")
        }
    }

    /// Bytes the ring has allocated for its times and values, for memory accounting.
    public var allocatedBytes: Int { values.allocatedBytes + timeBytes }

    /// The times as saved: `[start, step, skip, count]` per run, or nil when they are a column.
    public var savedRuns: [Double]? {
        guard case .runs(let runs) = times else { return nil }
        return runs.flatMap { [$0.start, $0.step, Double($0.skip), Double($0.count)] }
    }

    /// The `count` times that `savedRuns` describe, or nil when they are malformed, describe another number of times,
    /// or a time that is not finite.
    public static func times(savedRuns runs: [Double], count: Int) -> [Double]? {
        guard runs.count % 4 == 0 else { return nil }
        var times: [Double] = []
        for index in stride(from: 0, to: runs.count, by: 4) {
            let (start, step, skip, length) = (runs[index], runs[index + 1], runs[index + 2], runs[index + 3])
            guard start.isFinite, skip >= 0, skip == skip.rounded(), skip < Double(Int32.max), length >= 1,
                length == length.rounded(), length <= Double(count - times.count),
                step.isFinite || (step.isNaN && skip == 0 && length == 1)
            else { return nil }
            let run = Run(start: start, step: step, skip: Int(skip), count: Int(length)).times
            guard run.allSatisfy(\.isFinite) else { return nil }
            times += run
        }
        return times.count == count ? times : nil
    }

    /// Bytes the ring has allocated for its times (a run is 32), for memory accounting.
    var timeBytes: Int {
        switch times {
        case .column(let column, _): column.allocatedCapacity * 8
        case .runs(let runs): runs.capacity * MemoryLayout<Run>.stride
        }
    }
}

extension ObservationRing: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }

    /// The `i`-th oldest step (0 is the oldest); traps when out of range.
    public subscript(i: Int) -> Observation { Observation(t: time(i), value: values[i]) }
}

extension ObservationRing: Equatable {
    /// The same capacity and steps (a missing value equals a missing value), however the times are held.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.capacity == rhs.capacity && lhs.elementsEqual(rhs)
    }
}
