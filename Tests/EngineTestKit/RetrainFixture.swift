import BARNN
public import Engine
import Foundation
import Logging
public import Storage
import StorageTestKit
import Testing

/// Drives an engine minute by minute with one stream whose values come from a closure, storing every output.
public struct RetrainDriver {
    /// The Store and writer the outputs go to.
    public let fixture: EngineFixture
    /// The engine being driven.
    public let engine: ForecastEngine
    /// Every output so far, with the step of its tick.
    public var outputs: [(step: Int, output: EngineOutput)] = []

    /// A driver of `engine`, writing to `fixture`'s Store.
    public init(fixture: EngineFixture, engine: ForecastEngine) {
        self.fixture = fixture
        self.engine = engine
    }

    /// Engine time of a step's tick.
    public static func time(_ step: Int) -> Double { EngineFixture.start + 60 * Double(step) + 7 }

    /// Feeds steps `range` of `value(step)` to stream `a` and stores each output. With `settling`, waits for the
    /// trainer after every tick that leaves a training running, so results apply at a deterministic step.
    public mutating func feed(_ range: Range<Int>, settling: Bool = false, value: (Int) -> Double) async throws {
        for step in range {
            let t = EngineFixture.start + 60 * Double(step) + 5
            engine.receive(
                topic: "sensors/a", payload: EngineFixture.payload(t: t, v: value(step)), arrivalTime: t + 1)
            let output = engine.tick(now: Self.time(step))
            try await fixture.apply(output)
            outputs.append((step, output))
            if settling, engine.modelSummaries.contains(where: { $0.lastTraining == .running }) {
                #expect(engine.waitForTrainer(timeout: .seconds(120)))
            }
        }
    }

    /// Events of `kind` written so far, with the step of their tick.
    public func events(_ kind: String) -> [(step: Int, event: EventRecord)] {
        outputs.flatMap { item in item.output.events.filter { $0.kind == kind }.map { (item.step, $0) } }
    }

    /// The detail JSON of an event, parsed.
    public static func detail(_ event: EventRecord) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(event.detailJSON.utf8)) as? [String: Any])
    }

    /// A second `Store` on the same file, as the CLI opens it.
    public func cliStore() throws -> Store {
        try fixture.database.open(logger: fixture.logger)
    }
}

/// Seeded synthetic series.
public enum SyntheticSeries {
    /// A smooth daily-like sine plus small Gaussian noise, then (from `change`) a regime with `factor`× the noise
    /// and a faster cycle.
    public static func regime(change: Int, factor: Double = 6, seed: UInt64 = 3) -> (Int) -> Double {
        { step in
            var rng = SeededRNG(seed: seed).substream(UInt64(step))
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12)
            let u2 = Double(rng.next() >> 11) / Double(1 << 53)
            let normal = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            let base = 20 + 3 * sin(Double(step) * 0.2)
            return step < change ? base + 0.2 * normal : base + 0.2 * factor * normal
        }
    }
}
