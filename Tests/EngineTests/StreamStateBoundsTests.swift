import EngineTestKit
import Forecasting
import Formats
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine

/// Each part of a saved state out of the bounds of the configuration refuses the state, naming that part.
@Suite struct StreamStateBoundsTests {
    /// Horizon 3, hidden size 4, season 2, context 64 steps, calibration window 300, the default 7 levels.
    static var configuration: DaemonConfiguration {
        var configuration = EngineFixture.configuration(horizon: 3, minHistory: 8, hiddenSize: 4)
        configuration.models["default"]!.season = 2
        return configuration
    }

    /// Decodes `record` within the bounds the engine would use under `configuration`.
    static func parts(
        of record: StreamStateRecord, configuration: DaemonConfiguration
    ) throws -> StreamState.Parts? {
        try StreamState.parts(of: record) { normaliser in
            guard let group = configuration.models[normaliser.group] else { return nil }
            return StreamState.Bounds(
                group: group, name: normaliser.group, levels: try! QuantileLevels(group.quantiles),
                ruleIndex: normaliser.ruleIndex, rules: configuration.rules)
        }
    }

    /// A warm stream's saved row: a hidden state, a full fallback and issued forecasts pending scoring.
    static func savedRecord() async throws -> StreamStateRecord {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel(hiddenSize: 4)
        let engine = try fixture.engine(configuration)
        EngineFixture.feed(engine, streams: ["s"], steps: 0..<40)
        let record = try #require(engine.shutdown(now: EngineFixture.start + 2400).streamStates.first)
        let parts = try #require(try Self.parts(of: record, configuration: configuration))
        try #require(parts.hidden.recurrent != nil && parts.calibration.issued.contains { $0 != nil })
        return record
    }

    /// The part a row's column holds.
    static func part(_ blob: KeyPath<StreamStateRecord, [UInt8]>) -> StreamState.SavedBlob.Part {
        switch blob {
        case \StreamStateRecord.hidden: .hidden
        case \StreamStateRecord.normaliser: .normaliser
        default: .calibrator
        }
    }

    /// `record` with one blob's JSON object tree edited.
    static func edited(
        _ record: StreamStateRecord, _ blob: WritableKeyPath<StreamStateRecord, [UInt8]>,
        _ edit: (inout [String: Any]) -> Void
    ) throws -> StreamStateRecord {
        let json = try StreamState.SavedBlob.json(record[keyPath: blob], part: part(blob))
        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        edit(&object)
        var copy = record
        copy[keyPath: blob] = try [UInt8](JSONSerialization.data(withJSONObject: object))
        return copy
    }

    /// Applies `edit` to the object at `path` (keys, or indices into arrays) inside `object`.
    static func update(_ object: inout [String: Any], _ path: [any Sendable], _ edit: (inout Any) -> Void) {
        func walk(_ value: inout Any, _ rest: ArraySlice<any Sendable>) {
            guard let head = rest.first else { return edit(&value) }
            if let key = head as? String, var dictionary = value as? [String: Any] {
                var child: Any = dictionary[key] ?? NSNull()
                walk(&child, rest.dropFirst())
                dictionary[key] = child
                value = dictionary
            } else if let index = head as? Int, var array = value as? [Any], array.indices.contains(index) {
                // Absent indices are skipped: a pooled calibrator's steps hold no score windows.
                walk(&array[index], rest.dropFirst())
                value = array
            }
        }
        var root: Any = object
        walk(&root, path[...])
        object = root as! [String: Any]
    }

    /// Sets the value at `path`.
    static func set(_ path: [any Sendable], _ value: any Sendable) -> @Sendable (inout [String: Any]) -> Void {
        { object in update(&object, path) { $0 = value } }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let blob: any WritableKeyPath<StreamStateRecord, [UInt8]> & Sendable
        let edit: @Sendable (inout [String: Any]) -> Void
        let field: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "hidden size", blob: \.hidden,
            edit: {
                update(&$0, ["recurrent", "hidden"]) {
                    $0 = ScalarPacking.pack(ScalarPacking.unpack($0 as! String, as: Float.self)!.dropLast())
                }
            },
            field: "hidden.recurrent.hidden"),
        Case(
            name: "infinite level", blob: \.hidden, edit: set(["recurrent", "level"], "inf"),
            field: "hidden.recurrent.level"),
        Case(
            name: "zero scale", blob: \.hidden, edit: set(["recurrent", "scale", "scale"], 0),
            field: "hidden.recurrent.scale"),
        Case(name: "negative rule", blob: \.normaliser, edit: set(["ruleIndex"], -1), field: "normaliser.ruleIndex"),
        Case(name: "steps Int.max", blob: \.normaliser, edit: set(["steps"], Int.max), field: "normaliser.steps"),
        Case(name: "negative steps", blob: \.normaliser, edit: set(["steps"], -1), field: "normaliser.steps"),
        Case(
            name: "more present steps than steps", blob: \.normaliser,
            edit: { $0["presentSteps"] = ($0["steps"] as! Int) + 1 }, field: "normaliser.presentSteps"),
        Case(
            name: "stepsSinceForecast Int.max", blob: \.normaliser, edit: set(["stepsSinceForecast"], Int.max),
            field: "normaliser.stepsSinceForecast"),
        Case(name: "lastT far future", blob: \.normaliser, edit: set(["lastT"], 1e300), field: "normaliser.lastT"),
        Case(name: "lastSeen NaN", blob: \.normaliser, edit: set(["lastSeen"], "nan"), field: "normaliser.lastSeen"),
        Case(
            name: "another cadence", blob: \.normaliser,
            edit: set(["resampler", "cadence", "every", "seconds"], 120), field: "normaliser.resampler.cadence"),
        Case(
            name: "gap cap above context_length", blob: \.normaliser,
            edit: set(["resampler", "maximumGapSteps"], 65), field: "normaliser.resampler.maximumGapSteps"),
        Case(
            name: "gap cap 1e15", blob: \.normaliser,
            edit: set(["resampler", "maximumGapSteps"], 1_000_000_000_000_000),
            field: "normaliser.resampler.maximumGapSteps"),
        Case(
            name: "skipped gap steps Int.max", blob: \.normaliser,
            edit: set(["resampler", "skippedGapSteps"], Int.max), field: "normaliser.resampler.skippedGapSteps"),
        Case(
            name: "lastEmitted Int64.max", blob: \.normaliser,
            edit: set(["resampler", "lastEmitted"], Int64.max), field: "normaliser"),
        Case(
            // It may hold the fallback's m·G + R = 2·2 + 250 values, above context_length 64, but no more.
            name: "context capacity above the fallback's history", blob: \.normaliser,
            edit: set(["context", "capacity"], 255), field: "normaliser.context.capacity"),
        Case(
            name: "context time far future", blob: \.normaliser,
            edit: { object in
                // The fixture's cadence is fixed, so its times are saved as runs from the first.
                update(&object, ["context", "tRuns"]) { column in
                    var runs = ScalarPacking.unpack(column as! String, as: Double.self)!
                    runs[0] = 1e300
                    column = ScalarPacking.pack(runs)
                }
            },
            field: "normaliser.context.t"),
        Case(
            name: "fallback horizon", blob: \.normaliser, edit: set(["fallback", "maximumHorizon"], 4),
            field: "normaliser.fallback.maximumHorizon"),
        Case(
            name: "fallback residual window", blob: \.normaliser,
            edit: { object in
                update(&object, ["fallback", "residualWindow"]) { $0 = 251 }
                update(&object, ["fallback", "history", "capacity"]) { $0 = ($0 as! Int) + 1 }
            },
            field: "normaliser.fallback.residualWindow"),
        Case(
            name: "calibrator horizon", blob: \.calibrator,
            edit: { object in
                // A pooled calibrator saves its steps' parameter shifts and typical widths packed: one step fewer.
                update(&object, ["calibrator", "shifts"]) {
                    $0 = ScalarPacking.pack(ScalarPacking.unpack($0 as! String, as: Float.self)!.dropLast(7))
                }
                update(&object, ["calibrator", "typicalWidths"]) {
                    $0 = ScalarPacking.pack(ScalarPacking.unpack($0 as! String, as: Double.self)!.dropLast())
                }
            },
            field: "calibrator.calibrator.steps"),
        Case(
            name: "calibrator window above calibration.window", blob: \.calibrator,
            edit: { object in
                update(&object, ["calibrator", "configuration", "window"]) { $0 = 301 }
                update(&object, ["calibrator", "coverage", "capacity"]) { $0 = 301 }
                for s in 0..<3 {
                    for k in 0..<7 {
                        update(&object, ["calibrator", "steps", s, "scores", k, "capacity"]) { $0 = 301 }
                    }
                }
            },
            field: "calibrator.calibrator.configuration.window"),
        Case(
            name: "drift window above calibration.window", blob: \.calibrator,
            edit: set(["drift", "configuration", "windowLength"], 301),
            field: "calibrator.drift.configuration.windowLength"),
        Case(
            name: "more issued forecasts than the horizon", blob: \.calibrator,
            edit: { update(&$0, ["pending", "forecasts"]) { $0 = ($0 as! [Any]) + [NSNull()] } },
            field: "calibrator.issued"),
        Case(
            name: "issued forecast of one step, saved before the reduction", blob: \.calibrator,
            edit: { object in
                let row = Array(repeating: 1.0, count: 7)
                object["pending"] = nil
                object["issued"] = [["model": [row], "raw": [row], "calibrated": [row]]]
            },
            field: "calibrator.issued.steps"),
        Case(
            name: "issued forecast beyond the horizon", blob: \.calibrator,
            edit: {
                update(&$0, ["pending"]) {
                    let forecasts = (($0 as! [String: Any])["forecasts"] as! [Any]).map { _ in
                        ["steps": 4, "levels": 7, "first": 1, "held": 0, "published": ""]
                    }
                    $0 = ["forecasts": forecasts, "rows": ""]
                }
            },
            field: "calibrator"),
        Case(
            name: "issued forecast beyond the horizon, saved as a list", blob: \.calibrator,
            edit: { object in
                let forecasts = (object["pending"] as! [String: Any])["forecasts"] as! [Any]
                object["pending"] = nil
                object["issued"] = forecasts.map { _ in
                    ["steps": 4, "levels": 7, "kept": [], "model": "", "raw": "", "published": ""]
                }
            },
            field: "calibrator"),
        Case(
            name: "pending rows damaged", blob: \.calibrator,
            edit: set(["pending", "rows"], "AAAA"), field: "calibrator"),
        Case(
            name: "pending rows fewer than the forecasts claim", blob: \.calibrator,
            edit: {
                update(&$0, ["pending", "forecasts"]) {
                    var forecasts = $0 as! [Any]
                    var last = forecasts[forecasts.count - 1] as! [String: Any]
                    last["first"] = 1
                    last["held"] = (last["held"] as! Int) + 1
                    forecasts[forecasts.count - 1] = last
                    $0 = forecasts
                }
            },
            field: "calibrator"),
    ]

    @Test func theSavedRowFitsItsOwnConfiguration() async throws {
        let record = try await Self.savedRecord()
        #expect(try Self.parts(of: record, configuration: Self.configuration) != nil)
        #expect(
            try Self.parts(of: Self.edited(record, \.normaliser) { _ in }, configuration: Self.configuration) != nil)
    }

    @Test(arguments: cases)
    func aPartOutOfBoundsIsRefused(_ testCase: Case) async throws {
        let record = try Self.edited(try await Self.savedRecord(), testCase.blob, testCase.edit)
        let error = #expect(throws: StreamState.Refusal.self) {
            try Self.parts(of: record, configuration: Self.configuration)
        }
        #expect(error?.field == testCase.field, "\(error.map(String.init(describing:)) ?? "")")
    }

    /// Each part is saved as its JSON deflated with the part's dictionary, a good deal smaller than the JSON and
    /// than the JSON deflated without it; a part saved as plain JSON (every state before stop 32) or deflated
    /// without a dictionary (stop 32) restores the same state.
    @Test func partsAreSavedDeflatedAndEarlierFormsStillRestore() async throws {
        let record = try await Self.savedRecord()
        var plain = record
        var withoutDictionary = record
        for part in [\StreamStateRecord.hidden, \.normaliser, \.calibrator] {
            let blob = record[keyPath: part]
            #expect(blob.first == StreamState.SavedBlob.deflatedWithDictionary)
            let json = try StreamState.SavedBlob.json(blob, part: Self.part(part))
            #expect(json.first == UInt8(ascii: "{"))
            plain[keyPath: part] = [UInt8](json)
            withoutDictionary[keyPath: part] = [StreamState.SavedBlob.deflatedJSON] + Deflate.compress([UInt8](json))
            #expect(blob.count + 40 < withoutDictionary[keyPath: part].count, "\(part)")
        }
        #expect(record.calibrator.count * 10 < plain.calibrator.count * 8)
        let fromDeflated = try #require(try Self.parts(of: record, configuration: Self.configuration))
        for earlier in [plain, withoutDictionary] {
            let restored = try #require(try Self.parts(of: earlier, configuration: Self.configuration))
            #expect(restored.normaliser.context.ring == fromDeflated.normaliser.context.ring)
            #expect(restored.calibration.calibrator == fromDeflated.calibration.calibrator)
            #expect(restored.calibration.issued == fromDeflated.calibration.issued)
            #expect(restored.hidden.recurrent == fromDeflated.hidden.recurrent)
        }
        // A part offered under another part's dictionary is refused (zlib checks the dictionary's Adler-32).
        #expect(throws: Deflate.Failure.self) { try StreamState.SavedBlob.json(record.hidden, part: .calibrator) }
    }

    /// The context is saved as two packed columns; a row saved with it as a list of observations (a missing step
    /// without `value`) restores the same ring, and damaged columns are refused.
    @Test func aContextSavedAsAListOfObservationsRestoresTheSameRing() async throws {
        let record = try await Self.savedRecord()
        let ring = try #require(try Self.parts(of: record, configuration: Self.configuration)).normaliser.context.ring
        #expect(ring.count > 30)
        let legacy = try Self.edited(record, \.normaliser) { object in
            Self.update(&object, ["context"]) { context in
                let elements: [[String: Any]] = ring.enumerated().map { index, step in
                    // One missing step, saved as the list form wrote it: no `value`.
                    index == 5 ? ["t": step.t] : ["t": step.t, "value": step.value!]
                }
                context = ["capacity": ring.capacity, "elements": elements]
            }
        }
        let restored = try #require(try Self.parts(of: legacy, configuration: Self.configuration)).normaliser.context
        #expect(restored.ring.count == ring.count && restored.ring.capacity == ring.capacity)
        #expect(restored.ring[5].value == nil && restored.ring[5].t == ring[5].t)
        #expect(Array(restored.ring).enumerated().allSatisfy { $0.offset == 5 || $0.element == ring[$0.offset] })
        for damage in ["", "AAAA"] {
            let damaged = try Self.edited(record, \.normaliser) {
                Self.update(&$0, ["context", "valueDeltas"]) { $0 = damage }
            }
            #expect(throws: StreamState.Refusal.self) { try Self.parts(of: damaged, configuration: Self.configuration) }
            // The plain column states were saved with before stop 35, damaged the same way.
            let damagedPlain = try Self.edited(record, \.normaliser) {
                Self.update(&$0, ["context"]) { context in
                    var object = context as! [String: Any]
                    object["valueDeltas"] = nil
                    object["value"] = damage
                    context = object
                }
            }
            #expect(throws: StreamState.Refusal.self) {
                try Self.parts(of: damagedPlain, configuration: Self.configuration)
            }
        }
    }

    /// The context's times are saved as its runs when it holds them so, as a column otherwise; both restore the ring.
    @Test func contextTimesAreSavedAsTheRingHoldsThem() throws {
        typealias Saved = StreamState.SavedContext
        let regular = (0..<300).map { Observation(t: 1_767_225_600 + 60 * Double($0), value: Double($0 % 7)) }
        let ring = ObservationRing(capacity: 256, elements: regular)
        let data = try JSONEncoder().encode(Saved(ring))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["t"] == nil)
        let column = try #require(object["tRuns"] as? String)
        let runs = try #require(ScalarPacking.unpack(column, as: Double.self))
        #expect(runs == [1_767_225_600, 60, 44, 256])
        #expect(try JSONDecoder().decode(Saved.self, from: data).ring == ring)
        let jittered = (0..<50).map { step in
            Observation(t: 1_767_225_600 + 60 * Double(step) + Double(step % 3) * 0.5, value: nil)
        }
        let irregular = ObservationRing(capacity: 300, elements: jittered)
        let plain = try JSONEncoder().encode(Saved(irregular))
        let times = try #require(
            (try JSONSerialization.jsonObject(with: plain) as? [String: Any])?["tDeltas"] as? String)
        #expect(DeltaPacking.unpack(times, as: Double.self) == jittered.map(\.t))
        #expect(try JSONDecoder().decode(Saved.self, from: plain).ring == irregular)
    }

    /// Values of full precision are saved as the differences of their bits (``DeltaPacking``), which deflate to less
    /// than the plain column when neighbours are close; the plain columns of times and values saved before stop 35
    /// restore the same ring.
    @Test func contextValuesOfFullPrecisionAreSavedAsDifferencesAndPlainColumnsStillRestore() throws {
        typealias Saved = StreamState.SavedContext
        let readings: [Observation] = (0..<262).map { (step: Int) -> Observation in
            let wave: Double = 20 + 5 * sin(Double(step) / 4)
            let wiggle: Double = 0.001 * Double(step % 13) / 3
            let t: Double = 1_767_225_600 + 60 * Double(step) + Double(step % 3) * 0.25
            return Observation(t: t, value: step % 50 == 7 ? nil : wave + wiggle)
        }
        let ring = ObservationRing(capacity: 262, elements: readings)
        let data = try JSONEncoder().encode(Saved(ring))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["value"] == nil && object["decimals"] == nil && object["t"] == nil)
        let deltas = try #require(object["valueDeltas"] as? String)
        #expect(try JSONDecoder().decode(Saved.self, from: data).ring == ring)
        let values: [Double] = readings.map { $0.value ?? .nan }
        let plainValues = ScalarPacking.pack(values)
        // The deflate every saved part goes through, on the column alone: at least a tenth less (13 %, with five
        // missing steps breaking the prediction).
        let deflatedDeltas = Deflate.compress(Array(deltas.utf8)).count
        let deflatedPlain = Deflate.compress(Array(plainValues.utf8)).count
        #expect(deflatedDeltas * 10 < deflatedPlain * 9, "\(deflatedDeltas) bytes against \(deflatedPlain)")
        let legacy: [String: Any] = [
            "capacity": 262, "t": ScalarPacking.pack(readings.map { (step: Observation) in step.t }),
            "value": plainValues,
        ]
        let restored = try JSONDecoder().decode(Saved.self, from: JSONSerialization.data(withJSONObject: legacy))
        #expect(restored.ring == ring)
    }

    /// A stream's saves reuse the layouts its first save gauged for the columns of full precision (times and values)
    /// instead of gauging each time; every save restores its own ring.
    @Test func savesOfAStreamReuseTheLayoutsTheFirstGauged() throws {
        typealias Saved = StreamState.SavedContext
        func ring(_ value: (Int) -> Double) -> ObservationRing {
            ObservationRing(
                capacity: 262,
                elements: (0..<262).map { step in
                    Observation(t: 1_767_225_600 + 60 * Double(step) + Double(step % 3) * 0.25, value: value(step))
                })
        }
        let drift = ring { 20 + 2 * sin(Double($0) / 200) }
        let scrambled = ring { Double(bitPattern: 0x4034_0000_0000_0000 ^ UInt64($0 &* 0x9E37_79B9)) }
        func columns(_ data: Data) throws -> (t: Substring, value: Substring) {
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let t = try #require(object["tDeltas"] as? String), value = try #require(object["valueDeltas"] as? String)
            return (t.prefix(2), value.prefix(2))
        }
        let gaugedDrift = try columns(JSONEncoder().encode(Saved(drift)))
        let gaugedScrambled = try columns(JSONEncoder().encode(Saved(scrambled)))
        try #require(gaugedDrift.value != gaugedScrambled.value)
        var packing = Saved.Packing()
        _ = try JSONEncoder().encode(Saved(drift, packing: &packing))
        let data = try JSONEncoder().encode(Saved(scrambled, packing: &packing))
        #expect(try columns(data) == gaugedDrift)
        #expect(try JSONDecoder().decode(Saved.self, from: data).ring == scrambled)
    }

    /// Values that are all short decimals (readings published as text) are saved as decimal text, bit-exact with
    /// the missing steps; a computed value (a bucket's mean) keeps the whole column as bits. Damaged decimal text is
    /// refused.
    @Test func contextValuesAreSavedAsDecimalsWhenTheyAreShortOnes() throws {
        typealias Saved = StreamState.SavedContext
        let readings: [Observation] = (0..<300).map { (step: Int) -> Observation in
            let value: Double? = step % 11 == 3 ? nil : Double(2000 + step % 7) / 100
            return Observation(t: 1_767_225_600 + 60 * Double(step), value: value)
        }
        let ring = ObservationRing(capacity: 256, elements: readings)
        let data = try JSONEncoder().encode(Saved(ring))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let decimals = try #require(object["decimals"] as? String)
        #expect(object["value"] == nil && decimals.first == "2" && decimals.count < 500)
        #expect(try JSONDecoder().decode(Saved.self, from: data).ring == ring)
        let means = ObservationRing(capacity: 256, elements: readings + [Observation(t: 1_767_243_600, value: 1.0 / 3)])
        let bits = try JSONEncoder().encode(Saved(means))
        let plain = try #require(try JSONSerialization.jsonObject(with: bits) as? [String: Any])
        #expect(plain["decimals"] == nil && plain["valueDeltas"] is String)
        #expect(try JSONDecoder().decode(Saved.self, from: bits).ring == means)
        var damaged = object
        damaged["decimals"] = "2" + ScalarPacking.pack([UInt8(0x80)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Saved.self, from: JSONSerialization.data(withJSONObject: damaged))
        }
    }

    @Test func anObservationIsSixteenBytesAndAMissingValueIsNil() {
        #expect(MemoryLayout<Observation>.stride == 16)
        let missing = Observation(t: 5, value: .nan)
        #expect(missing.value == nil && missing == Observation(t: 5, value: nil))
        #expect(Set([missing, Observation(t: 5, value: nil)]).count == 1)
        #expect(Observation(t: 5, value: -0.0).value?.sign == .minus)
    }

    @Test func aStateOfARemovedGroupIsIgnoredNotRefused() async throws {
        var configuration = Self.configuration
        configuration.models = ["other": configuration.models["default"]!]
        #expect(try Self.parts(of: try await Self.savedRecord(), configuration: configuration) == nil)
    }
}
