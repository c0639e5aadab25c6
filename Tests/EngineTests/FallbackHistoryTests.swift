import Configuration
import EngineTestKit
import Formats
import Foundation
import Storage
import Testing

@testable import Engine
@testable import Forecasting

/// A stream keeps one ring of its values: the context the model re-warms from, which the fallback reads as its history.
@Suite struct FallbackHistoryTests {
    /// The fallback's forecast from the context is the one a seasonal-naive forecaster fed the same steps makes from
    /// its own history, bit for bit, and the stream keeps no second history.
    @Test func theFallbackForecastsFromTheContextAsFromItsOwnHistory() throws {
        let fixture = try EngineFixture()
        var configuration = EngineFixture.configuration(horizon: 3, minHistory: 8)  // context_length 64
        configuration.models["default"]!.season = 2
        let engine = try fixture.engine(configuration)
        var own = SeasonalNaiveForecaster(
            period: 2, maximumHorizon: 3, residualWindow: StreamState.fallbackResidualWindow)
        let outputs = EngineFixture.feed(engine, streams: ["a"], steps: 0..<400, skip: [30, 31, 200])
        for row in outputs.flatMap(\.observationRows) {
            own.learn(Observation(t: Double(row.tUs) / 1e6, value: row.value))
        }
        let state = try #require(engine.streams["a"])
        // m·G + R = 2·2 + 250 values, more than context_length (64): the context holds them.
        #expect(state.context.capacity == 254)
        #expect(state.context.count == 254)
        #expect(state.fallback.history.isEmpty && state.fallback.history.capacity == 254)
        #expect(state.context.values.map(\.bitPattern) == own.history.map(\.bitPattern))
        let levels = try QuantileLevels([0.05, 0.5, 0.95])
        let shared = try #require(state.fallback.forecast(horizon: 3, levels: levels, history: state.context.values))
        #expect(shared == own.forecast(horizon: 3, levels: levels))
        // The model reads only the last context_length of them.
        #expect(Array(state.modelContext(contextLength: 64)) == Array(state.context.suffix(64)))
        let issued = try #require(state.feedback.issued.last??.modelRow(step: 1))
        #expect(issued.count == 7)
    }

    /// A state saved when the fallback kept its own history restores with the context taking it over: its ring grows
    /// to the fallback's length, the fallback holds no values and still forecasts.
    @Test func aStateWithTheFallbacksOwnHistoryRestoresIntoTheContext() throws {
        let fixture = try EngineFixture()
        let configuration = EngineFixture.configuration(horizon: 3)
        let engine = try fixture.engine(configuration)
        EngineFixture.feed(engine, streams: ["a"], steps: 0..<100)
        var record = try #require(engine.shutdown(now: EngineFixture.start + 6100).streamStates.first)
        var object = try #require(
            try JSONSerialization.jsonObject(with: StreamState.SavedBlob.json(record.normaliser, part: .normaliser))
                as? [String: Any])
        var context = try #require(object["context"] as? [String: Any])
        var fallback = try #require(object["fallback"] as? [String: Any])
        let valueColumn = try #require(context.removeValue(forKey: "valueDeltas") as? String)
        let values = try #require(DeltaPacking.unpack(valueColumn, as: Double.self))
        let n = values.count  // 99 closed steps
        #expect(n == 99)
        // As saved before: a context of 64 steps as a plain column, and the fallback's own 99 values.
        let timeRuns = try #require(context["tRuns"] as? String)
        let runs = try #require(ScalarPacking.unpack(timeRuns, as: Double.self))
        context["capacity"] = 64
        context["value"] = ScalarPacking.pack(Array(values.suffix(64)))
        context["tRuns"] = ScalarPacking.pack([runs[0] + Double(n - 64) * runs[1], runs[1], 0, 64])
        fallback["history"] = ["capacity": 253, "elements": values.map { $0 as Any }]
        object["context"] = context
        object["fallback"] = fallback
        record.normaliser = try [UInt8](JSONSerialization.data(withJSONObject: object))
        let parts = try #require(
            try StreamState.parts(of: record) { normaliser in
                StreamState.Bounds(
                    group: configuration.models["default"]!, name: normaliser.group,
                    levels: try! QuantileLevels(configuration.models["default"]!.quantiles),
                    ruleIndex: normaliser.ruleIndex, rules: configuration.rules)
            })
        #expect(parts.normaliser.fallback.history.count == n)
        let restored = StreamState(id: "a", group: "default", parts: parts)
        #expect(restored.context.capacity == 253 && restored.context.count == 64)
        #expect(restored.context.map(\.t) == (n - 64..<n).map { EngineFixture.start + 60 * Double($0) })
        #expect(restored.fallback.history.isEmpty)
        #expect(
            restored.fallback.forecast(
                horizon: 3, levels: .protocolLevels, history: restored.context.values) != nil)
    }

    /// An event cadence's step length is the median spacing of the model's context, not of the longer ring the
    /// fallback reads: 150 steps 30 s apart, then 64 steps 60 s apart, give 60 s with context_length 64.
    @Test func anEventCadencesStepIsReadFromTheModelsContext() throws {
        let fixture = try EngineFixture()
        let configuration = EngineFixture.configuration(cadence: .event, horizon: 3, minHistory: 8)
        let engine = try fixture.engine(configuration)
        var t = EngineFixture.start
        for step in 0..<214 {
            t += step < 150 ? 30 : 60
            engine.receive(
                topic: "sensors/a", payload: EngineFixture.payload(t: t, v: EngineFixture.value(stream: 0, step: step)),
                arrivalTime: t + 1)
            _ = engine.tick(now: t + 2)
        }
        let state = try #require(engine.streams["a"])
        #expect(state.context.count == 214)
        #expect(state.stepSeconds(contextLength: 64) == 60)
        #expect(state.stepSeconds(contextLength: 214) == 30)
    }
}
