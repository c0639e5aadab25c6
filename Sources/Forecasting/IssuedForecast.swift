/// A forecast as issued, reduced to what scoring still needs: the model's quantiles and the calibrated rows before
/// rearrangement (what the calibrator learns from) of the steps not scored yet, and the published step-1 quantiles
/// (what the drift monitor scores). A scored step's rows are emptied, so a stream holds H(H+1)/2 rows of each instead
/// of H², and a saved state carries only those. The published row of step h is the raw row rearranged.
public struct IssuedForecast: Sendable, Equatable {
    /// Model quantiles per step, [H][K]; empty for scored steps.
    public internal(set) var model: [[Double]]
    /// Calibrated quantiles per step before rearrangement, [H][K]; empty for scored steps.
    public internal(set) var raw: [[Double]]
    /// Published (sorted) quantiles of step 1, [K]; empty once scored.
    public internal(set) var published: [Double]
    /// Whether the model's median was published uncorrected, so the calibrator leaves that level's offset alone.
    public internal(set) var keptMedian: Bool

    init(model: [[Double]], raw: [[Double]], published: [Double], keptMedian: Bool = false) {
        self.model = model
        self.raw = raw
        self.published = published
        self.keptMedian = keptMedian
    }

    /// Drops the rows of step `h` (1-based) once it is scored.
    mutating func scored(step h: Int) {
        model[h - 1] = []
        raw[h - 1] = []
        if h == 1 { published = [] }
    }

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
        case steps, levels, kept, model, raw, published, keptMedian
        /// The published rows of states saved before issued forecasts were reduced ([H][K]; step 1 is kept).
        case calibrated
    }

    /// `{"steps":H,"levels":K,"kept":[unscored steps, 1-based],"model":…,"raw":…,"published":…}`, the numbers as
    /// ``ScalarPacking`` text: a saved state carries only the rows scoring still needs, bit-exact.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let kept = model.indices.filter { !model[$0].isEmpty }
        try container.encode(model.count, forKey: .steps)
        try container.encode(kept.first.map { model[$0].count } ?? published.count, forKey: .levels)
        try container.encode(kept.map { $0 + 1 }, forKey: .kept)
        try container.encode(ScalarPacking.pack(kept.flatMap { model[$0] }), forKey: .model)
        try container.encode(ScalarPacking.pack(kept.flatMap { raw[$0] }), forKey: .raw)
        try container.encode(ScalarPacking.pack(published), forKey: .published)
        if keptMedian { try container.encode(true, forKey: .keptMedian) }
    }

    /// Restores a saved forecast, in the form above or as the full lists of numbers saved before the reduction
    /// (`keptMedian` absent: false, as states saved before it was recorded).
    /// - Throws: `DecodingError` when its rows do not fit its steps and levels or the ``Limits``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keptMedian = try container.decodeIfPresent(Bool.self, forKey: .keptMedian) ?? false
        guard container.contains(.kept) else {
            // Saved before the reduction: every row, as lists of numbers.
            model = try container.decode([[Double]].self, forKey: .model)
            raw = try container.decode([[Double]].self, forKey: .raw)
            published = try container.decode([[Double]].self, forKey: .calibrated).first ?? []
            guard raw.count == model.count else {
                throw DecodingError.dataCorruptedError(
                    forKey: .raw, in: container, debugDescription: "raw rows do not match model rows")
            }
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
        published =
            try ScalarPacking.unpack(try container.decode(String.self, forKey: .published), as: Double.self)
            .flatMap { $0.count == levels || $0.isEmpty ? $0 : nil }
            ?? {
                throw DecodingError.dataCorruptedError(
                    forKey: .published, in: container, debugDescription: "expected \(levels) packed numbers")
            }()
        model = Array(repeating: [], count: steps)
        raw = Array(repeating: [], count: steps)
        for (row, step) in kept.enumerated() {
            model[step - 1] = Array(models[(row * levels)..<((row + 1) * levels)])
            raw[step - 1] = Array(raws[(row * levels)..<((row + 1) * levels)])
        }
    }
}
