import Configuration
import Engine
import Formats
import Foundation
import HomeAssistant
import Logging
import MQTT
import Storage
import Synchronization

/// The body of the engine thread: the one owner of the ``ForecastEngine``.
///
/// Each turn takes what the mailbox holds (waiting at most one tick interval), feeds the messages to the engine,
/// applies commands, ticks, publishes the publications and queues the writes; then, when due, trims the durable
/// inbox, hands freed heap pages back, publishes the health report and pings the systemd watchdog. Pinging from
/// here, not from a timer, means the watchdog fires exactly when this thread stops making progress.
final class EngineLoop {
    /// Timing of the loop.
    struct Timing {
        /// Longest wait for messages before ticking anyway (so silent streams still close their buckets).
        var tickInterval: Duration
        /// How often the inbox is trimmed up to what the Store has committed.
        var inboxTrimInterval: Duration
        /// How often a ``DaemonSnapshot`` is published, when there is a box for it.
        var snapshotInterval: Duration = .seconds(1)
        /// How often freed heap pages are handed back to the system (``HeapTrimmer``).
        var heapTrimInterval: Duration = .seconds(10)
    }

    private let engine: ForecastEngine
    private let mailbox: EngineMailbox
    private let client: MosquittoClient
    private let writer: StoreWriter
    private let inbox: DurableInbox?
    private let trimmer: InboxTrimmer?
    private let notifier: SystemdNotifier
    private let snapshots: DaemonSnapshotBox?
    private let logger: Logger
    private let timing: Timing
    private let startedAt: Double
    private var configuration: DaemonConfiguration
    private var replay: [DurableInbox.Entry]
    private var limiter: RepeatedErrorLimiter
    private(set) var counters = RuntimeCounters()
    /// The highest inbox id handed to the engine.
    private(set) var inboxWatermark: Int64?
    /// Set once rows were given up: from then on the inbox must keep everything for the next start.
    private(set) var inboxTrimmingStopped = false
    /// When the current wait for the store writer began (Unix seconds); `nil` when intake is not stalled.
    private var stalledSince: Double?
    private var lastTrim: Double
    private let heapTrimmer = HeapTrimmer()
    private var lastHeapTrim: Double
    private var lastWatchdog: Double
    private var lastHealth: Double
    private var lastSnapshot: Double
    private var healthBaseline: EngineCounters
    private let clock = ContinuousClock()
    /// Home Assistant discovery; it does nothing unless `homeassistant.enabled` (``homeAssistantEnabled``).
    private var homeAssistant: HomeAssistantDiscovery
    private let homeAssistantEnabled: Bool
    private var lastHomeAssistantSweep: Double
    /// Every minute, or every half `remove_after` when that is shorter (fixed at start, like the rest of the section).
    private let homeAssistantSweepInterval: Double
    /// Configs published since the last summary line, so a birth message's republish is logged once.
    private var homeAssistantConfigsSinceLog = 0

    init(
        engine: ForecastEngine, configuration: DaemonConfiguration, replay: [DurableInbox.Entry],
        mailbox: EngineMailbox, client: MosquittoClient, writer: StoreWriter, inbox: DurableInbox?,
        trimmer: InboxTrimmer?, notifier: SystemdNotifier, snapshots: DaemonSnapshotBox?, logger: Logger,
        timing: Timing, now: Double, softwareVersion: String
    ) {
        self.engine = engine
        self.configuration = configuration
        self.replay = replay
        self.mailbox = mailbox
        self.client = client
        self.writer = writer
        self.inbox = inbox
        self.trimmer = trimmer
        self.notifier = notifier
        self.snapshots = snapshots
        self.logger = logger
        self.timing = timing
        self.startedAt = now
        self.limiter = RepeatedErrorLimiter(interval: configuration.logging.repeatedErrorInterval.totalSeconds)
        self.lastTrim = now
        self.lastHeapTrim = now
        self.lastWatchdog = now
        self.lastHealth = now
        self.lastSnapshot = -.infinity
        self.healthBaseline = engine.counters
        self.lastHomeAssistantSweep = now
        self.homeAssistantEnabled = configuration.homeAssistant.enabled
        self.homeAssistantSweepInterval = min(60, max(configuration.homeAssistant.removeAfter.totalSeconds / 2, 0.5))
        self.homeAssistant = HomeAssistantDiscovery(configuration: configuration, softwareVersion: softwareVersion)
    }

    /// Runs until a `.stop` command has been handled; returns after the engine's shutdown output is queued.
    func run() {
        replayInbox()
        var stopping = false
        while !stopping {
            let (messages, commands) = mailbox.take(timeout: timing.tickInterval)
            let received = clock.now
            for message in messages where !handledBirthMessage(message.topic, message.payload) {
                engine.receive(topic: message.topic, payload: message.payload, arrivalTime: message.receivedAt)
            }
            counters.receiveSeconds += received.duration(to: clock.now).totalSeconds
            if let inbox, !messages.isEmpty, let id = inbox.consume(messages.count) {
                inboxWatermark = max(inboxWatermark ?? id, id)
            }
            for command in commands {
                switch command {
                case .reload(let configuration): reload(configuration)
                case .stop: stopping = true
                }
            }
            let now = Self.wallClock()
            let ticked = clock.now
            let output = engine.tick(now: now)
            let tickDuration = ticked.duration(to: clock.now)
            counters.tickSeconds += tickDuration.totalSeconds
            snapshots?.recordTick(tickDuration)
            handle(output, now: now)
            counters.ticks += 1
            housekeeping(now: now)
        }
        let now = Self.wallClock()
        handle(engine.shutdown(now: now), now: now)
        logger.info("engine thread stopped", metadata: ["runtime.ticks": "\(counters.ticks)"])
    }

    /// Feeds the messages left in the inbox by the previous process to the engine before any new one.
    private func replayInbox() {
        guard !replay.isEmpty else { return }
        // A birth message from before the restart is moot: every stream is announced at its first forecast anyway.
        for entry in replay where !homeAssistantEnabled || entry.message.topic != homeAssistant.birthTopic {
            engine.receive(
                topic: entry.message.topic, payload: entry.message.payload, arrivalTime: entry.message.receivedAt)
        }
        inboxWatermark = replay.last?.id
        counters.inboxReplayed = replay.count
        logger.info("inbox replayed", metadata: ["inbox.messages": "\(replay.count)"])
        replay = []
        let now = Self.wallClock()
        handle(engine.tick(now: now), now: now)
    }

    private func reload(_ configuration: DaemonConfiguration) {
        do {
            try engine.reload(configuration)
            self.configuration = configuration
            limiter.interval = configuration.logging.repeatedErrorInterval.totalSeconds
            counters.reloads += 1
            logger.info(
                "configuration reloaded",
                metadata: ["publish.topic": "\(configuration.publish.topic)", "rules": "\(configuration.rules.count)"])
        } catch {
            counters.reloadFailures += 1
            logger.warning("configuration reload refused by the engine", metadata: ["error": "\(error)"])
        }
    }

    /// Hands `publications` to the MQTT client; a refused one is counted and logged (rate-limited) as `failure`.
    private func publish(_ publications: [Publication], now: Double, failure: Logger.Message) {
        for publication in publications {
            do {
                try client.publish(
                    topic: publication.topic, payload: publication.payload, qos: publication.qos,
                    retain: publication.retain)
            } catch {
                counters.publishFailures += 1
                logLimited(
                    key: "publish", now: now, failure, ["mqtt.topic": "\(publication.topic)", "error": "\(error)"])
            }
        }
    }

    private func handle(_ output: EngineOutput, now: Double) {
        let published = clock.now
        publish(output.publications, now: now, failure: "forecast not published")
        if homeAssistantEnabled, !output.forecasts.isEmpty {
            publish(
                homeAssistant.issued(output.forecasts, now: now), now: now,
                failure: "forecast attributes not published")
        }
        counters.publishSeconds += published.duration(to: clock.now).totalSeconds
        guard !output.writes.isEmpty else { return }
        for case .reject(let reject) in output.writes {
            let reason = reject.reason.prefix { $0 != ":" }
            logLimited(
                key: "reject|\(reason)|\(reject.topic)", now: now, "message rejected",
                ["reject.reason": "\(reason)", "mqtt.topic": "\(reject.topic)", "reject.detail": "\(reject.reason)"])
        }
        queue(output.writes, now: now)
    }

    /// Hands `writes` to the store writer, waiting as long as it takes: nothing is dropped because storage is slow
    /// or failing. The wait holds this thread, which fills the mailbox, which stalls MQTT intake, so the broker
    /// queues for us. Meanwhile the watchdog is still pinged (the engine is waiting on purpose, not hung) and the
    /// health report says why intake stopped. Only a stop request while storage is stalled gives the rows up, with
    /// an error line; their messages stay in the inbox, which is then not trimmed, and are replayed at next start.
    private func queue(_ writes: [WriteItem], now: Double) {
        let started = clock.now
        defer { counters.storeSeconds += started.duration(to: clock.now).totalSeconds }
        var result = writer.enqueue(writes, overflow: .block(timeout: .seconds(1)))
        guard result == .queueFull else { return refused(writes, result) }
        counters.storageStalls += 1
        let stalled = writer.counters
        logger.warning(
            "intake stalled: storage is not keeping up; waiting, nothing is dropped",
            metadata: [
                "storage.pending_rows": "\(stalled.pendingRows)",
                "storage.reason": "\(stalled.lastError.map { "\($0)" } ?? "the writer is behind")",
            ])
        let since = Self.wallClock()
        stalledSince = since
        while result == .queueFull {
            housekeeping(now: Self.wallClock())
            // A stop request ends the wait after one more attempt.
            let stopping = mailbox.stopRequested
            result = writer.enqueue(writes, overflow: .block(timeout: .seconds(1)))
            if stopping { break }
        }
        let seconds = Self.wallClock() - since
        stalledSince = nil
        if result == .accepted {
            logger.info("intake resumed: storage caught up", metadata: ["storage.stall_s": "\(seconds)"])
        } else {
            refused(writes, result)
        }
    }

    /// Rows the writer did not take (it is closed, or stayed stalled through a stop request).
    private func refused(_ writes: [WriteItem], _ result: EnqueueResult) {
        guard result != .accepted else { return }
        let rows = writes.reduce(0) { $0 + $1.rowCount }
        counters.writesRefused += rows
        // The inbox keeps their messages only as long as it is not trimmed past them.
        inboxTrimmingStopped = true
        logger.error(
            "rows not stored; their messages stay in the inbox and are replayed at the next start",
            metadata: [
                "storage.rows": "\(rows)", "storage.result": "\(result)",
                "storage.error": "\(writer.counters.lastError.map { "\($0)" } ?? "none")",
            ])
    }

    private func logLimited(key: String, now: Double, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        switch limiter.record(key, now: now) {
        case .suppress:
            counters.suppressedLogLines += 1
        case .log(let suppressed):
            var metadata = metadata
            if suppressed > 0 { metadata["log.suppressed"] = "\(suppressed)" }
            logger.warning(message, metadata: metadata)
        }
    }

    /// Whether `topic` is Home Assistant's birth topic; if so the message went to discovery, not to the engine.
    private func handledBirthMessage(_ topic: String, _ payload: [UInt8]) -> Bool {
        guard homeAssistantEnabled, topic == homeAssistant.birthTopic else { return false }
        let queued = homeAssistant.birthMessage(payload)
        logger.info(
            "home assistant birth message",
            metadata: [
                "homeassistant.payload": "\(String(decoding: payload.prefix(64), as: UTF8.self))",
                "homeassistant.configs_queued": "\(queued)",
            ])
        return true
    }

    /// Most configs handed to the MQTT client per turn, so a birth message over 10 000 streams is spread over turns.
    static let homeAssistantConfigsPerTurn = 500

    /// Publishes queued discovery configs and removals while the client's outgoing queue is less than half full,
    /// leaving the rest of it to forecasts; a refused one stays queued for the next turn. Sweeps idle entities
    /// once a minute, or every half `remove_after` when that is shorter.
    private func publishHomeAssistant(now: Double) {
        guard homeAssistantEnabled else { return }
        if now - lastHomeAssistantSweep >= homeAssistantSweepInterval {
            lastHomeAssistantSweep = now
            let removed = homeAssistant.sweep(now: now)
            if !removed.isEmpty {
                logger.info(
                    "home assistant entities removed: no forecast for homeassistant.remove_after",
                    metadata: [
                        "homeassistant.removed": "\(removed.count)",
                        "stream.id": "\(removed[0])\(removed.count > 1 ? " …" : "")",
                    ])
            }
        }
        guard homeAssistant.pendingCount > 0 else { return }
        let room = client.configuration.outgoingQueueCapacity / 2 - client.pendingPublishes
        let limit = min(room, Self.homeAssistantConfigsPerTurn)
        guard limit > 0 else { return }
        let client = client
        let published = homeAssistant.drain(limit: limit) { publication in
            try client.publish(
                topic: publication.topic, payload: publication.payload, qos: publication.qos,
                retain: publication.retain)
        }
        homeAssistantConfigsSinceLog += published
        if homeAssistant.pendingCount == 0, homeAssistantConfigsSinceLog > 0 {
            logger.info(
                "home assistant discovery published",
                metadata: [
                    "homeassistant.messages": "\(homeAssistantConfigsSinceLog)",
                    "homeassistant.entities": "\(homeAssistant.counters.entities)",
                ])
            homeAssistantConfigsSinceLog = 0
        }
    }

    private func housekeeping(now: Double) {
        publishHomeAssistant(now: now)
        if let trimmer, let watermark = inboxWatermark, !inboxTrimmingStopped,
            now - lastTrim >= timing.inboxTrimInterval.totalSeconds
        {
            lastTrim = now
            trimmer.trim(through: watermark)
        }
        if heapTrimmer.isAvailable, now - lastHeapTrim >= timing.heapTrimInterval.totalSeconds {
            lastHeapTrim = now
            let started = clock.now
            heapTrimmer.trim()
            counters.heapTrims += 1
            counters.heapTrimSeconds += started.duration(to: clock.now).totalSeconds
        }
        if let interval = notifier.watchdogPingInterval, now - lastWatchdog >= interval.totalSeconds {
            lastWatchdog = now
            try? notifier.watchdog()
        }
        let healthInterval = configuration.publish.healthInterval.totalSeconds
        if healthInterval > 0, now - lastHealth >= healthInterval {
            publishHealth(now: now, elapsed: now - lastHealth)
            lastHealth = now
        }
        if let snapshots, now - lastSnapshot >= timing.snapshotInterval.totalSeconds {
            lastSnapshot = now
            snapshots.publish(
                DaemonSnapshot(
                    health: healthReport(now: now, elapsed: now - lastHealth), takenAt: now, mqttState: client.state,
                    mailboxDepth: mailbox.depth, mailboxCapacity: mailbox.capacity))
        }
    }

    /// The health report now; rates are over `elapsed` seconds since the last report.
    func healthReport(now: Double, elapsed: Double) -> HealthReport {
        let current = engine.counters
        let seconds = max(elapsed, 1e-9)
        let rates = HealthReport.Rates(
            messages: Double(current.messages - healthBaseline.messages) / seconds,
            observations: Double(current.observations - healthBaseline.observations) / seconds,
            forecasts: Double(
                current.forecastsBARNN + current.forecastsFallback - healthBaseline.forecastsBARNN
                    - healthBaseline.forecastsFallback) / seconds)
        var runtime = counters
        runtime.homeAssistant = homeAssistantEnabled ? homeAssistant.counters : nil
        if let trimmer {
            runtime.inboxTrims = trimmer.trims
            runtime.inboxFailures += trimmer.failures
        }
        return HealthReport(
            time: UTCTimestamp.format(now), uptimeSeconds: now - startedAt, streams: current.streamsActive,
            rates: rates, engine: current, mqtt: client.counters.report, writer: writer.counters.report,
            runtime: runtime, models: engine.modelSummaries.map(HealthReport.Model.init),
            stall: currentStall(now: now))
    }

    /// Why intake is stalled now, if it is: the store writer cannot keep up, or the inbox cannot be written.
    private func currentStall(now: Double) -> HealthReport.Stall? {
        if let since = stalledSince {
            let reason = writer.counters.lastError.map { "\($0)" } ?? "the writer is behind"
            return HealthReport.Stall(by: "storage", seconds: now - since, reason: reason)
        }
        if let inbox, let failure = inbox.failure {
            return HealthReport.Stall(by: "inbox", seconds: now - failure.since, reason: failure.reason)
        }
        return nil
    }

    private func publishHealth(now: Double, elapsed: Double) {
        let report = healthReport(now: now, elapsed: elapsed)
        healthBaseline = report.engine
        do {
            try client.publish(
                topic: configuration.healthTopic, payload: report.json(), qos: .atLeastOnce, retain: true)
        } catch {
            counters.publishFailures += 1
        }
        try? notifier.status(report.statusLine)
        logger.info(
            "health",
            metadata: [
                "engine.streams": "\(report.streams)", "rate.messages": "\(report.rates.messages)",
                "rate.forecasts": "\(report.rates.forecasts)", "mqtt.state": "\(client.state)",
                "storage.queued_rows": "\(report.writer["queued_rows"] ?? 0)",
            ])
    }

    /// Unix seconds now.
    static func wallClock() -> Double { Date().timeIntervalSince1970 }
}
