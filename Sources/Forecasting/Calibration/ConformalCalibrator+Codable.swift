import Formats

/// A step as saved: its score windows (only when it has its own), its parameters packed, its typical width.
private struct SavedStep {
    var scores: [RollingWindowQuantile]
    var parameter: [Double]
    var typicalWidth: Double
}

extension SavedStep: Codable {
    private enum CodingKeys: String, CodingKey { case scores, parameter, typicalWidth }

    /// Reads the parameters packed or, as saved before, as a list of numbers; no `scores` is no windows.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scores = try container.decodeIfPresent([RollingWindowQuantile].self, forKey: .scores) ?? []
        parameter = try container.decodePackedOrList(Double.self, forKey: .parameter)
        typicalWidth = try container.decode(Double.self, forKey: .typicalWidth)
    }

    /// The parameters packed (bit-exact, 40 % less text than numbers); the score windows only when it has its own.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !scores.isEmpty { try container.encode(scores, forKey: .scores) }
        try container.encode(ScalarPacking.pack(parameter), forKey: .parameter)
        try container.encode(typicalWidth, forKey: .typicalWidth)
    }
}

extension ConformalCalibrator: Codable {
    private enum CodingKeys: String, CodingKey {
        case levels, configuration, steps, coverage
        /// Every step's parameter shifts (``ConformalCalibrator/shifts``, `Float`s) and typical width, packed, for a
        /// calibrator without windows of its own.
        case shifts, typicalWidths
        /// The parameters themselves as `Double`s instead of `shifts`, in states saved before stop 33.
        case parameters
    }

    /// What states saved before coverage was kept for step 1 only hold per step besides the offsets.
    private struct SavedStepCoverage: Decodable {
        var positions: RingBuffer<UInt16>?
    }

    /// Restores a saved calibrator (pooled when it has no score windows); the coverage counts are recounted from the
    /// stored positions (a state saved with a coverage ring per step keeps step 1's).
    /// - Throws: `DecodingError` when the state is malformed or inconsistent with its configuration.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let levels = try container.decode(QuantileLevels.self, forKey: .levels)
        let configuration = try container.decode(Configuration.self, forKey: .configuration)
        let steps: [SavedStep]
        var positions = try container.decodeIfPresent(RingBuffer<UInt16>.self, forKey: .coverage)
        var shifts: [Float]?
        if container.contains(.shifts) || container.contains(.parameters) {
            let k = levels.count
            let widths = ScalarPacking.unpack(
                try container.decode(String.self, forKey: .typicalWidths), as: Double.self)
            let parameters: [Double]?
            if container.contains(.shifts) {
                let saved = ScalarPacking.unpack(try container.decode(String.self, forKey: .shifts), as: Float.self)
                // The parameters they stand for, checked below like any saved parameters.
                parameters = saved.map { saved in
                    saved.indices.map {
                        Self.start(level: $0 % k, of: levels, method: configuration.method) + Double(saved[$0])
                    }
                }
                shifts = saved
            } else {
                parameters = ScalarPacking.unpack(
                    try container.decode(String.self, forKey: .parameters), as: Double.self)
            }
            guard let widths, let parameters, parameters.count == widths.count * k else {
                throw DecodingError.corrupt(decoder, "calibrator state: parameters do not fit the steps and levels")
            }
            steps = widths.indices.map {
                SavedStep(scores: [], parameter: Array(parameters[($0 * k)..<(($0 + 1) * k)]), typicalWidth: widths[$0])
            }
        } else {
            steps = try container.decode([SavedStep].self, forKey: .steps)
            if positions == nil {
                positions = try container.decode([SavedStepCoverage].self, forKey: .steps).first?.positions
            }
        }
        let coverage = positions ?? RingBuffer(capacity: max(1, configuration.window))
        if let problem = Self.problem(levels: levels, configuration: configuration, steps: steps, coverage: coverage) {
            throw DecodingError.corrupt(decoder, "calibrator state: \(problem)")
        }
        self.init(levels: levels, horizon: steps.count, configuration: configuration)
        for s in steps.indices {
            self.steps[s].scores = steps[s].scores
            self.steps[s].typicalWidth = steps[s].typicalWidth
        }
        if let shifts {
            self.shifts = shifts
        } else {
            // Saved as `Double`s before stop 33: held as shifts from here on, within a `Float` of what was saved.
            for (s, step) in steps.enumerated() {
                for (k, value) in step.parameter.enumerated() { setParameter(s * levels.count + k, value) }
            }
        }
        for packed in coverage {
            let position = CoveragePositions.position(packed: packed)
            recordCoverage(less: position.less, lessOrEqual: position.lessOrEqual)
        }
    }

    /// A calibrator without windows of its own (pooled, or tracking) saves its parameter shifts and typical widths as
    /// two packed texts (bit-exact; about 0.8 KB at H 12, K 7, where a step each took 1.5 KB); one with windows saves
    /// its parameters per step, as `Double`s.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(levels, forKey: .levels)
        try container.encode(configuration, forKey: .configuration)
        if steps.allSatisfy(\.scores.isEmpty) {
            try container.encode(ScalarPacking.pack(shifts), forKey: .shifts)
            try container.encode(ScalarPacking.pack(steps.map(\.typicalWidth)), forKey: .typicalWidths)
            try container.encode(coverageWindow.positions.saved, forKey: .coverage)
            return
        }
        try container.encode(
            steps.indices.map {
                SavedStep(
                    scores: steps[$0].scores, parameter: parameters(step: $0),
                    typicalWidth: steps[$0].typicalWidth)
            }, forKey: .steps)
        try container.encode(coverageWindow.positions.saved, forKey: .coverage)
    }

    private static func problem(
        levels: QuantileLevels, configuration: Configuration, steps: [SavedStep], coverage: RingBuffer<UInt16>
    ) -> String? {
        guard configuration.window >= 1 else { return "window \(configuration.window) < 1" }
        guard configuration.scaleFloor > 0, configuration.scaleFloor.isFinite else { return "bad scaleFloor" }
        guard configuration.typicalWidthFloor >= 0, configuration.typicalWidthFloor.isFinite,
            configuration.typicalWidthSmoothing > 0, configuration.typicalWidthSmoothing <= 1
        else { return "bad typical width settings" }
        var windows = true
        switch configuration.method {
        case .rollingWindow: break
        case .adaptive(let gamma): guard gamma > 0 && gamma < 1 else { return "gamma \(gamma) outside (0, 1)" }
        case .quantileTracking(let rate):
            guard rate > 0, rate.isFinite else { return "rate \(rate) not positive" }
            windows = false
        }
        guard !steps.isEmpty else { return "no steps" }
        // A pooled calibrator (windows in its group's pool) keeps none at any step.
        let ownWindows = windows && !steps[0].scores.isEmpty
        let k = levels.count
        for (s, step) in steps.enumerated() {
            guard step.typicalWidth >= 0, step.typicalWidth.isFinite else { return "step \(s + 1): bad typical width" }
            guard step.parameter.count == k, step.parameter.allSatisfy(\.isFinite) else {
                return "step \(s + 1): \(step.parameter.count) parameters for \(k) levels, or not finite"
            }
            if case .adaptive = configuration.method,
                !step.parameter.allSatisfy({ ConformalCalibrator.adaptiveLevelRange.contains($0) })
            {
                return "step \(s + 1): an effective level outside \(ConformalCalibrator.adaptiveLevelRange)"
            }
            guard step.scores.count == (ownWindows ? k : 0),
                step.scores.allSatisfy({ $0.capacity == configuration.window })
            else { return "step \(s + 1): score windows do not match the method and window" }
        }
        guard coverage.capacity == configuration.window else {
            return "coverage window \(coverage.capacity) != \(configuration.window)"
        }
        for packed in coverage where Int(packed & 0xFF) > Int(packed >> 8) || Int(packed >> 8) > k {
            return "impossible coverage position \(packed)"
        }
        return nil
    }
}
