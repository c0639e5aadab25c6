import BARNN
import EngineTestKit
import Forecasting
import Foundation
import MQTT
import Storage
import Testing

@testable import Configuration
@testable import Engine

@Suite struct EngineForecastTests {
    /// Readings that alternate around zero-ish levels: 0 and 1 for the count, −0.5 and 1 for the signed stream.
    @Test func aStreamThatWasNeverNegativeGetsNoNegativeQuantiles() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(horizon: 4))
        var outputs: [EngineOutput] = []
        for step in 0..<80 {
            let t = EngineFixture.start + 60 * Double(step) + 5
            let count = step % 3 == 0 ? 1.0 : 0.0
            engine.receive(topic: "sensors/count", payload: EngineFixture.payload(t: t, v: count), arrivalTime: t + 1)
            engine.receive(
                topic: "sensors/signed", payload: EngineFixture.payload(t: t, v: count - (step == 1 ? 0.5 : 0)),
                arrivalTime: t + 1)
            outputs.append(engine.tick(now: t + 2))
        }
        let issues = outputs.flatMap(\.forecastIssues)
        let counts = issues.filter { $0.stream == "count" }, signed = issues.filter { $0.stream == "signed" }
        #expect(!counts.isEmpty && !signed.isEmpty)
        #expect(counts.allSatisfy { $0.points.allSatisfy { $0.quantiles.allSatisfy { $0 >= 0 } && $0.mean >= 0 } })
        // The fallback's residual quantiles reach below 0: without the bound the lowest quantile is negative.
        #expect(signed.contains { $0.points.contains { $0.quantiles[0] < 0 } })
        #expect(engine.counters.forecastsClampedAtZero > 0)
        // The calibrator learns from the published rows: raised too.
        let issued = try #require(engine.streams["count"]?.feedback.issued.compactMap { $0 })
        #expect(!issued.isEmpty && issued.allSatisfy { $0.raw.allSatisfy { $0.allSatisfy { $0 >= 0 } } })
    }

    @Test func everyObservationIsWrittenOnceAndColdStreamsGetFallbackForecasts() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(horizon: 4))
        let streams = ["a", "b", "c"]
        let outputs = EngineFixture.feed(engine, streams: streams, steps: 0..<40)
        let rows = outputs.flatMap(\.observationRows)
        // Bucket k closes when bucket k+1's reading arrives: 39 buckets per stream, each written exactly once.
        #expect(rows.count == 3 * 39)
        #expect(Set(rows.map { "\($0.stream)@\($0.tUs)" }).count == rows.count)
        #expect(engine.counters.observations == rows.count)
        #expect(engine.counters.gaps == 0)
        let first = try #require(rows.first { $0.stream == "b" })
        #expect(first.tUs == Int64(EngineFixture.start * 1_000_000))
        #expect(first.value == EngineFixture.value(stream: 1, step: 0))

        let issues = outputs.flatMap(\.forecastIssues)
        #expect(Set(issues.map(\.stream)) == Set(streams))
        for issue in issues {
            #expect(issue.points.count == 4)
            #expect(issue.levels == [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95])
            for point in issue.points {
                #expect(point.quantiles.count == 7)
                #expect(zip(point.quantiles, point.quantiles.dropFirst()).allSatisfy { $0 <= $1 })
            }
        }
        #expect(engine.counters.forecastsFallback == issues.count)
        #expect(engine.counters.forecastsBARNN == 0)

        let last = try #require(outputs.last)
        let documents = try last.forecastDocuments()
        #expect(documents.count == 3)
        for document in documents {
            let model = try #require(document["model"] as? [String: Any])
            #expect(model["kind"] as? String == "fallback")
            #expect(model["version"] as? Int == 0)
            #expect(document["step_s"] as? Double == 60)
            let points = try #require(document["points"] as? [[String: Any]])
            #expect(points.count == 4)
            #expect(document["calibration"] != nil)
        }
        let scalar = try #require(last.publications.first { $0.topic == "forecast/a/next" })
        #expect(Double(String(decoding: scalar.payload, as: UTF8.self)) != nil)
        #expect(last.publications.allSatisfy { $0.qos == .atLeastOnce && $0.retain })
        // Points step by one bucket after the last learned bucket.
        let issue = try #require(last.forecastIssues.first { $0.stream == "a" })
        let lastBucket = Int64((EngineFixture.start + 60 * 38) * 1_000_000)
        #expect(issue.points.map(\.tUs) == (1...4).map { lastBucket + Int64($0) * 60_000_000 })
    }

    @Test func forecastsOfAWarmGroupComeFromOneBatchedBARNNCall() throws {
        let fixture = try EngineFixture()
        let info = try fixture.activateSeededModel()
        let engine = try fixture.engine(EngineFixture.configuration(horizon: 3, minHistory: 8))
        #expect(engine.modelSummaries.first?.version == info.version)
        let outputs = EngineFixture.feed(engine, streams: ["a", "b"], steps: 0..<20)
        let last = try #require(outputs.last)
        let documents = try last.forecastDocuments()
        #expect(documents.count == 2)
        for document in documents {
            let model = try #require(document["model"] as? [String: Any])
            #expect(model["kind"] as? String == "barnn")
            #expect(model["version"] as? Int == info.version)
        }
        for issue in last.forecastIssues {
            #expect(issue.points.count == 3)
            for point in issue.points {
                #expect(point.quantiles.allSatisfy { $0.isFinite })
                #expect(zip(point.quantiles, point.quantiles.dropFirst()).allSatisfy { $0 <= $1 })
            }
        }
        #expect(engine.counters.forecastsBARNN > 0)
        for stream in ["a", "b"] {
            let state = try #require(engine.streams[stream]?.recurrent)
            #expect(state.hidden.allSatisfy { $0.isFinite })
            // BARNN takes observations as Float, so the level is the Float-rounded last value.
            #expect(state.level == Double(Float(EngineFixture.value(stream: stream == "a" ? 0 : 1, step: 18))))
        }
    }

    @Test func forecastsDoNotDependOnTheSamplingThreads() throws {
        var published: [[String]] = []
        for threads in [1, 2, 3] {
            let fixture = try EngineFixture()
            _ = try fixture.activateSeededModel()
            var configuration = EngineFixture.configuration(horizon: 3, minHistory: 8)
            configuration.engine.samplingThreads = threads
            let engine = try fixture.engine(configuration)
            #expect(engine.samplingThreads == threads)
            // 40 streams × 32 paths: five chunks of streams, spread over the threads.
            let streams = (0..<40).map { "s\($0)" }
            let outputs = EngineFixture.feed(engine, streams: streams, steps: 0..<16)
            #expect(engine.counters.forecastsBARNN > 0)
            published.append(outputs.flatMap(\.forecastIssues).map { "\($0.stream) \($0.points.map(\.quantiles))" })
        }
        #expect(published[1] == published[0])
        #expect(published[2] == published[0])
    }

    /// `sampling_antithetic` reaches the sampler: other forecasts than plain paths, the same ones on every run.
    @Test func antitheticSamplingIsAGroupSettingAndReplays() throws {
        func run(antithetic: Bool) throws -> [String] {
            let fixture = try EngineFixture()
            _ = try fixture.activateSeededModel()
            var configuration = EngineFixture.configuration(horizon: 3, minHistory: 8)
            configuration.models["default"]!.samplingAntithetic = antithetic
            let engine = try fixture.engine(configuration)
            let outputs = EngineFixture.feed(engine, streams: ["a", "b"], steps: 0..<16)
            #expect(engine.counters.forecastsBARNN > 0)
            return outputs.flatMap(\.forecastIssues).map { "\($0.stream) \($0.points.map(\.quantiles))" }
        }
        let plain = try run(antithetic: false), anti = try run(antithetic: true)
        #expect(!anti.isEmpty && anti.count == plain.count)
        #expect(anti != plain)
        #expect(try run(antithetic: true) == anti)
    }

    @Test func missingBucketsBecomeExplicitStepsForModelAndFallback() throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel(group: "warm")
        var configuration = EngineFixture.configuration(horizon: 3, minHistory: 8)
        var coldRule = configuration.rules[0]
        coldRule.name = "cold"
        coldRule.topic = "cold/+"
        coldRule.stream = "cold-{1}"
        coldRule.model = "cold"
        configuration.rules[0].model = "warm"
        configuration.rules.append(coldRule)
        var cold = configuration.models["default"]!
        cold.minHistory = 10_000  // never trains here: it stays on the fallback
        cold.contextLength = 10_000
        configuration.models = ["warm": configuration.models["default"]!, "cold": cold]
        let engine = try fixture.engine(configuration)
        var outputs: [EngineOutput] = []
        for step in 0..<40 where !(10...12).contains(step) {
            let t = EngineFixture.start + 60 * Double(step) + 5
            let value = EngineFixture.value(stream: 0, step: step)
            engine.receive(topic: "sensors/x", payload: EngineFixture.payload(t: t, v: value), arrivalTime: t)
            engine.receive(topic: "cold/x", payload: EngineFixture.payload(t: t, v: value), arrivalTime: t)
            outputs.append(engine.tick(now: t))
        }
        let rows = outputs.flatMap(\.observationRows)
        for stream in ["x", "cold-x"] {
            let missing = rows.filter { $0.stream == stream && $0.value == nil }.map(\.tUs)
            #expect(missing == (10...12).map { Int64((EngineFixture.start + 60 * Double($0)) * 1_000_000) })
        }
        #expect(engine.counters.gaps == 6)
        let last = try #require(outputs.last)
        let kinds = try last.forecastDocuments().map { ($0["model"] as? [String: Any])?["kind"] as? String }
        #expect(kinds.sorted { ($0 ?? "") < ($1 ?? "") } == ["barnn", "fallback"])
        #expect(last.forecastIssues.allSatisfy { $0.points.allSatisfy { $0.quantiles.allSatisfy { $0.isFinite } } })

        // A silent stream: time passing closes its open bucket and emits the missing buckets up to now − 1 bucket.
        let later = EngineFixture.start + 60 * 45 + 30
        let silent = engine.tick(now: later).observationRows.filter { $0.stream == "x" }
        #expect(silent.count == 5)  // bucket 39 (closed with its value) and 40...43 missing
        #expect(silent.first?.value != nil)
        #expect(silent.dropFirst().allSatisfy { $0.value == nil })
    }

    /// A gap longer than `context_length` emits only its last `context_length` missing steps, whether a reading or
    /// the clock closes it, and is counted once.
    @Test func aGapLongerThanTheContextEmitsOnlyAContextOfMissingSteps() throws {
        let fixture = try EngineFixture()
        let configuration = EngineFixture.configuration(minHistory: 8)  // context_length 64
        let engine = try fixture.engine(configuration)
        EngineFixture.feed(engine, streams: ["a", "b"], steps: 0..<3)
        #expect(engine.counters.longGaps == 0)
        // Stream a sends again 1000 steps later; b stays silent and its gap is closed by the clock.
        let outputs = EngineFixture.feed(engine, streams: ["a"], steps: 1003..<1004)
        let rows = outputs.flatMap(\.observationRows)
        for stream in ["a", "b"] {
            let missing = rows.filter { $0.stream == stream && $0.value == nil }
            #expect(missing.count == 64, "\(stream)")
            #expect(rows.filter { $0.stream == stream && $0.value != nil }.count == 1)  // bucket 2, closed
        }
        #expect(engine.counters.longGaps == 2)
        #expect(engine.counters.gaps == 128)
        let context = try #require(engine.streams["a"]?.modelContext(contextLength: 64))
        #expect(context.count == 64 && context.allSatisfy { $0.value == nil })
    }
}
