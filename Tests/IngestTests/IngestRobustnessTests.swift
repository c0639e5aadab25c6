import Configuration
import Ingest
import Sampling
import Testing

/// Random and mutated payloads never crash the ingestor, and every message is accounted for.
@Suite struct IngestRobustnessTests {
    /// Valid payloads per rule prefix, to mutate.
    static let seeds: [String: [String]] = [
        "n": ["21.5", "-3e2", " 7 "],
        "j": [#"{"v":1,"t":"2026-01-01T00:00:00Z"}"#, #"{"v":true}"#, #"{"v":2,"x":"\u00e9\ud83d\ude00"}"#],
        "s": [
            #"[{"bn":"d/","bt":1.7e9,"n":"t","v":1},{"n":"h","vb":false,"t":-1}]"#, #"[{"n":"x","vs":"a","u":"C"}]"#,
        ],
    ]

    @Test func mutatedAndRandomPayloadsAreAlwaysAccountedFor() throws {
        func rule(_ topic: String, _ format: DaemonConfiguration.PayloadFormat) -> DaemonConfiguration.Rule {
            var rule = DaemonConfiguration.Rule()
            rule.name = topic
            rule.topic = topic + "/+"
            rule.stream = "{1}"
            rule.payload.format = format
            rule.payload.valuePath = format == .json ? "v" : nil
            rule.payload.timePath = format == .json ? "t" : nil
            return rule
        }
        var configuration = DaemonConfiguration()
        configuration.rules = [rule("n", .number), rule("j", .json), rule("s", .senml)]
        configuration.engine.maxPayloadBytes = 256
        let ingestor = try Ingestor(configuration: configuration)
        var generator = SplitMix64(seed: 42)
        var accepted = 0
        for iteration in 0..<6000 {
            let prefix = ["n", "j", "s"][iteration % 3]
            var payload = Array(Self.seeds[prefix]![(iteration / 3) % Self.seeds[prefix]!.count].utf8)
            if iteration % 4 == 0 {
                payload = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            } else if iteration % 4 != 1 {
                for _ in 0..<Int.random(in: 1...3, using: &generator) where !payload.isEmpty {
                    let index = Int.random(in: 0..<payload.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: payload[index] = UInt8.random(in: 0...255, using: &generator)
                    case 1: payload.remove(at: index)
                    default: payload.insert(payload[index], at: index)
                    }
                }
            }
            let topic = prefix + "/dev\(iteration % 5)"
            let output = ingestor.ingest(topic: topic, payload: payload, arrivalTime: 1_767_225_600)
            #expect(!output.readings.isEmpty || !output.rejects.isEmpty, "message \(iteration) vanished")
            for reading in output.readings {
                #expect(reading.value.isFinite && reading.time.isFinite)
                #expect(reading.time <= 1_767_225_600 + configuration.engine.maxFutureSkew.totalSeconds)
                #expect((try? TopicRule.checkStreamID(reading.streamID).get()) == reading.streamID)
            }
            for reject in output.rejects {
                #expect(reject.excerpt.utf8.count <= IngestReject.excerptLimit)
            }
            accepted += output.readings.count
        }
        // The mutations must leave some payloads valid, or this test would only exercise rejection.
        #expect(accepted > 1000)
    }
}
