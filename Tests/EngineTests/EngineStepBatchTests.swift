import Configuration
import EngineTestKit
import Testing

@testable import BARNN
@testable import Engine

/// Hidden states advance in batches of at most `stepBatchLimit` streams, so the model's workspace stays bounded
/// whatever the fleet, and a stream advances exactly as it would alone.
@Suite struct EngineStepBatchTests {
    static func feed(_ engine: ForecastEngine, streams: [Int], steps: Range<Int>) {
        for step in steps {
            let t = EngineFixture.start + 60 * Double(step) + 5
            for stream in streams {
                engine.receive(
                    topic: "sensors/s\(stream)",
                    payload: EngineFixture.payload(t: t, v: EngineFixture.value(stream: stream, step: step)),
                    arrivalTime: t + 1)
            }
            _ = engine.tick(now: t + 2)
        }
    }

    @Test func theWorkspaceHoldsOneBatchNotTheFleet() throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        var configuration = EngineFixture.configuration(minHistory: 8, maxStreams: 2_000)
        configuration.models["default"]!.forecastEvery = 1_000_000
        let fleet = try fixture.engine(configuration)
        let streams = Array(0..<(ForecastEngine.stepBatchLimit + 76))
        Self.feed(fleet, streams: streams, steps: 0..<12)
        let group = try #require(fleet.groups["default"])
        #expect(fleet.streams.values.allSatisfy { $0.recurrent != nil && $0.steps == 11 })
        #expect(group.workspace.rows == ForecastEngine.stepBatchLimit)
        // The streams of the second batch (the last 76 by id) end in the states they reach as a fleet of their own.
        // (GEMM results of a row depend on the batch around it in the last bits, so the batch is the same.)
        let second = streams.map { "s\($0)" }.sorted().suffix(76)
        let alone = try fixture.engine(configuration)
        Self.feed(alone, streams: second.map { Int($0.dropFirst())! }, steps: 0..<12)
        for id in second {
            #expect(fleet.streams[id]?.recurrent == alone.streams[id]?.recurrent, "\(id)")
        }
    }
}
