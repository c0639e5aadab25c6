public import BARNN
public import Configuration
import Dispatch
import Engine
import Foundation
public import Logging
import MQTT
import Storage
import Synchronization

/// `barnnd run`: wires the Store, the durable inbox, the MQTT client and the engine thread together, and handles
/// signals until an orderly stop.
///
/// ## Threads
/// libmosquitto's thread appends each message to the ``DurableInbox`` and queues it; an async task moves messages
/// into the ``EngineMailbox``; the engine thread (``EngineLoop``) owns the ``ForecastEngine`` and publishes and
/// queues rows; the store writer thread commits them. Signals arrive on a dispatch queue (SIGTERM and SIGINT from
/// the host's handler instead when it has one, ``Options/hostStopSignals``) and become events of ``run()``.
///
/// ## Signals
/// - SIGTERM, SIGINT: stop taking messages, let the engine handle what it was handed and save every stream's state,
///   flush and close the writer, trim the inbox, publish the retained `offline` status, disconnect, return.
/// - SIGHUP: reread the configuration file; an invalid file is logged and the old configuration kept; a valid one
///   goes to the engine (rules, publish settings, limits; states and models kept). `[mqtt]` changes and new rule
///   filters need a restart (the client subscribes only at connect) and are logged as such.
public final class DaemonRunner: Sendable {
    /// How the runner is set up besides the configuration.
    public struct Options: Sendable {
        /// The file SIGHUP rereads; `nil` makes SIGHUP a logged no-op.
        public var configurationPath: String?
        /// Overrides applied to every (re)loaded file.
        public var overrides = ConfigurationOverrides()
        /// The process environment (`NOTIFY_SOCKET`, `WATCHDOG_USEC`).
        public var environment: [String: String] = [:]
        /// Longest wait of the engine thread for messages before it ticks anyway. The default is 100 ms.
        public var tickInterval: Duration = .milliseconds(100)
        /// How often the inbox is trimmed to what the Store has committed. The default is 2 s.
        public var inboxTrimInterval: Duration = .seconds(2)
        /// Messages the mailbox to the engine thread holds before MQTT intake waits. The default is 8192.
        public var mailboxCapacity = 8192
        /// How long start-up waits for the broker before going on without it (it keeps retrying). The default
        /// is 10 s.
        public var connectTimeout: Duration = .seconds(10)
        /// Whether received messages go through the durable inbox. The default is `true`.
        public var durableInbox = true
        /// Blocks until the host catches SIGTERM or SIGINT and returns it (`nil`: it never will). Given, it replaces the
        /// runner's own sources for those two signals: `barnnd run` catches them from its first instruction with a
        /// handler that stays, so no signal falls between two mechanisms. It is called on a thread of its own, which
        /// may stay blocked after ``run()`` returns.
        public var hostStopSignals: (@Sendable () -> Int32?)?
        /// Options of first trainings.
        public var training: TrainingOptions = ForecastEngine.defaultTrainingOptions
        /// barnnd's version, which Home Assistant shows for the device. The default is `unknown`.
        public var softwareVersion = "unknown"
        /// Where the engine thread publishes a ``DaemonSnapshot`` every ``snapshotInterval`` (and each tick's
        /// duration) for readers on other threads, such as the HTTP server; `nil` publishes none.
        public var snapshots: DaemonSnapshotBox?
        /// How often a snapshot is published into ``snapshots``. The default is 1 s.
        public var snapshotInterval: Duration = .seconds(1)
        /// How often the engine thread hands freed heap pages back to the system. The default is 10 s.
        public var heapTrimInterval: Duration = .seconds(10)

        /// Defaults for everything.
        public init(configurationPath: String? = nil) { self.configurationPath = configurationPath }
    }

    private enum SignalEvent: Sendable {
        case terminate(Int32)
        case reload
    }

    private enum EnginePhase: Sendable {
        case started
        case failed(String)
        case finished(RuntimeCounters, watermark: Int64?)
    }

    private let configuration: DaemonConfiguration
    private let options: Options
    private let logger: Logger
    /// Where ``requestStop()`` delivers its stop while ``run()`` runs.
    private let stopRequests = Mutex<AsyncStream<SignalEvent>.Continuation?>(nil)
    /// Whether a stop arrived, and how to end start-up's wait for the broker if one does: the stop itself is
    /// handled once start-up is done, but it must not wait out the connect timeout first.
    private let startUpStop = Mutex(StartUpStop())

    private struct StartUpStop: Sendable {
        var seen = false
        var endWait: (@Sendable () -> Void)?
    }

    /// A runner for a validated `configuration`.
    public init(configuration: DaemonConfiguration, options: Options, logger: Logger) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
    }

    /// The inbox file for a database at `databasePath`: `NAME.inbox.sqlite` beside it.
    public static func inboxPath(forDatabase databasePath: String) -> String {
        let url = URL(fileURLWithPath: databasePath)
        let base = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(base + ".inbox.sqlite").path
    }

    /// Stops a running ``run()`` as SIGTERM does (drain, save, flush, `offline`), for hosts that embed the daemon;
    /// does nothing when it is not running.
    public func requestStop() {
        let running = stopRequests.withLock { continuation in
            continuation?.yield(.terminate(SIGTERM))
            return continuation != nil
        }
        if running { noteStop() }
    }

    /// Records that a stop arrived and ends a wait for the broker in progress.
    private func noteStop() {
        let endWait = startUpStop.withLock { state in
            state.seen = true
            return state.endWait
        }
        endWait?()
    }

    /// Runs the daemon; returns after an orderly stop on SIGTERM or SIGINT.
    ///
    /// - Throws: ``RuntimeError`` when start-up fails (the Store or the inbox cannot be opened, the engine cannot
    ///   restore, the broker refuses our credentials or TLS).
    public func run() async throws(RuntimeError) {
        let (signals, sources) = installSignalHandlers()
        defer {
            sources.forEach { $0.cancel() }
            stopRequests.withLock { $0 = nil }
        }
        let notifier = SystemdNotifier(environment: options.environment)

        let store: Store
        do {
            store = try Store(
                path: configuration.storage.path,
                configuration: StoreConfiguration(writerCacheKiB: configuration.storage.cacheMiB * 1024), logger: logger
            )
        } catch {
            throw RuntimeError(.storage, "cannot open the database: \(error)")
        }
        let inbox: DurableInbox?
        let replay: [DurableInbox.Entry]
        do {
            inbox = options.durableInbox ? try DurableInbox(path: Self.inboxPath(forDatabase: store.path)) : nil
            replay = try inbox?.pending() ?? []
        } catch {
            try? store.close()
            throw RuntimeError(.inbox, "\(error)")
        }
        let writer = store.makeWriter(
            configuration: WriterConfiguration(
                batchRows: configuration.storage.batchRows, maxDelay: configuration.storage.batchInterval,
                maximumPendingRows: configuration.storage.maxPendingRows))
        var mqttConfiguration: MQTTConfiguration
        do {
            mqttConfiguration = try configuration.mqttClientConfiguration()
        } catch {
            await writer.close()
            try? store.close()
            throw RuntimeError(.mqtt, "\(error)")
        }
        if let inbox {
            mqttConfiguration.beforeAcknowledge = { message in try inbox.append(message) }
        }
        let client: MosquittoClient
        do {
            client = try MosquittoClient(configuration: mqttConfiguration, logger: logger)
        } catch {
            await writer.close()
            try? store.close()
            throw RuntimeError(.mqtt, "\(error)")
        }

        let mailbox = EngineMailbox(capacity: options.mailboxCapacity)
        let phases = startEngineThread(
            replay: replay, mailbox: mailbox, client: client, store: store, writer: writer, inbox: inbox,
            notifier: notifier)
        var phaseIterator = phases.makeAsyncIterator()
        if case .failed(let reason) = await phaseIterator.next() {
            await writer.close()
            try? store.close()
            throw RuntimeError(.engine, reason)
        }

        client.start()
        let pump = Task {
            for await message in client.messages { await mailbox.push(message) }
        }
        let connecting = Task { try await client.waitUntilConnected(timeout: options.connectTimeout) }
        let stoppedAlready = startUpStop.withLock { state in
            state.endWait = { connecting.cancel() }
            return state.seen
        }
        if stoppedAlready { connecting.cancel() }
        defer { startUpStop.withLock { $0.endWait = nil } }
        do {
            try await connecting.value
        } catch is CancellationError {
            logger.info("stop requested while waiting for the broker")
        } catch let error as MQTTError where error.code == .timedOut {
            logger.warning(
                "broker not reachable yet; retrying in the background",
                metadata: ["mqtt.broker": "\(mqttConfiguration.host):\(mqttConfiguration.port)", "error": "\(error)"])
        } catch {
            pump.cancel()
            mailbox.send(.stop)
            _ = await phaseIterator.next()
            await writer.close()
            await client.close()
            try? store.close()
            throw RuntimeError(.mqtt, "\(error)")
        }
        try? notifier.ready(status: "running: \(configuration.rules.count) rules")
        logger.info(
            "barnnd running",
            metadata: [
                "mqtt.broker": "\(mqttConfiguration.host):\(mqttConfiguration.port)",
                "storage.path": "\(store.path)", "inbox.replayed": "\(replay.count)",
                "blas.core": "\(BLASCore.summary)",
            ])

        var current = configuration
        for await event in signals {
            if case .terminate(let signal) = event {
                logger.info("stopping", metadata: ["signal": "\(signal)"])
                break
            }
            current = reloaded(current, mailbox: mailbox, notifier: notifier)
        }

        try? notifier.stopping()
        // Stop intake first: what is left in the MQTT queue is already in the inbox and is replayed at next start.
        pump.cancel()
        mailbox.send(.stop)
        var watermark: Int64?
        while let phase = await phaseIterator.next() {
            if case .finished(let counters, let last) = phase {
                watermark = last
                logger.info("engine finished", metadata: ["runtime.ticks": "\(counters.ticks)"])
            }
        }
        await writer.close()
        let written = writer.counters
        if let inbox, let watermark, written.rowsDropped == 0 {
            do { try inbox.remove(through: watermark) } catch {
                logger.warning("inbox not trimmed at shutdown", metadata: ["error": "\(error)"])
            }
        }
        // Only forecasts and the offline status can still be in flight (every input is stored or in the inbox), and a
        // lost forecast is superseded by the next one: waiting longer for their acknowledgements only delays the stop.
        await client.close(timeout: .seconds(2))
        do { try store.close() } catch {
            logger.warning("database not closed cleanly", metadata: ["error": "\(error)"])
        }
        logger.info(
            "barnnd stopped",
            metadata: [
                "storage.observations": "\(written.observationsWritten)",
                "storage.rows_dropped": "\(written.rowsDropped)",
            ])
    }

    /// Rereads the configuration file; returns the configuration in force afterwards.
    private func reloaded(
        _ current: DaemonConfiguration, mailbox: EngineMailbox, notifier: SystemdNotifier
    ) -> DaemonConfiguration {
        guard let path = options.configurationPath else {
            logger.warning("SIGHUP ignored: no configuration file to reread")
            return current
        }
        try? notifier.reloading()
        defer { try? notifier.ready() }
        let next: DaemonConfiguration
        do {
            next = try DaemonConfiguration.load(contentsOf: path).applying(options.overrides).validated()
        } catch {
            logger.warning(
                "configuration reload refused; keeping the running configuration",
                metadata: ["config.path": "\(path)", "config.problems": "\(error.formatted(file: path))"])
            return current
        }
        if next.mqtt != current.mqtt || Set(next.rules.map(\.topic)) != Set(current.rules.map(\.topic))
            || next.storage != current.storage || next.homeAssistant != current.homeAssistant
            || next.http != current.http
        {
            logger.warning(
                "[mqtt], [storage], [homeassistant], [http] and new rule topic filters take effect at restart")
        }
        mailbox.send(.reload(next))
        return next
    }

    private func installSignalHandlers() -> (AsyncStream<SignalEvent>, [any DispatchSourceSignal]) {
        let (stream, continuation) = AsyncStream.makeStream(of: SignalEvent.self)
        startUpStop.withLock { $0 = StartUpStop() }
        stopRequests.withLock { $0 = continuation }
        let queue = DispatchQueue(label: "barnnd.signals")
        var sources: [any DispatchSourceSignal] = []
        var handled: [(Int32, SignalEvent)] = [(SIGHUP, .reload)]
        if let hostStopSignals = options.hostStopSignals {
            let thread = Thread {
                while let signal = hostStopSignals() {
                    continuation.yield(.terminate(signal))
                    self.noteStop()
                }
            }
            thread.name = "barnnd.stop-signals"
            thread.start()
        } else {
            handled += [(SIGTERM, .terminate(SIGTERM)), (SIGINT, .terminate(SIGINT))]
        }
        for (number, event) in handled {
            // The default action would kill the process before the dispatch source sees the signal.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                continuation.yield(event)
                if case .terminate = event { self.noteStop() }
            }
            source.resume()
            sources.append(source)
        }
        return (stream, sources)
    }

    private func startEngineThread(
        replay: [DurableInbox.Entry], mailbox: EngineMailbox, client: MosquittoClient, store: Store,
        writer: StoreWriter, inbox: DurableInbox?, notifier: SystemdNotifier
    ) -> AsyncStream<EnginePhase> {
        let (phases, continuation) = AsyncStream.makeStream(of: EnginePhase.self)
        let configuration = configuration
        let options = options
        let logger = logger
        let thread = Thread {
            let now = EngineLoop.wallClock()
            let engine: ForecastEngine
            do {
                engine = try ForecastEngine(
                    configuration: configuration, store: store, logger: logger, now: now, training: options.training)
            } catch {
                continuation.yield(.failed("the engine could not start: \(error)"))
                continuation.finish()
                return
            }
            continuation.yield(.started)
            let trimmer = inbox.map { InboxTrimmer(inbox: $0, writer: writer, logger: logger) }
            let loop = EngineLoop(
                engine: engine, configuration: configuration, replay: replay, mailbox: mailbox, client: client,
                writer: writer, inbox: inbox, trimmer: trimmer, notifier: notifier, snapshots: options.snapshots,
                logger: logger,
                timing: .init(
                    tickInterval: options.tickInterval, inboxTrimInterval: options.inboxTrimInterval,
                    snapshotInterval: options.snapshotInterval, heapTrimInterval: options.heapTrimInterval),
                now: now, softwareVersion: options.softwareVersion)
            loop.run()
            // Rows given up mean the inbox must keep everything for the next start.
            let watermark = loop.inboxTrimmingStopped ? nil : loop.inboxWatermark
            continuation.yield(.finished(loop.counters, watermark: watermark))
            continuation.finish()
        }
        thread.name = "barnnd.engine"
        // BLAS and the engine's batches want a deep stack.
        thread.stackSize = 8 << 20
        thread.start()
        return phases
    }
}
