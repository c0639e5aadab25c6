import EngineTestKit
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine
@testable import Forecasting

@Suite struct EngineScorePoolTests {
    static let streams = ["a", "b", "c"]

    static func configuration(pool: DaemonConfiguration.CalibrationPool) -> DaemonConfiguration {
        var configuration = EngineFixture.configuration(horizon: 3, minHistory: 8)
        configuration.models["default"]!.calibration.window = 50
        configuration.models["default"]!.calibration.pool = pool
        return configuration
    }

    @Test func aGroupsStreamsFeedOneSavedPoolAndKeepOnlyTheirLevels() async throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        let configuration = Self.configuration(pool: .group)
        let a = try fixture.engine(configuration)
        var outputs: [EngineOutput] = []
        for step in 0..<40 {
            let output = EngineFixture.feed(a, streams: Self.streams, steps: step..<(step + 1))[0]
            outputs.append(output)
            try await fixture.apply(output)
        }
        let pool = try #require(a.groups["default"]?.scorePool)
        // Three streams × ≥ 36 scored outcomes per step: the window of 50 is full.
        #expect(pool.count(step: 1, level: 0) == 50)
        for stream in Self.streams {
            let calibrator = try #require(a.streams[stream]?.feedback.calibrator)
            #expect(calibrator.isPooled)
        }
        #expect(try fixture.store.calibrationPools().map(\.model) == ["default"])
        let saved = a.shutdown(now: EngineFixture.start + 60 * 39 + 3)
        let pooledBytes = saved.streamStates.map(\.calibrator.count).max() ?? 0
        try await fixture.apply(saved)

        let b = try fixture.engine(configuration, now: EngineFixture.start + 60 * 39 + 3)
        #expect(b.counters.calibrationPoolDecodeFailures == 0)
        #expect(b.groups["default"]?.scorePool == a.groups["default"]?.scorePool)
        for step in 40..<44 {
            let fromA = EngineFixture.feed(a, streams: Self.streams, steps: step..<(step + 1))[0]
            let fromB = EngineFixture.feed(b, streams: Self.streams, steps: step..<(step + 1))[0]
            #expect(!fromA.forecastIssues.isEmpty)
            #expect(fromA.forecastIssues == fromB.forecastIssues)
        }

        // The same run with a window per stream saves far more per stream.
        let separate = try EngineFixture()
        _ = try separate.activateSeededModel()
        let c = try separate.engine(Self.configuration(pool: .stream))
        EngineFixture.feed(c, streams: Self.streams, steps: 0..<40)
        #expect(c.groups["default"]?.scorePool == nil)
        let ownBytes =
            c.shutdown(now: EngineFixture.start + 60 * 39 + 3).streamStates.map(\.calibrator.count).min() ?? 0
        #expect(pooledBytes * 2 < ownBytes, "calibrator blob pooled \(pooledBytes) B, own windows \(ownBytes) B")
    }

    @Test func statesSavedWithOwnWindowsMoveThemIntoThePoolAndBack() async throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        let a = try fixture.engine(Self.configuration(pool: .stream))
        EngineFixture.feed(a, streams: Self.streams, steps: 0..<30)
        let levels = try #require(a.streams["a"]?.feedback.calibrator.parameters)
        try await fixture.apply(a.shutdown(now: EngineFixture.start + 60 * 29 + 3))

        // Restarted with a pool: each stream's scores move into it, its levels stay.
        let b = try fixture.engine(Self.configuration(pool: .group), now: EngineFixture.start + 60 * 29 + 3)
        #expect(b.counters.streamsRestored == 3)
        let pool = try #require(b.groups["default"]?.scorePool)
        #expect(pool.count(step: 1, level: 0) == 50)
        #expect(b.streams.values.allSatisfy { $0.feedback.calibrator.isPooled })
        #expect(b.streams["a"]?.feedback.calibrator.parameters == levels)
        EngineFixture.feed(b, streams: Self.streams, steps: 30..<33)
        try await fixture.apply(b.shutdown(now: EngineFixture.start + 60 * 32 + 3))

        // And back: without a pool each stream gets empty windows of its own and keeps serving.
        let c = try fixture.engine(Self.configuration(pool: .stream), now: EngineFixture.start + 60 * 32 + 3)
        #expect(c.streams.values.allSatisfy { !$0.feedback.calibrator.isPooled })
        let output = EngineFixture.feed(c, streams: Self.streams, steps: 33..<34)[0]
        #expect(output.forecastIssues.count == 3)
    }

    /// The pool's shape is fixed at start like the model's: a reload that changes the window, the method or the
    /// pooling keeps them, and new streams still join the pool they fit.
    @Test func reloadKeepsThePoolsShape() throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        let configuration = Self.configuration(pool: .group)
        let engine = try fixture.engine(configuration)
        EngineFixture.feed(engine, streams: ["a"], steps: 0..<10)
        var changed = configuration
        changed.models["default"]!.calibration.window = 60
        changed.models["default"]!.calibration.pool = .stream
        changed.models["default"]!.calibration.method = .tracking
        try engine.reload(changed)
        #expect(engine.configuration.models["default"]!.calibration == configuration.models["default"]!.calibration)
        let output = EngineFixture.feed(engine, streams: ["a", "new"], steps: 10..<40).last!
        #expect(output.forecastIssues.count == 2)
        #expect(engine.streams["new"]?.feedback.calibrator.coverage.count ?? 0 > 20)
        #expect(engine.streams["new"]?.feedback.calibrator.isPooled == true)
        #expect(engine.groups["default"]?.scorePool?.window == 50)
    }

    @Test func anUnreadableOrMisshapenSavedPoolIsCountedAndTheGroupStartsAFreshOne() async throws {
        for damage in ["{\"windows\":[[{\"capacity\":0,\"elements\":\"\"}]]}", "not json"] {
            let fixture = try EngineFixture()
            _ = try fixture.activateSeededModel()
            let configuration = Self.configuration(pool: .group)
            let a = try fixture.engine(configuration)
            EngineFixture.feed(a, streams: Self.streams, steps: 0..<20)
            var saved = a.shutdown(now: EngineFixture.start + 60 * 19 + 3)
            saved.writes = saved.writes.map {
                guard case .calibrationPool(var record) = $0 else { return $0 }
                record.pool = Array(damage.utf8)
                return .calibrationPool(record)
            }
            try await fixture.apply(saved)
            let b = try fixture.engine(configuration, now: EngineFixture.start + 60 * 19 + 3)
            #expect(b.counters.calibrationPoolDecodeFailures == 1)
            #expect(b.groups["default"]?.scorePool?.count(step: 1, level: 0) == 0)
            #expect(b.counters.streamsRestored == 3)
            let output = EngineFixture.feed(b, streams: Self.streams, steps: 20..<21)[0]
            #expect(output.forecastIssues.count == 3)
        }

        // A pool saved for another window is refused the same way.
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        let a = try fixture.engine(Self.configuration(pool: .group))
        EngineFixture.feed(a, streams: Self.streams, steps: 0..<20)
        try await fixture.apply(a.shutdown(now: EngineFixture.start + 60 * 19 + 3))
        var wider = Self.configuration(pool: .group)
        wider.models["default"]!.calibration.window = 60
        let b = try fixture.engine(wider, now: EngineFixture.start + 60 * 19 + 3)
        #expect(b.counters.calibrationPoolDecodeFailures == 1)
        #expect(b.groups["default"]?.scorePool?.window == 60)
    }
}
