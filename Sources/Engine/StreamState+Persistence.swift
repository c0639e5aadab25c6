import BARNN
import Forecasting
import Formats
import Foundation
import Storage

extension StreamState {
    /// The three opaque blobs of a `stream_states` row, as JSON (stored deflated, see ``SavedBlob``): `hidden` holds
    /// BARNN's recurrent state, `normaliser` the resampler, context, fallback and step counts (BARNN's scale lives in
    /// the recurrent state), `calibrator` the conformal calibrator, drift monitor and pending issued forecasts.
    struct Parts: Codable {
        struct Hidden: Codable {
            var recurrent: RecurrentState?
        }
        struct Normaliser: Codable {
            var group: String
            var ruleIndex: Int
            var resampler: Resampler
            var context: SavedContext
            var fallback: SeasonalNaiveForecaster
            var steps: Int
            var presentSteps: Int
            var stepsSinceForecast: Int
            var lastT: Double?
            var lastSeen: Double
            /// Absent in states saved before it was kept.
            var lowestObserved: Double?
        }
        /// Saves the pending forecasts as a ``PendingForecastArchive`` under `"pending"`; the list of forecasts each
        /// saved on its own under `"issued"` (before stop 35) is still read.
        struct Calibration: Codable {
            var calibrator: ConformalCalibrator
            var drift: DriftMonitor
            var issued: [IssuedForecast?]

            private enum CodingKeys: String, CodingKey { case calibrator, drift, issued, pending }

            init(calibrator: ConformalCalibrator, drift: DriftMonitor, issued: [IssuedForecast?]) {
                self.calibrator = calibrator
                self.drift = drift
                self.issued = issued
            }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                calibrator = try container.decode(ConformalCalibrator.self, forKey: .calibrator)
                drift = try container.decode(DriftMonitor.self, forKey: .drift)
                issued =
                    try container.decodeIfPresent(PendingForecastArchive.self, forKey: .pending)?.issued
                    ?? container.decode([IssuedForecast?].self, forKey: .issued)
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(calibrator, forKey: .calibrator)
                try container.encode(drift, forKey: .drift)
                if let archive = PendingForecastArchive(issued) {
                    try container.encode(archive, forKey: .pending)
                } else {
                    try container.encode(issued, forKey: .issued)
                }
            }
        }
        var hidden: Hidden
        var normaliser: Normaliser
        var calibration: Calibration
    }

    /// The context ring as saved: `{"capacity": N, "tRuns" or "tDeltas": packed, "decimals" or "valueDeltas":
    /// packed}`, columns of `Double`s (NaN for a missing step), bit-exact. The times are the ring's runs,
    /// `[start, step, skip, count]` each as ``ScalarPacking`` (see ``ObservationRing``; 2.7 KB less than a column at
    /// 256 steps), or the column as ``DeltaPacking`` when the ring holds them as one. The values are saved as
    /// ``DecimalPacking`` text (`"decimals"`) when they are all short decimals, as readings published as text are
    /// (about 0.5 KB instead of 2.8 at 262 steps), and as ``DeltaPacking`` otherwise (its deflated part 1.2 KB
    /// instead of 1.6 at 262 readings of full precision). The plain ``ScalarPacking`` columns `"t"` and `"value"`
    /// (saved before stop 35) and a list of observations (before that) are still read.
    struct SavedContext: Codable {
        var ring: ObservationRing
        /// The columns' text, packed when a stream's context is saved; nil for a decoded context, which packs anew.
        private var packed: (times: (key: CodingKeys, text: String), values: (key: CodingKeys, text: String))?

        /// The ``DeltaPacking`` choices a stream keeps for its context's columns between saves.
        struct Packing {
            var times = DeltaPacking.Memo()
            var values = DeltaPacking.Memo()
        }

        /// The context of a stream about to be saved, its full-precision columns packed with `packing`'s choices.
        init(_ ring: ObservationRing, packing: inout Packing) {
            self.ring = ring
            packed = Self.columns(ring, packing: &packing)
        }

        /// The context packed with choices gauged now.
        init(_ ring: ObservationRing) {
            var fresh = Packing()
            self.init(ring, packing: &fresh)
        }

        /// The columns' keys and text: the times as runs or deltas, the values as decimals or deltas.
        private static func columns(
            _ ring: ObservationRing, packing: inout Packing
        ) -> (times: (key: CodingKeys, text: String), values: (key: CodingKeys, text: String)) {
            let times =
                if let runs = ring.savedRuns {
                    (key: CodingKeys.tRuns, text: ScalarPacking.pack(runs))
                } else {
                    (key: CodingKeys.tDeltas, text: packing.times.pack(ring.map(\.t)))
                }
            let values = Array(ring.values)
            return (
                times,
                DecimalPacking.pack(values).map { (key: CodingKeys.decimals, text: $0) }
                    ?? (key: .valueDeltas, text: packing.values.pack(values))
            )
        }

        private enum CodingKeys: String, CodingKey { case capacity, t, tRuns, tDeltas, value, valueDeltas, decimals }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard container.contains(.t) || container.contains(.tRuns) || container.contains(.tDeltas) else {
                let list = try RingBuffer<Observation>(from: decoder)
                ring = ObservationRing(capacity: list.capacity, elements: list)
                return
            }
            let capacity = try container.decode(Int.self, forKey: .capacity)
            let values =
                if container.contains(.decimals) {
                    DecimalPacking.unpack(try container.decode(String.self, forKey: .decimals))
                } else if container.contains(.valueDeltas) {
                    DeltaPacking.unpack(try container.decode(String.self, forKey: .valueDeltas), as: Double.self)
                } else {
                    ScalarPacking.unpack(try container.decode(String.self, forKey: .value), as: Double.self)
                }
            let times =
                if container.contains(.tDeltas) {
                    DeltaPacking.unpack(try container.decode(String.self, forKey: .tDeltas), as: Double.self)
                } else if container.contains(.t) {
                    ScalarPacking.unpack(try container.decode(String.self, forKey: .t), as: Double.self)
                } else {
                    ScalarPacking.unpack(try container.decode(String.self, forKey: .tRuns), as: Double.self).flatMap {
                        ObservationRing.times(savedRuns: $0, count: values?.count ?? 0)
                    }
                }
            guard let times, let values, times.count == values.count, capacity >= 1, times.count <= capacity else {
                throw DecodingError.dataCorruptedError(
                    forKey: .value, in: container,
                    debugDescription: "context columns are not packed numbers of one length within the capacity")
            }
            ring = ObservationRing(
                capacity: capacity, elements: zip(times, values).lazy.map { Observation(t: $0, value: $1) })
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ring.capacity, forKey: .capacity)
            var fresh = Packing()
            let (times, values) = packed ?? Self.columns(ring, packing: &fresh)
            try container.encode(times.text, forKey: times.key)
            try container.encode(values.text, forKey: values.key)
        }
    }

    /// The state as a `stream_states` row; `checkpointID` is the model the hidden state belongs to.
    func record(checkpointID: Int64?, savedAt: Double) throws -> StreamStateRecord {
        let encoder = JSONEncoder()
        // Sorted, so that a part's keys come in its dictionary's order (and a state encodes to the same bytes).
        encoder.outputFormatting = .sortedKeys
        // A level before the first observation is NaN, which plain JSON cannot carry.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let hidden = try encoder.encode(Parts.Hidden(recurrent: recurrent))
        let normaliser = try encoder.encode(
            Parts.Normaliser(
                group: group, ruleIndex: ruleIndex, resampler: resampler,
                context: SavedContext(context, packing: &contextPacking),
                fallback: fallback,
                steps: steps, presentSteps: presentSteps, stepsSinceForecast: stepsSinceForecast, lastT: lastT,
                lastSeen: lastSeen, lowestObserved: lowestObserved))
        let calibration = try encoder.encode(
            Parts.Calibration(calibrator: feedback.calibrator, drift: feedback.drift, issued: feedback.issued))
        return StreamStateRecord(
            stream: id, checkpointID: recurrent == nil ? nil : checkpointID,
            tUs: lastT.map(UTCTimestamp.saturatingMicroseconds) ?? Int64.min,
            savedAtUs: UTCTimestamp.saturatingMicroseconds(savedAt),
            hidden: SavedBlob.deflated(hidden, part: .hidden),
            normaliser: SavedBlob.deflated(normaliser, part: .normaliser),
            calibrator: SavedBlob.deflated(calibration, part: .calibrator))
    }

    /// How a part is stored: its JSON deflated (``Deflate``) with the part's preset dictionary, after the byte
    /// ``deflatedWithDictionary``. At the bundled H 12, K 7 with two-decimal readings a stream's three parts take
    /// 2.9 KB (stop 35; 3.2 in stop 33; 9.0 KB as plain JSON before stop 32): the packed numbers are base64 text,
    /// and the keys and configurations the dictionaries hold cost a few bytes each instead of half a kilobyte a
    /// stream. Still read: a part deflated without a dictionary after ``deflatedJSON`` (stop 32), and plain JSON,
    /// which begins with `{` (every state before).
    enum SavedBlob {
        /// The first byte of a part deflated without a dictionary (stop 32).
        static let deflatedJSON: UInt8 = 0x01
        /// The first byte of a part deflated with its ``Part/dictionary``.
        static let deflatedWithDictionary: UInt8 = 0x02
        /// The most bytes a part may inflate to: the format's own limit, 4 GiB. A damaged length cannot claim more
        /// than 1032 times its stream (``Deflate`` refuses that before allocating), and a valid state of a large
        /// group (H 1,000 at 99 levels holds 200 MB of pending rows) must still restore.
        static let inflatedLimit = Int(UInt32.max)

        /// The three parts of a `stream_states` row, each with a dictionary of its own.
        enum Part {
            case hidden, normaliser, calibrator

            /// The preset dictionary of ``deflatedWithDictionary`` parts (``SavedStateDictionaries``).
            var dictionary: [UInt8] {
                switch self {
                case .hidden: SavedStateDictionaries.hidden
                case .normaliser: SavedStateDictionaries.normaliser
                case .calibrator: SavedStateDictionaries.calibrator
                }
            }
        }

        static func deflated(_ json: Data, part: Part) -> [UInt8] {
            [deflatedWithDictionary] + Deflate.compress([UInt8](json), dictionary: part.dictionary)
        }

        /// The JSON a stored `part` holds.
        static func json(_ blob: [UInt8], part: Part) throws(Deflate.Failure) -> Data {
            switch blob.first {
            case deflatedWithDictionary:
                Data(try Deflate.decompress(blob.dropFirst(), limit: inflatedLimit, dictionary: part.dictionary))
            case deflatedJSON: Data(try Deflate.decompress(blob.dropFirst(), limit: inflatedLimit))
            default: Data(blob)
            }
        }
    }

    /// A score pool as a `calibration_pools` blob (JSON, its windows packed as in stream states).
    static func encodeScorePool(_ pool: CalibrationScorePool) throws -> [UInt8] {
        [UInt8](try JSONEncoder().encode(pool))
    }

    /// Decodes a `calibration_pools` blob.
    static func decodeScorePool(_ blob: [UInt8]) throws -> CalibrationScorePool {
        try JSONDecoder().decode(CalibrationScorePool.self, from: Data(blob))
    }

    /// Decodes a saved row's parts and checks them against the bounds `bounds` gives for its normaliser (the group
    /// and rule it names); nil when `bounds` returns nil (a removed group).
    /// - Throws: ``Refusal`` when a blob is not a state this engine wrote or does not fit the bounds.
    static func parts(of record: StreamStateRecord, bounds: (Parts.Normaliser) -> Bounds?) throws(Refusal) -> Parts? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        func decode<Value: Decodable>(_: Value.Type, _ blob: [UInt8], _ part: SavedBlob.Part) throws(Refusal) -> Value {
            // The part's case is its column's name.
            let column = "\(part)"
            let json: Data
            do {
                json = try SavedBlob.json(blob, part: part)
            } catch {
                throw Refusal(field: column, detail: "not a deflated state: \(error)")
            }
            do {
                return try decoder.decode(Value.self, from: json)
            } catch {
                throw Refusal(field: column, detail: "not decodable: \(error)")
            }
        }
        // The normaliser first: it names the group, and so the bounds the other two blobs are decoded within.
        let normaliser = try decode(Parts.Normaliser.self, record.normaliser, .normaliser)
        guard let limits = bounds(normaliser) else { return nil }
        // An issued forecast is allocated no more steps than the group's horizon whatever a row claims.
        decoder.userInfo[IssuedForecast.limitsKey] = IssuedForecast.Limits(
            steps: limits.horizon, levels: limits.levels.count)
        let parts = Parts(
            hidden: try decode(Parts.Hidden.self, record.hidden, .hidden), normaliser: normaliser,
            calibration: try decode(Parts.Calibration.self, record.calibrator, .calibrator))
        try check(parts, against: limits)
        return parts
    }
}
