/// The forecasts issued after each of the last H observations, reduced to the rows scoring still needs, all in one
/// buffer allocated at the first forecast: the entry issued a steps ago can only be scored from its step a on, so the
/// entries hold at most H(H+1)/2 rows together. Each forecast kept arrays of its own before, reallocated smaller at
/// every observation: twelve allocations a stream and step at H 12, and about 1 KB a stream of headers and entries.
/// A step's model and raw rows are held as one ``RowPairCodes`` row pair, 8-bit codes instead of `Float`s.
///
/// ``ForecastFeedback`` drives it: ``scoring(step:)`` and ``markScored(step:)`` for the steps an observation scores,
/// ``advance()`` after it, ``issue(model:raw:published:keptMedian:floor:)`` after a forecast. ``issued`` gives the
/// forecasts in their saved form (``IssuedForecast``), oldest first.
struct PendingForecasts: Sendable {
    /// H, the steps of a forecast.
    let horizon: Int
    /// K, the levels of a row.
    let levelCount: Int
    /// Oldest first, at most H; nil where no forecast was issued.
    private var slots: [Slot?]
    /// Every slot's held rows, one ``RowPairCodes`` row pair a step; a slot's row pairs are one run at `Slot.start`.
    private var rows: [UInt16]
    /// The published step-1 row of the newest slot; empty when it has none. Only the newest slot's step 1 can still
    /// be scored, and the drift monitor reads the published row only there.
    private var published: [Float]

    /// 32-bit fields: an optional slot takes 20 bytes instead of 40 (H is at most 10,000, H(H+1)/2 rows fit).
    private struct Slot: Sendable, Equatable {
        /// The first held step (1-based); every earlier one was scored or passed.
        var first: Int32
        /// How many steps from `first` on are held.
        var count: Int32
        /// Where the first held row starts in `rows`, in rows.
        var start: Int32
        /// What ``RowPairCodes/floorCode`` stands for in the forecast's rows.
        var floor: Float
        /// Whether the model's median was published uncorrected.
        var keptMedian: Bool

        init(first: Int, count: Int, start: Int, floor: Float, keptMedian: Bool) {
            self.first = Int32(first)
            self.count = Int32(count)
            self.start = Int32(start)
            self.floor = floor
            self.keptMedian = keptMedian
        }

        /// The held steps, 1-based.
        var steps: Range<Int> { Int(first)..<Int(first + count) }

        /// Drops the first `drop` held steps.
        mutating func drop(_ drop: Int) {
            first += Int32(drop)
            count -= Int32(drop)
            start += Int32(drop)
        }
    }

    private var rowLength: Int { RowPairCodes.length(levels: levelCount) }

    /// Pending forecasts of `horizon` steps at `levelCount` levels, restored from `issued` (oldest first, the last
    /// `horizon` of them; one of other steps or levels is left out). Rows no observation can score any more (steps
    /// before the entry's age, kept by states saved before such rows were dropped) are left out.
    init(horizon: Int, levelCount: Int, issued: [IssuedForecast?] = []) {
        // More than H (which the owner's check refuses) would be trimmed to the last H at the next observation.
        let issued = Array(issued.suffix(horizon))
        self.horizon = horizon
        self.levelCount = levelCount
        slots = []
        slots.reserveCapacity(horizon + 1)
        rows = []
        published = []
        if issued.contains(where: { $0 != nil }) { reserveRows() }
        for (index, forecast) in issued.enumerated() {
            // The owner checks a restored state; a forecast of other shapes would misalign every row after it.
            guard let forecast, forecast.steps <= horizon, forecast.heldSteps.isEmpty || forecast.levels == levelCount
            else {
                slots.append(nil)
                continue
            }
            // Scored next at step `age`: the last forecast at step 1.
            let age = issued.count - index
            let held = forecast.heldSteps
            let first = max(held.lowerBound, age)
            let end = max(first, held.upperBound)
            let start = rows.count / max(1, rowLength)
            for h in first..<end { rows.append(contentsOf: forecast.heldWords(step: h)) }
            slots.append(
                Slot(
                    first: first, count: end - first, start: start, floor: forecast.floor,
                    keptMedian: forecast.keptMedian))
            if index == issued.count - 1 && first == 1 { published.append(contentsOf: forecast.publishedRow) }
        }
    }

    /// The forecasts in their saved form, oldest first.
    var issued: [IssuedForecast?] {
        slots.enumerated().map { index, slot in
            slot.map { slot in
                IssuedForecast(
                    steps: horizon, levels: levelCount, first: Int(slot.first),
                    held: Array(rows[(Int(slot.start) * rowLength)..<(Int(slot.start + slot.count) * rowLength)]),
                    floor: slot.floor, published: index == slots.count - 1 ? published : [],
                    keptMedian: slot.keptMedian)
            }
        }
    }

    /// Forecasts held (issued or not), at most H.
    var count: Int { slots.count }

    /// Rows held by all forecasts together (at most H(H+1)/2).
    var heldRowCount: Int { rows.count / max(1, rowLength) }

    /// The buffer's capacity in words: none until the first forecast, then never grown again.
    var rowCapacity: Int { rows.capacity }

    /// Sizes the buffer for the most rows the forecasts can hold, H(H+1)/2. Not before the first forecast: a stream
    /// that has not issued one (the model is not warm, or it forecasts rarely) would carry 1.6 KB of empty buffer
    /// at H 12, K 7, most of an idle stream's state.
    private mutating func reserveRows() {
        let most = horizon * (horizon + 1) / 2 * rowLength
        if rows.capacity < most { rows.reserveCapacity(most) }
        if published.capacity < levelCount { published.reserveCapacity(levelCount) }
    }

    /// What scoring step `h` of the forecast issued h observations before the next reads: its model and raw rows,
    /// the published step-1 row and whether the median was kept; nil when it holds no row for that step.
    func scoring(step h: Int) -> (model: [Double], raw: [Double], published: [Double], keptMedian: Bool)? {
        let index = slots.count - h
        guard index >= 0, let slot = slots[index], slot.steps.contains(h) else { return nil }
        let base = (Int(slot.start) + h - Int(slot.first)) * rowLength
        let (model, raw) = RowPairCodes.decode(rows, at: base, levels: levelCount, floor: slot.floor)
        let published = index == slots.count - 1 ? published.map(Double.init) : []
        return (model, raw, published, slot.keptMedian)
    }

    /// Drops the rows of steps 1…`h` of the forecast issued h observations before the next, once step `h` is scored
    /// or its observation has passed without a value (the buffer is compacted by ``advance()``).
    mutating func markScored(step h: Int) {
        let index = slots.count - h
        guard index >= 0, var slot = slots[index] else { return }
        slot.drop(min(Int(slot.count), max(0, h - Int(slot.first) + 1)))
        slots[index] = slot
        if index == slots.count - 1 { published.removeAll(keepingCapacity: true) }
    }

    /// After an observation: every forecast ages by one step, rows no later observation can score go, and an empty
    /// slot opens for the forecast issued after it.
    mutating func advance() {
        published.removeAll(keepingCapacity: true)
        slots.append(nil)
        if slots.count > horizon { slots.removeFirst(slots.count - horizon) }
        // Compacts the rows in place, oldest slot first: a run only ever moves towards the front.
        let rowLength = rowLength
        var next = 0
        for index in slots.indices {
            guard var slot = slots[index] else { continue }
            let age = slots.count - index
            if Int(slot.first) < age { slot.drop(min(Int(slot.count), age - Int(slot.first))) }
            let start = Int(slot.start), count = Int(slot.count)
            if start != next && count > 0 {
                rows.withUnsafeMutableBufferPointer { buffer in
                    let base = buffer.baseAddress!
                    (base + next * rowLength).update(from: base + start * rowLength, count: count * rowLength)
                }
            }
            slot.start = Int32(next)
            next += count
            slots[index] = slot
        }
        rows.removeLast(rows.count - next * rowLength)
    }

    /// Keeps the rows of a forecast issued after the last observation, in the slot ``advance()`` opened (or a first
    /// slot), replacing one issued there before; raw quantiles raised to `floor` are kept exactly.
    mutating func issue(model: [[Double]], raw: [[Double]], published: [Double], keptMedian: Bool, floor: Double = 0) {
        precondition(model.count <= horizon && raw.count == model.count, "a forecast of \(model.count) steps")
        reserveRows()
        if slots.isEmpty { slots.append(nil) }
        if let previous = slots[slots.count - 1] {
            // The newest slot's rows are the last in the buffer.
            rows.removeLast(rows.count - Int(previous.start) * rowLength)
        }
        let start = rows.count / max(1, rowLength)
        for h in model.indices {
            precondition(model[h].count == levelCount && raw[h].count == levelCount, "rows of step \(h + 1)")
            RowPairCodes.append(model: model[h], raw: raw[h], floor: floor, to: &rows)
        }
        slots[slots.count - 1] = Slot(
            first: 1, count: model.count, start: start, floor: Float(floor), keptMedian: keptMedian)
        self.published.removeAll(keepingCapacity: true)
        for value in published { self.published.append(Float(value)) }
    }
}

extension PendingForecasts: Equatable {
    /// Equal when they hold the same forecasts, wherever in the buffer their rows lie.
    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.horizon == rhs.horizon && lhs.levelCount == rhs.levelCount && lhs.issued == rhs.issued
    }
}
