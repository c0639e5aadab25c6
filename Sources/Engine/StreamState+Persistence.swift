import BARNN
import Forecasting
import Formats
import Foundation
import Storage

extension StreamState {
    /// The three opaque blobs of a `stream_states` row, as JSON: `hidden` holds BARNN's recurrent state, `normaliser`
    /// the resampler, context, fallback and step counts (BARNN's scale lives in the recurrent state), `calibrator`
    /// the conformal calibrator, drift monitor and pending issued forecasts.
    struct Parts: Codable {
        struct Hidden: Codable {
            var recurrent: RecurrentState?
        }
        struct Normaliser: Codable {
            var group: String
            var ruleIndex: Int
            var resampler: Resampler
            var context: RingBuffer<Observation>
            var fallback: SeasonalNaiveForecaster
            var steps: Int
            var presentSteps: Int
            var stepsSinceForecast: Int
            var lastT: Double?
            var lastSeen: Double
            /// Absent in states saved before it was kept.
            var lowestObserved: Double?
        }
        struct Calibration: Codable {
            var calibrator: ConformalCalibrator
            var drift: DriftMonitor
            var issued: [Issued?]
        }
        var hidden: Hidden
        var normaliser: Normaliser
        var calibration: Calibration
    }

    /// The state as a `stream_states` row; `checkpointID` is the model the hidden state belongs to.
    func record(checkpointID: Int64?, savedAt: Double) throws -> StreamStateRecord {
        let encoder = JSONEncoder()
        // A level before the first observation is NaN, which plain JSON cannot carry.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let hidden = try encoder.encode(Parts.Hidden(recurrent: recurrent))
        let normaliser = try encoder.encode(
            Parts.Normaliser(
                group: group, ruleIndex: ruleIndex, resampler: resampler, context: context, fallback: fallback,
                steps: steps, presentSteps: presentSteps, stepsSinceForecast: stepsSinceForecast, lastT: lastT,
                lastSeen: lastSeen, lowestObserved: lowestObserved))
        let calibration = try encoder.encode(Parts.Calibration(calibrator: calibrator, drift: drift, issued: issued))
        return StreamStateRecord(
            stream: id, checkpointID: recurrent == nil ? nil : checkpointID,
            tUs: lastT.map(UTCTimestamp.saturatingMicroseconds) ?? Int64.min,
            savedAtUs: UTCTimestamp.saturatingMicroseconds(savedAt),
            hidden: [UInt8](hidden), normaliser: [UInt8](normaliser), calibrator: [UInt8](calibration))
    }

    /// The `userInfo` key under which the decoder of ``Issued`` finds the ``Bounds`` of the state being restored, so
    /// it allocates no more steps than the group's horizon whatever a row claims.
    static let boundsKey = CodingUserInfoKey(rawValue: "barnnd.streamStateBounds")!

    /// Decodes a saved row's parts and checks them against the bounds `bounds` gives for its normaliser (the group
    /// and rule it names); nil when `bounds` returns nil (a removed group).
    /// - Throws: ``Refusal`` when a blob is not a state this engine wrote or does not fit the bounds.
    static func parts(of record: StreamStateRecord, bounds: (Parts.Normaliser) -> Bounds?) throws(Refusal) -> Parts? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        func decode<Part: Decodable>(_: Part.Type, _ blob: [UInt8], _ column: String) throws(Refusal) -> Part {
            do {
                return try decoder.decode(Part.self, from: Data(blob))
            } catch {
                throw Refusal(field: column, detail: "not decodable: \(error)")
            }
        }
        // The normaliser first: it names the group, and so the bounds the other two blobs are decoded within.
        let normaliser = try decode(Parts.Normaliser.self, record.normaliser, "normaliser")
        guard let limits = bounds(normaliser) else { return nil }
        decoder.userInfo[boundsKey] = limits
        let parts = Parts(
            hidden: try decode(Parts.Hidden.self, record.hidden, "hidden"), normaliser: normaliser,
            calibration: try decode(Parts.Calibration.self, record.calibrator, "calibrator"))
        try check(parts, against: limits)
        return parts
    }
}

extension StreamState.Issued: Codable {
    private enum CodingKeys: String, CodingKey {
        case steps, levels, kept, model, raw, published
        /// The published rows of states saved before issued forecasts were reduced ([H][K]; step 1 is kept).
        case calibrated
    }

    /// `{"steps":H,"levels":K,"kept":[unscored steps, 1-based],"model":…,"raw":…,"published":…}`, the numbers as
    /// ``ScalarPacking`` text: a saved state carries only the rows scoring still needs, bit-exact.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let kept = model.indices.filter { !model[$0].isEmpty }
        try container.encode(model.count, forKey: .steps)
        try container.encode(kept.first.map { model[$0].count } ?? published.count, forKey: .levels)
        try container.encode(kept.map { $0 + 1 }, forKey: .kept)
        try container.encode(ScalarPacking.pack(kept.flatMap { model[$0] }), forKey: .model)
        try container.encode(ScalarPacking.pack(kept.flatMap { raw[$0] }), forKey: .raw)
        try container.encode(ScalarPacking.pack(published), forKey: .published)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
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
        let bounds = decoder.userInfo[StreamState.boundsKey] as? StreamState.Bounds
        guard (1...(bounds?.horizon ?? 10_000)).contains(steps), (1...(bounds?.levels.count ?? 1000)).contains(levels),
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
