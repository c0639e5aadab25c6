import BARNN
import Foundation
import MQTT
import MQTTTestKit
import Storage
import Testing

/// Each posterior a model group can choose trains inside the real daemon, is checkpointed with its kind, and serves
/// the forecasts published on the broker.
@Suite(.serialized) struct EndToEndPosteriorTests {
    static let streams = ["rig/a", "rig/b"]

    @Test(.timeLimit(.minutes(4)), arguments: ["barnn", "mc_dropout", "sgld", "bbb"])
    func aGroupTrainsAndForecastsWithItsPosterior(kind: String) async throws {
        let harness = try EndToEndHarness()
        try harness.writeConfiguration(
            model: """
                hidden_size = 8
                paths = 32
                horizon = 6
                min_history = 120
                context_length = 120
                posterior = "\(kind)"
                dropout_rate = 0.2
                training_steps = 150
                """)
        try await harness.startDaemon()
        let csv = try harness.writeCSV(name: "history.csv", streams: Self.streams, rows: 0..<240)
        try harness.replay(csv: csv)
        try await harness.waitForObservations(240 * Self.streams.count, streams: Self.streams)
        try await harness.waitUntil(timeout: .seconds(180), "a trained, active checkpoint") {
            let store = try harness.store()
            defer { try? store.close() }
            return try store.activeCheckpoint(model: "default") != nil
        }
        let store = try harness.store()
        let checkpoint = try #require(try store.activeCheckpoint(model: "default"))
        try store.close()
        let model = try BARNN.Checkpoint.decode(checkpoint.blob)
        switch kind {
        case "barnn": #expect(model.configuration.posterior == .barnn)
        case "mc_dropout": #expect(model.configuration.posterior == .mcDropout(rate: 0.2))
        case "bbb":
            #expect(model.configuration.posterior == .bbb(prior: .fortunato))
            #expect(model.layout.tensors.suffix(4).map(\.name) == ["rhoWih", "rhobih", "rhoWhh", "rhobhh"])
        default:
            // K and η were chosen on the validation tail, and the particles are in the checkpoint's tensor table.
            #expect(model.configuration.posterior.name == kind)
            #expect(model.configuration.posterior.particleCount > 0)
            #expect(model.layout.tensors.last?.name == "Particles")
        }

        // Readings after the swap are forecast by the trained model, not the fallback.
        let forecasts = try await harness.subscriber("forecast/+/+")
        let more = try harness.writeCSV(name: "more.csv", streams: Self.streams, rows: 240..<250)
        try harness.replay(csv: more)
        var served: Set<String> = []
        var iterator = forecasts.messages.makeAsyncIterator()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(60))
        while served.count < Self.streams.count, clock.now < deadline, let message = await iterator.next() {
            if let forecast = ForecastMessage(message.payload), forecast.modelKind == "barnn" {
                served.insert(forecast.stream)
            }
        }
        await forecasts.close()
        #expect(served == Set(Self.streams), "\(harness.log())")
        #expect(harness.stopDaemon(SIGTERM) == 0)
    }
}
