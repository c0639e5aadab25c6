import Formats

/// A forecast as issued, reduced to what scoring still needs: the model's quantiles and the calibrated rows before
/// rearrangement (what the calibrator learns from) of the steps not scored yet, and the published step-1 quantiles
/// (what the drift monitor scores). Step h of a forecast can only be scored by the h-th observation after it, so the
/// steps still needed are always a suffix: a stream holds H(H+1)/2 rows of each instead of H², and a saved state
/// carries only those. The published row of step h is the raw row rearranged.
public struct IssuedForecast: Sendable, Equatable {
    /// The model's and the calibrated rows of steps `first…`, one ``RowPairCodes`` row pair a step.
    private var values: [UInt16]
    /// What ``RowPairCodes/floorCode`` stands for in the rows: the floor quantiles were raised to (0 without one).
    let floor: Float
    /// The first step (1-based) whose rows `values` holds; every earlier step was scored or passed unscored.
    private var first: Int
    /// H, the number of steps.
    public let steps: Int
    /// K, the number of levels of a row.
    private let levelCount: Int
    /// Published (sorted) quantiles of step 1, [K]; empty once step 1 has passed.
    private(set) var publishedRow: [Float]
    /// Whether the model's median was published uncorrected, so the calibrator leaves that level's offset alone.
    public internal(set) var keptMedian: Bool

    /// Rows are kept as ``RowPairCodes`` (raw quantiles equal to `floor` exactly), `published` as `Float`s. Only the
    /// last run of steps with rows is kept: a step before a step without rows has passed.
    init(model: [[Double]], raw: [[Double]], published: [Double], keptMedian: Bool = false, floor: Double = 0) {
        precondition(model.count == raw.count, "\(model.count) model rows, \(raw.count) raw rows")
        let k = model.first(where: { !$0.isEmpty })?.count ?? published.count
        levelCount = k
        steps = model.count
        var end = model.count
        while end > 0 && model[end - 1].isEmpty { end -= 1 }
        var start = end
        while start > 0 && !model[start - 1].isEmpty { start -= 1 }
        first = start + 1
        values = []
        values.reserveCapacity((end - start) * RowPairCodes.length(levels: k))
        for h in start..<end {
            precondition(model[h].count == k && raw[h].count == k, "rows of step \(h + 1) are not \(k) long")
            RowPairCodes.append(model: model[h], raw: raw[h], floor: floor, to: &values)
        }
        self.floor = Float(floor)
        publishedRow = published.map { Float($0) }
        self.keptMedian = keptMedian
    }

    /// A forecast as ``PendingForecasts`` holds it: `held` are the ``RowPairCodes`` of steps `first…`.
    init(steps: Int, levels: Int, first: Int, held: [UInt16], floor: Float, published: [Float], keptMedian: Bool) {
        self.steps = steps
        levelCount = levels
        self.first = first
        values = held
        self.floor = floor
        publishedRow = published
        self.keptMedian = keptMedian
    }

    /// Words of a step's row pair.
    private var rowLength: Int { RowPairCodes.length(levels: levelCount) }

    /// The ``RowPairCodes`` of every held step, in order (what ``PendingForecastArchive`` saves).
    var heldCodes: [UInt16] { values }

    /// Steps whose rows are held.
    private var rowCount: Int { levelCount == 0 ? 0 : values.count / rowLength }

    /// The steps whose rows are held, 1-based.
    var heldSteps: Range<Int> { first..<(first + rowCount) }

    /// The row pair of held step `h` (in ``heldSteps``) as held.
    func heldWords(step h: Int) -> ArraySlice<UInt16> {
        let start = (h - first) * rowLength
        return values[start..<(start + rowLength)]
    }

    /// K, the number of levels of a row (0 for a forecast that never held a row).
    var levels: Int { levelCount }

    /// Published (sorted) quantiles of step 1, [K]; empty once step 1 has passed.
    public var published: [Double] { publishedRow.map(Double.init) }

    /// Model quantiles of step `h` (1-based), nil once scored.
    public func modelRow(step h: Int) -> [Double]? { row(step: h, part: 0) }

    /// Calibrated quantiles of step `h` before rearrangement, nil once scored.
    public func rawRow(step h: Int) -> [Double]? { row(step: h, part: 1) }

    private func row(step h: Int, part: Int) -> [Double]? {
        let index = h - first
        guard index >= 0 && index < rowCount else { return nil }
        let rows = RowPairCodes.decode(values, at: index * rowLength, levels: levelCount, floor: floor)
        return part == 0 ? rows.model : rows.raw
    }

    /// Model quantiles per step, [H][K]; empty for scored steps.
    public var model: [[Double]] { (0..<steps).map { modelRow(step: $0 + 1) ?? [] } }
    /// Calibrated quantiles per step before rearrangement, [H][K]; empty for scored steps.
    public var raw: [[Double]] { (0..<steps).map { rawRow(step: $0 + 1) ?? [] } }

    /// The most steps and levels a decoded forecast may claim, found in the decoder's `userInfo` under
    /// ``limitsKey``: a saved forecast is allocated no larger than its owner's configuration whatever it claims.
    public struct Limits: Sendable {
        /// H, the horizon.
        public var steps: Int
        /// K, the number of quantile levels.
        public var levels: Int

        /// Limits of a forecast of `steps` steps at `levels` levels.
        public init(steps: Int, levels: Int) {
            self.steps = steps
            self.levels = levels
        }
    }

    /// The `userInfo` key of the ``Limits`` a decoder applies (10 000 steps of 1000 levels without one).
    public static let limitsKey = CodingUserInfoKey(rawValue: "forecasting.issuedForecastLimits")!
}

extension IssuedForecast: Codable {
    private enum CodingKeys: String, CodingKey {
        case steps, levels, first, byteCodes, floor, published, keptMedian
        /// The held rows as 16-bit ``RowPairCodes`` (`3 + 2K` words a step), in states saved in stops 30–32.
        case codes
        /// The held rows as `Float`s (`[h][model K | raw K]`), in states saved before they were kept as codes.
        case rows
        /// The unscored steps and their rows as `Double`s, in states saved before the rows were saved as held.
        case kept, model, raw
        /// The published rows of states saved before issued forecasts were reduced ([H][K]; step 1 is kept).
        case calibrated
    }

    /// `{"steps":H,"levels":K,"first":f,"byteCodes":…,"floor":…,"published":…}`: the ``RowPairCodes`` of steps f…
    /// and the published step-1 row as ``ScalarPacking`` text of the words and `Float`s held, so a restored forecast
    /// scores exactly as before; the floor only when it is not 0. A stream's 78 pending rows at H 12, K 7 take 2.1 KB
    /// of text (3.5 KB as 16-bit codes before, 5.8 KB as `Float`s before that, 12 KB as `Double`s first). Saved
    /// stream states hold a stream's forecasts together instead, as a ``PendingForecastArchive`` (stop 35).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(steps, forKey: .steps)
        try container.encode(levelCount, forKey: .levels)
        try container.encode(first, forKey: .first)
        try container.encode(ScalarPacking.pack(values), forKey: .byteCodes)
        if floor != 0 { try container.encode(floor, forKey: .floor) }
        try container.encode(ScalarPacking.pack(publishedRow), forKey: .published)
        if keptMedian { try container.encode(true, forKey: .keptMedian) }
    }

    /// Restores a saved forecast in the form above, with its unscored steps' rows as `Double`s (`kept`), or as the
    /// full lists of numbers saved before the reduction (`keptMedian` absent: false, as states saved before it was
    /// recorded).
    /// - Throws: `DecodingError` when its rows do not fit its steps and levels or the ``Limits``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let keptMedian = try container.decodeIfPresent(Bool.self, forKey: .keptMedian) ?? false
        if container.contains(.byteCodes) || container.contains(.codes) || container.contains(.rows) {
            try self.init(held: container, limits: decoder.userInfo[Self.limitsKey] as? Limits, keptMedian: keptMedian)
            return
        }
        guard container.contains(.kept) else {
            // Saved before the reduction: every row, as lists of numbers.
            let model = try container.decode([[Double]].self, forKey: .model)
            let raw = try container.decode([[Double]].self, forKey: .raw)
            let published = try container.decode([[Double]].self, forKey: .calibrated).first ?? []
            let k = model.first?.count ?? 0
            guard raw.count == model.count, zip(model, raw).allSatisfy({ $0.count == k && $1.count == k }),
                published.isEmpty || published.count == k
            else {
                throw DecodingError.dataCorruptedError(
                    forKey: .raw, in: container, debugDescription: "raw rows do not match model rows")
            }
            self.init(model: model, raw: raw, published: published, keptMedian: keptMedian)
            return
        }
        let steps = try container.decode(Int.self, forKey: .steps)
        let levels = try container.decode(Int.self, forKey: .levels)
        let kept = try container.decode([Int].self, forKey: .kept)
        func unpack(_ key: CodingKeys, count: Int) throws -> [Double] {
            guard let values = ScalarPacking.unpack(try container.decode(String.self, forKey: key), as: Double.self),
                values.count == count
            else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "expected \(count) packed numbers")
            }
            return values
        }
        let limits = decoder.userInfo[Self.limitsKey] as? Limits
        guard (1...(limits?.steps ?? 10_000)).contains(steps), (1...(limits?.levels ?? 1000)).contains(levels),
            kept.allSatisfy({ (1...steps).contains($0) }), zip(kept, kept.dropFirst()).allSatisfy({ $0 < $1 })
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .kept, in: container, debugDescription: "kept steps do not fit \(steps) steps")
        }
        let models = try unpack(.model, count: kept.count * levels)
        let raws = try unpack(.raw, count: kept.count * levels)
        let published =
            try ScalarPacking.unpack(try container.decode(String.self, forKey: .published), as: Double.self)
            .flatMap { $0.count == levels || $0.isEmpty ? $0 : nil }
            ?? {
                throw DecodingError.dataCorruptedError(
                    forKey: .published, in: container, debugDescription: "expected \(levels) packed numbers")
            }()
        var model: [[Double]] = Array(repeating: [], count: steps)
        var raw: [[Double]] = Array(repeating: [], count: steps)
        for (row, step) in kept.enumerated() {
            model[step - 1] = Array(models[(row * levels)..<((row + 1) * levels)])
            raw[step - 1] = Array(raws[(row * levels)..<((row + 1) * levels)])
        }
        self.init(model: model, raw: raw, published: published, keptMedian: keptMedian)
    }

    /// The form `encode(to:)` writes, or the 16-bit codes or held `Float`s saved before (coded now; `Float`s with the
    /// floor at 0), checked against the steps, levels and limits.
    private init(held container: KeyedDecodingContainer<CodingKeys>, limits: Limits?, keptMedian: Bool) throws {
        let steps = try container.decode(Int.self, forKey: .steps)
        let levels = try container.decode(Int.self, forKey: .levels)
        let first = try container.decode(Int.self, forKey: .first)
        // K is 0 only for a forecast that never held a row (the levels are read from its rows).
        guard (1...(limits?.steps ?? 10_000)).contains(steps), (0...(limits?.levels ?? 1000)).contains(levels),
            (1...(steps + 1)).contains(first)
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .first, in: container,
                debugDescription: "\(steps) steps, \(levels) levels or first step \(first) out of bounds")
        }
        let floor = try container.decodeIfPresent(Float.self, forKey: .floor) ?? 0
        // Whole rows of `length` values, all within the steps (none when the forecast has no levels).
        func fits(_ count: Int, rowLength length: Int) -> Bool {
            levels == 0 ? count == 0 : count % length == 0 && first - 1 + count / length <= steps
        }
        /// The packed column under `key`, whole rows of `rowLength` scalars within the steps.
        func rows<Scalar: PackedScalar>(_ key: CodingKeys, of _: Scalar.Type, rowLength: Int) throws -> [Scalar] {
            guard let values = ScalarPacking.unpack(try container.decode(String.self, forKey: key), as: Scalar.self),
                fits(values.count, rowLength: rowLength)
            else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container,
                    debugDescription: "\(key.stringValue) are not packed rows of \(levels) levels within step \(steps)")
            }
            return values
        }
        var words: [UInt16] = []
        if container.contains(.byteCodes) {
            words = try rows(.byteCodes, of: UInt16.self, rowLength: RowPairCodes.length(levels: levels))
        } else if container.contains(.codes) {
            let rowLength = RowPairCodes.sixteenBitLength(levels: levels)
            let codes = try rows(.codes, of: UInt16.self, rowLength: rowLength)
            for start in stride(from: 0, to: codes.count, by: max(1, rowLength)) {
                let rows = RowPairCodes.decodeSixteenBit(codes, at: start, levels: levels, floor: floor)
                RowPairCodes.append(model: rows.model, raw: rows.raw, floor: Double(floor), to: &words)
            }
        } else {
            let rowLength = 2 * levels
            let values = try rows(.rows, of: Float.self, rowLength: rowLength)
            for start in stride(from: 0, to: values.count, by: max(1, rowLength)) {
                RowPairCodes.append(
                    model: values[start..<(start + levels)].map(Double.init),
                    raw: values[(start + levels)..<(start + rowLength)].map(Double.init), floor: 0, to: &words)
            }
        }
        guard
            let published = ScalarPacking.unpack(try container.decode(String.self, forKey: .published), as: Float.self),
            published.isEmpty || (levels > 0 && published.count == levels)
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .published, in: container, debugDescription: "expected \(levels) packed numbers")
        }
        self.steps = steps
        self.levelCount = levels
        self.first = first
        self.values = words
        self.floor = floor
        self.publishedRow = published
        self.keptMedian = keptMedian
    }
}
