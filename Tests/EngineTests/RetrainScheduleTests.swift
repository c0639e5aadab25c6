import BARNN
import EngineTestKit
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine

/// Scheduled and drift-triggered retrains: `every`, the allowed window, the cooldown and the stagger, driven by
/// injected engine times (no data: each job fails fast, and only its `training_started` time matters).
@Suite struct RetrainScheduleTests {
    static let start = EngineFixture.start  // 2026-01-01T00:00:00Z

    static func configuration(groups: [String] = ["default"], window: String? = nil) -> DaemonConfiguration {
        var configuration = EngineFixture.configuration(horizon: 3, minHistory: 40)
        var group = configuration.models["default"]!
        group.retrain.every = .seconds(3600)
        group.retrain.window = window.flatMap { DaemonConfiguration.TimeWindow(parsing: $0) }
        group.retrain.cooldown = .seconds(600)
        configuration.models = Dictionary(uniqueKeysWithValues: groups.map { ($0, group) })
        configuration.rules[0].model = groups[0]
        return configuration
    }

    /// Ticks once a minute from `from` to `to` (seconds after start), returning each `training_started` event
    /// with the model and the tick time; waits for the trainer after each start so the next can begin.
    /// Engine times `seconds` after the start.
    static func times(_ seconds: [Int]) -> [Double] { seconds.map { start + Double($0) } }

    static func run(_ engine: ForecastEngine, from: Int, to: Int) -> [(model: String, time: Double, trigger: String)] {
        var started: [(String, Double, String)] = []
        for minute in stride(from: from, to: to, by: 60) {
            let now = start + Double(minute)
            let output = engine.tick(now: now)
            for event in output.events where event.kind == "training_started" {
                let trigger =
                    (try? JSONSerialization.jsonObject(with: Data(event.detailJSON.utf8)) as? [String: Any])?[
                        "trigger"] as? String
                started.append((event.model ?? "", now, trigger ?? ""))
            }
            if !output.events.filter({ $0.kind == "training_started" }).isEmpty {
                #expect(engine.waitForTrainer(timeout: .seconds(60)))
            }
        }
        return started
    }

    @Test func scheduledRetrainsRespectEveryAndTheAllowedWindow() throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        let engine = try fixture.engine(Self.configuration(window: "03:00-05:30"))
        let started = Self.run(engine, from: 0, to: 8 * 3600)
        // Due from the start (the checkpoint is old) but only inside 03:00–05:30, then every hour.
        #expect(started.map(\.time) == Self.times([3 * 3600, 4 * 3600, 5 * 3600]))
        #expect(started.allSatisfy { $0.trigger == "schedule" })
    }

    @Test func withoutAWindowTheScheduleStartsAnyTimeEveryInterval() throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        let engine = try fixture.engine(Self.configuration())
        let started = Self.run(engine, from: 0, to: 3 * 3600 + 30)
        #expect(started.map(\.time) == Self.times([0, 3600, 7200, 10800]))
    }

    @Test func staggeringSpreadsGroupsOverTheInterval() throws {
        let fixture = try EngineFixture()
        for name in ["a", "b", "c"] { _ = try fixture.activateSeededModel(group: name) }
        let engine = try fixture.engine(Self.configuration(groups: ["a", "b", "c"]))
        let started = Self.run(engine, from: 0, to: 3600)
        #expect(started.map(\.model) == ["a", "b", "c"])
        #expect(started.map(\.time) == Self.times([0, 1200, 2400]))
    }

    @Test func theCooldownSuppressesASecondDriftRetrain() throws {
        let fixture = try EngineFixture()
        _ = try fixture.activateSeededModel()
        var configuration = Self.configuration()
        configuration.models["default"]!.retrain.every = .seconds(86400)
        configuration.models["default"]!.retrain.driftDelay = .seconds(120)
        let engine = try fixture.engine(configuration, now: Self.start)
        // The first scheduled retrain is due at once (old checkpoint); let it run, then raise drift alarms.
        #expect(Self.run(engine, from: 0, to: 60).map(\.trigger) == ["schedule"])
        engine.groups["default"]!.driftAlarmAt = Self.start + 180
        #expect(Self.run(engine, from: 240, to: 360).isEmpty)  // acted on at 5 min: inside the 10 min cooldown
        #expect(engine.counters.driftRetrainsSuppressed == 1)
        engine.groups["default"]!.driftAlarmAt = Self.start + 600
        let later = Self.run(engine, from: 660, to: 780)  // the delay ends at 12 min, after the cooldown
        #expect(later.map(\.trigger) == ["drift"])
        #expect(later.map(\.time) == Self.times([720]))
        engine.groups["default"]!.driftAlarmAt = Self.start + 1900
        configuration.models["default"]!.retrain.driftTrigger = false
        try engine.reload(configuration)
        #expect(Self.run(engine, from: 2000, to: 2060).isEmpty)  // drift_trigger off
    }

    @Test func timeWindowsWrapPastMidnight() {
        let window = DaemonConfiguration.TimeWindow(parsing: "22:00-02:00")
        #expect(ForecastEngine.isInside(window, time: Self.start + 23 * 3600))
        #expect(ForecastEngine.isInside(window, time: Self.start + 3600))
        #expect(!ForecastEngine.isInside(window, time: Self.start + 2 * 3600))
        #expect(!ForecastEngine.isInside(window, time: Self.start + 12 * 3600))
        #expect(ForecastEngine.isInside(nil, time: Self.start + 12 * 3600))
    }
}

/// The retraining keys this branch added: read from TOML, validated, documented in the bundled file.
@Suite struct RetrainConfigurationTests {
    @Test func promotionToleranceAndDriftDelayAreReadAndValidated() throws {
        let configuration = try DaemonConfiguration(
            toml: """
                [models.default.retrain]
                promotion_tolerance = 0.1
                drift_delay = "30m"
                """)
        #expect(configuration.models["default"]?.retrain.promotionTolerance == 0.1)
        #expect(configuration.models["default"]?.retrain.driftDelay == .seconds(1800))
        var bad = configuration
        bad.models["default"]!.retrain.promotionTolerance = 1.5
        bad.models["default"]!.retrain.driftDelay = .seconds(-1)
        let paths = bad.validate().map(\.keyPath)
        #expect(paths.contains("models.default.retrain.promotion_tolerance"))
        #expect(paths.contains("models.default.retrain.drift_delay"))
    }

    @Test func theBundledConfigurationDocumentsTheDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/barnnd.toml").path
        let retrain = try #require(try DaemonConfiguration.load(contentsOf: path).models["default"]?.retrain)
        #expect(retrain.promotionTolerance == DaemonConfiguration.RetrainSettings().promotionTolerance)
        #expect(retrain.driftDelay == DaemonConfiguration.RetrainSettings().driftDelay)
    }
}
