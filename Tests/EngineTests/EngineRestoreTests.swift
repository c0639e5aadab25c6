import BARNN
import EngineTestKit
import Forecasting
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine

@Suite struct EngineRestoreTests {
    static let streams = ["a", "b"]

    /// Sends step `step` of every stream and ticks.
    static func send(_ engine: ForecastEngine, step: Int) -> EngineOutput {
        EngineFixture.feed(engine, streams: streams, steps: step..<(step + 1))[0]
    }

    @Test func forecastIsIdenticalAfterRestore() async throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        let configuration = EngineFixture.configuration(horizon: 3, minHistory: 8)
        let a = try fixture.engine(configuration)
        for step in 0..<30 { try await fixture.apply(Self.send(a, step: step)) }
        let shutdownTime = EngineFixture.start + 60 * 29 + 3
        let saved = a.shutdown(now: shutdownTime)
        #expect(saved.streamStates.map(\.stream) == Self.streams)
        #expect(saved.events.last?.kind == "shutdown")
        try await fixture.apply(saved)

        let b = try fixture.engine(configuration, now: shutdownTime)
        #expect(b.counters.streamsRestored == 2)
        #expect(b.counters.replayedObservations == 0)  // everything stored was already in the saved state
        for step in 30..<36 {
            let fromA = Self.send(a, step: step)
            let fromB = Self.send(b, step: step)
            // Same states, same batch, same tick time ⇒ the same seeded draws: bit-identical forecasts.
            #expect(!fromA.forecastIssues.isEmpty)
            #expect(fromA.forecastIssues == fromB.forecastIssues)
            #expect(fromA.publications == fromB.publications)
            #expect(fromA.observationRows.map(\.tUs) == fromB.observationRows.map(\.tUs))
        }
        _ = Self.send(a, step: 36)
        let kinds = try Self.send(b, step: 36).forecastDocuments().map {
            ($0["model"] as? [String: Any])?["kind"] as? String
        }
        #expect(kinds == ["barnn", "barnn"])
        for stream in Self.streams {
            #expect(a.streams[stream]?.recurrent == b.streams[stream]?.recurrent)
            #expect(a.streams[stream]?.feedback.calibrator == b.streams[stream]?.feedback.calibrator)
        }
    }

    @Test func observationsNewerThanTheSavedStateAreReplayedAtStart() async throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        var configuration = EngineFixture.configuration(horizon: 3, minHistory: 8)
        configuration.engine.stateSaveInterval = .seconds(600)
        let a = try fixture.engine(configuration)
        var savedAt: Int64 = 0
        for step in 0..<35 {
            let output = Self.send(a, step: step)
            if let state = output.streamStates.first { savedAt = state.tUs }
            try await fixture.apply(output)
        }
        // The last periodic save happened before the last steps: those are only in `observations`.
        let lastLearned = Int64((EngineFixture.start + 60 * 33) * 1_000_000)
        #expect(savedAt > 0 && savedAt < lastLearned)
        let expectedReplay = Int((lastLearned - savedAt) / 60_000_000) * Self.streams.count

        let b = try fixture.engine(configuration, now: EngineFixture.start + 60 * 34 + 3)
        #expect(b.counters.replayedObservations == expectedReplay)
        for stream in Self.streams {
            let (left, right) = (try #require(a.streams[stream]), try #require(b.streams[stream]))
            // Identical after replay: the hidden state, level and scale, the fallback, the context and step counts.
            // Not identical: calibrator and drift, which A also fed with the forecasts it issued during those steps.
            #expect(left.recurrent == right.recurrent)
            #expect(left.fallback == right.fallback)
            #expect(Array(left.context) == Array(right.context))
            #expect(left.presentSteps == right.presentSteps)
            #expect(left.lastT == right.lastT)
        }
        // B forecasts again at its first tick without waiting for new data, and the replay wrote no rows twice.
        let first = b.tick(now: EngineFixture.start + 60 * 34 + 4)
        #expect(Set(first.forecastIssues.map(\.stream)) == Set(Self.streams))
        #expect(first.observationRows.isEmpty)
        // The resampler continues after the replayed buckets: the next bucket is not a duplicate or out of order.
        // Bucket 34 was still open in A (its reading never reached the Store): B records it as an explicit gap.
        let next = Self.send(b, step: 35)
        #expect(b.counters.rejectsTotal == 0)
        #expect(
            next.observationRows.map(\.tUs)
                == Array(repeating: Int64((EngineFixture.start + 60 * 34) * 1_000_000), count: 2)
        )
        #expect(next.observationRows.allSatisfy { $0.value == nil })
        let more = Self.send(b, step: 36)
        #expect(
            more.observationRows.map(\.tUs)
                == Array(repeating: Int64((EngineFixture.start + 60 * 35) * 1_000_000), count: 2)
        )
        #expect(more.observationRows.allSatisfy { $0.value != nil })
    }

    @Test func aStartOverTheLimitRestoresTheMostRecentlySeenAndTheRestWhenTheySend() async throws {
        let fixture = try EngineFixture()
        let configuration = EngineFixture.configuration(horizon: 3)
        let a = try fixture.engine(configuration)
        // a…e send until step 19, d and e (the most recently seen) until step 21.
        for output in EngineFixture.feed(a, streams: ["a", "b", "c", "d", "e"], steps: 0..<20) {
            try await fixture.apply(output)
        }
        for output in EngineFixture.feed(a, streams: ["d", "e"], steps: 20..<22) { try await fixture.apply(output) }
        let shutdownTime = EngineFixture.start + 60 * 21 + 3
        try await fixture.apply(a.shutdown(now: shutdownTime))
        #expect(try fixture.store.streamsWithSavedState() == ["e", "d", "c", "b", "a"])

        var limited = configuration
        limited.engine.maxStreams = 2
        let b = try fixture.engine(limited, now: shutdownTime)
        #expect(b.streams.sortedIDs == ["d", "e"])
        #expect(b.counters.streamsRestored == 2)
        #expect(b.savedElsewhere == [StreamKey("a"), StreamKey("b"), StreamKey("c")])
        // b sends again: its state is read from its row (and the least recently seen in memory is evicted).
        let t = EngineFixture.start + 60 * 22 + 5
        b.receive(topic: "sensors/b", payload: EngineFixture.payload(t: t, v: 1), arrivalTime: t)
        let back = try #require(b.streams["b"])
        let before = try #require(a.streams["b"])
        #expect(back.presentSteps == before.presentSteps)
        #expect(back.feedback.calibrator == before.feedback.calibrator)
        #expect(Array(back.context) == Array(before.context))
        #expect(b.counters.streamsRestored == 3)
        #expect(!b.savedElsewhere.contains(StreamKey("b")))
    }

    @Test func evictionsTakeTheLeastRecentlySeenFirstTiesByID() throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(horizon: 3, maxStreams: 5))
        // Last seen: c 5 s, e and a 7 s (a tie), f 9 s, b 10 s after the minute; then x and y arrive.
        let t = EngineFixture.start + 5
        for (stream, arrival) in [("a", 7.0), ("b", 10), ("c", 5), ("e", 7), ("f", 9)] {
            engine.receive(
                topic: "sensors/\(stream)", payload: EngineFixture.payload(t: t, v: 1),
                arrivalTime: EngineFixture.start + arrival)
        }
        #expect(engine.tick(now: EngineFixture.start + 11).events.isEmpty)
        for stream in ["x", "y", "z"] {
            engine.receive(
                topic: "sensors/\(stream)", payload: EngineFixture.payload(t: t, v: 1),
                arrivalTime: EngineFixture.start + 12)
        }
        let evicted = engine.tick(now: EngineFixture.start + 13).events.filter { $0.kind == "eviction" }.map(\.stream)
        #expect(evicted == ["c", "a", "e"])
        #expect(engine.streams.sortedIDs == ["b", "f", "x", "y", "z"])
    }

    @Test func evictionSavesTheStateFirstAndTheStreamComesBackFromIt() async throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(horizon: 3, maxStreams: 2))
        EngineFixture.feed(engine, streams: ["a", "b"], steps: 0..<25)
        let before = try #require(engine.streams["a"])
        let steps = before.presentSteps
        let calibrator = before.feedback.calibrator
        // b and c stay active; a falls silent and is the least recently seen when c arrives.
        var outputs: [EngineOutput] = []
        for step in 25..<28 { outputs += EngineFixture.feed(engine, streams: ["b", "c"], steps: step..<(step + 1)) }
        let evictions = outputs.flatMap(\.events).filter { $0.kind == "eviction" }
        #expect(evictions.map(\.stream) == ["a"])
        #expect(engine.counters.evictions == 1)
        #expect(engine.streams["a"] == nil)
        #expect(engine.counters.streamsActive == 2)
        // The state row comes before the eviction event in the same output.
        let output = try #require(outputs.first { !$0.events.isEmpty })
        let stateIndex = try #require(
            output.writes.firstIndex { if case .streamState(let s) = $0 { s.stream == "a" } else { false } })
        let eventIndex = try #require(
            output.writes.firstIndex { if case .event(let e) = $0 { e.kind == "eviction" } else { false } })
        #expect(stateIndex < eventIndex)

        // a comes back: restored from its saved state (open bucket 24 included), evicting the least recently seen.
        let t = EngineFixture.start + 60 * 28 + 5
        engine.receive(topic: "sensors/a", payload: EngineFixture.payload(t: t, v: 1), arrivalTime: t)
        let back = try #require(engine.streams["a"])
        #expect(back.presentSteps == steps)
        #expect(back.feedback.calibrator == calibrator)
        #expect(engine.counters.streamsRestored == 1)
        let rows = engine.tick(now: t + 1).observationRows.filter { $0.stream == "a" }
        // Bucket 24 closes with its value, 25...27 are explicit gaps.
        #expect(rows.map(\.tUs) == (24...27).map { Int64((EngineFixture.start + 60 * Double($0)) * 1_000_000) })
        #expect(rows.map { $0.value == nil } == [false, true, true, true])
        #expect(back.presentSteps == steps + 1)
        #expect(engine.counters.evictions == 2)
        #expect(engine.counters.rejectsTotal == 0)
    }
}
