import Configuration
import EngineTestKit
import Storage
import Testing

@testable import Engine

/// Periodic saves of a fleet larger than `stateSaveBatch` are spread over the interval's ticks: every changed state
/// is saved once an interval, but no tick encodes and writes the whole fleet at once.
@Suite struct EnginePeriodicSaveTests {
    /// More than a batch: 401 streams.
    static let ids = (0..<(ForecastEngine.stateSaveBatch * 3 + 17)).map { "s\($0)" }

    /// A fleet fed steps 0...8 (never saved yet) on an engine whose save rounds start every 600 s.
    static func fedFleet(_ fixture: EngineFixture) throws -> ForecastEngine {
        var configuration = EngineFixture.configuration(horizon: 3, maxStreams: 1_000)
        configuration.engine.stateSaveInterval = .seconds(600)
        let engine = try fixture.engine(configuration)
        let outputs = EngineFixture.feed(engine, streams: ids, steps: 0..<9)
        #expect(outputs.allSatisfy { $0.streamStates.isEmpty })
        return engine
    }

    @Test func aRoundIsSpreadOverTheIntervalAndSavesEveryStreamOnce() throws {
        let fixture = try EngineFixture()
        let engine = try Self.fedFleet(fixture)
        // Ticks 10 s apart: the round starts at 600 s, then each tick visits ⌈401 · 10 / 600⌉ = 7 streams, so the
        // round ends well before the next starts at 1200 s.
        let outputs = (0...60).map { engine.tick(now: EngineFixture.start + 600 + 10 * Double($0)) }
        #expect(outputs.map(\.streamStates.count) == [0] + Array(repeating: 7, count: 57) + [2, 0, 0])
        let saved = outputs.flatMap(\.streamStates).map(\.stream)
        #expect(saved.sorted() == Self.ids.sorted())
        #expect(engine.counters.stateSaves == Self.ids.count)
    }

    @Test func sparseTicksVisitTheirShareOfTheRound() throws {
        let fixture = try EngineFixture()
        let engine = try Self.fedFleet(fixture)
        // 600 s: the round starts. 900 s: half the interval, ⌈401 / 2⌉ streams. 1200 s: the rest of the first
        // round (200), and the next starts.
        let outputs = [600.0, 900, 1200].map { engine.tick(now: EngineFixture.start + $0) }
        #expect(outputs.map(\.streamStates.count) == [0, 201, 200])
        let firstRound = outputs.flatMap(\.streamStates).map(\.stream)
        #expect(firstRound.sorted() == Self.ids.sorted())
    }

    @Test func aSmallFleetIsSavedInTheTickItsRoundStarts() throws {
        let fixture = try EngineFixture()
        var configuration = EngineFixture.configuration(horizon: 3, maxStreams: 1_000)
        configuration.engine.stateSaveInterval = .seconds(600)
        let engine = try fixture.engine(configuration)
        let small = Array(Self.ids.prefix(ForecastEngine.stateSaveBatch))
        EngineFixture.feed(engine, streams: small, steps: 0..<9)
        #expect(engine.tick(now: EngineFixture.start + 600).streamStates.count == small.count)
        #expect(engine.tick(now: EngineFixture.start + 900).streamStates.isEmpty)
    }

    @Test func shutdownSavesTheStreamsTheRoundHasNotReached() throws {
        let fixture = try EngineFixture()
        let engine = try Self.fedFleet(fixture)
        #expect(engine.tick(now: EngineFixture.start + 900).streamStates.isEmpty)
        #expect(engine.tick(now: EngineFixture.start + 1200).streamStates.count == 201)
        let last = engine.shutdown(now: EngineFixture.start + 1201)
        #expect(last.streamStates.map(\.stream).sorted() == Self.ids.sorted())
    }
}
