import BARNN
import Engine
import EngineTestKit
import Foundation
import Storage
import Testing

@Suite struct EngineCheckpointTests {
    @Test(arguments: ["garbage", "wrong shape"])
    func aCorruptActiveCheckpointLeavesTheGroupOnTheFallback(kind: String) throws {
        let fixture = try EngineFixture()
        let blob =
            kind == "garbage"
            ? Array("definitely not a checkpoint".utf8)
            : BARNN.Checkpoint.encode(BARNNModel(configuration: BARNNConfiguration(hiddenSize: 4), seed: 1))
        try fixture.store.saveCheckpoint(
            NewCheckpoint(model: "default", createdAtUs: 0, blob: blob), activate: true, keepLast: 5)
        let engine = try fixture.engine(EngineFixture.configuration(horizon: 3))
        #expect(engine.counters.checkpointLoadFailures == 1)
        #expect(engine.modelSummaries.map(\.kind) == [.fallback])
        #expect(engine.modelSummaries.map(\.version) == [0])
        let outputs = EngineFixture.feed(engine, streams: ["a"], steps: 0..<30)
        #expect(outputs[0].events.map(\.kind) == ["checkpoint_load_failed"])
        let kinds = try outputs.last!.forecastDocuments().map { ($0["model"] as? [String: Any])?["kind"] as? String }
        #expect(kinds == ["fallback"])
        #expect(engine.counters.forecastsBARNN == 0)
    }
}
