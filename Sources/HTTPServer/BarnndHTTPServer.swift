public import Configuration
import Daemon
import Foundation
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle
import Storage
import Synchronization
public import Telemetry

/// The embedded HTTP server of `barnnd run` (`[http]`): `/metrics` for Prometheus, `/healthz`, and the routes of
/// every ``HTTPRouteProvider`` (the web view), optionally behind basic authentication.
///
/// It runs on SwiftNIO's event loops beside the engine and never blocks it: handlers read the engine's published
/// ``HTTPResources/snapshots`` and the read-only Store, never engine state.
public final class BarnndHTTPServer: Sendable {
    /// Where the server listens once started.
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        /// The host it bound.
        public var host: String
        /// The port it bound (the one the system chose when 0 was asked).
        public var port: Int

        /// `HOST:PORT`, with brackets around an IPv6 host.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// How long `/healthz` accepts the engine's snapshot as current; an older one means the engine thread is stuck.
    public static let snapshotStaleAfter = 60.0
    /// How long the per-stream quality read from the Store is reused between scrapes.
    static let streamQualityCacheSeconds = 5.0

    private let host: String
    private let port: Int
    private let credentials: (username: String, password: String)?
    private let routeProviders: [any HTTPRouteProvider]
    private let logger: Logger
    private let running = Mutex<(task: Task<Void, Never>, group: ServiceGroup)?>(nil)
    private let streamQuality = Mutex<(at: Double, records: [DriftRecord])?>(nil)
    /// What handlers read.
    public let resources: HTTPResources
    /// The exporter behind `/metrics`.
    public let metrics: DaemonMetrics

    /// A server for validated `settings`; `routes` add pages besides `/metrics` and `/healthz`.
    ///
    /// - Throws: ``HTTPServerError`` when `settings` disable the server, their address is not `HOST:PORT`, or the
    ///   password file cannot be read.
    public init(
        settings: DaemonConfiguration.HTTPSettings, resources: HTTPResources, metrics: DaemonMetrics,
        routes: [any HTTPRouteProvider] = [], logger: Logger
    ) throws(HTTPServerError) {
        guard let address = settings.listenAddress else {
            throw HTTPServerError("http.listen \"\(settings.listen)\" is not HOST:PORT")
        }
        host = address.host
        port = address.port
        if let username = settings.username {
            guard let file = settings.passwordFile, let password = HTTPCredentials.password(fromFileAt: file),
                !password.isEmpty
            else {
                throw HTTPServerError(
                    "cannot read a password from http.password_file \"\(settings.passwordFile ?? "")\"")
            }
            credentials = (username, password)
        } else {
            credentials = nil
        }
        self.resources = resources
        self.metrics = metrics
        self.routeProviders = routes
        self.logger = logger
    }

    /// Binds the address and starts serving; returns once the server listens.
    ///
    /// - Throws: ``HTTPServerError`` when the address cannot be bound (in use, not local, no permission).
    @discardableResult
    public func start() async throws(HTTPServerError) -> Address {
        let router = makeRouter()
        let (bound, boundContinuation) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        var serverLogger = logger
        // Hummingbird's own start and stop lines repeat ours; its warnings and errors still show.
        serverLogger.logLevel = max(logger.logLevel, .warning)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "barnnd"),
            onServerRunning: { channel in boundContinuation.yield(.success(channel.localAddress?.port ?? 0)) },
            logger: serverLogger)
        // No signals: the daemon's stop sequence decides when the server stops (``stop()``).
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: serverLogger))
        let listening = Atomic<Bool>(false)
        let task = Task { [logger] in
            do {
                try await group.run()
            } catch {
                // Before listening, start() reports the error; afterwards nobody waits for it, so say it here.
                if listening.load(ordering: .acquiring) {
                    logger.error(
                        "http server failed; /metrics and the web view are down", metadata: ["error": "\(error)"])
                }
                boundContinuation.yield(.failure(error))
            }
            boundContinuation.finish()
        }
        running.withLock { $0 = (task, group) }
        var iterator = bound.makeAsyncIterator()
        switch await iterator.next() {
        case .success(let actualPort):
            listening.store(true, ordering: .releasing)
            let address = Address(host: host, port: actualPort)
            logger.info(
                "http server listening",
                metadata: [
                    "http.address": "\(address)", "http.metrics": "http://\(address)/metrics",
                    "http.auth": "\(credentials == nil ? "none" : "basic")",
                ])
            return address
        case .failure(let error):
            await task.value
            running.withLock { $0 = nil }
            throw HTTPServerError("cannot listen on \(Address(host: host, port: port)): \(error)")
        case nil:
            running.withLock { $0 = nil }
            throw HTTPServerError("cannot listen on \(Address(host: host, port: port)): the server stopped at once")
        }
    }

    /// Stops taking connections, lets requests in progress finish, and closes the read-only Store; returns when
    /// done.
    public func stop() async {
        guard let (task, group) = running.withLock({ $0.take() }) else { return }
        await group.triggerGracefulShutdown()
        await task.value
        resources.close()
        logger.info("http server stopped")
    }

    private func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        if let credentials {
            router.add(
                middleware: BasicAuthentication<BasicRequestContext>(
                    username: credentials.username, password: credentials.password,
                    refused: { [metrics] in metrics.countUnauthorized() }))
        }
        router.get("/metrics") { _, _ in self.metricsResponse() }
        router.get("/healthz") { _, _ in self.healthResponse() }
        for provider in routeProviders { provider.addRoutes(to: router, resources: resources) }
        return router
    }

    private func metricsResponse() -> Response {
        let now = Date().timeIntervalSince1970
        metrics.update(from: resources.snapshots.snapshot, streams: latestStreamQuality(now: now), now: now)
        return Response(
            status: .ok, headers: [.contentType: DaemonMetrics.contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }

    /// The per-stream drift windows for `/metrics`, from the Store at most every few seconds: a scrape of 10 000
    /// streams then costs one indexed query, not one per scrape and per Prometheus server.
    private func latestStreamQuality(now: Double) -> [DriftRecord] {
        guard metrics.streamLimit > 0 else { return [] }
        if let cached = streamQuality.withLock({ $0 }), now - cached.at < Self.streamQualityCacheSeconds {
            return cached.records
        }
        let records: [DriftRecord]
        do {
            let store = try resources.store()
            records = try store.latestDrift(limit: metrics.streamLimit)
        } catch {
            metrics.countStoreReadFailure()
            logger.warning("per-stream metrics not read from the database", metadata: ["error": "\(error)"])
            records = streamQuality.withLock { $0?.records } ?? []
        }
        streamQuality.withLock { $0 = (now, records) }
        return records
    }

    private func healthResponse() -> Response {
        let now = Date().timeIntervalSince1970
        let body: String
        let status: HTTPResponse.Status
        if let snapshot = resources.snapshots.snapshot {
            let age = max(0, now - snapshot.takenAt)
            let fresh = age <= Self.snapshotStaleAfter
            status = fresh ? .ok : .serviceUnavailable
            body = """
                {"status":"\(fresh ? "running" : "stalled")","uptime_s":\(Int(snapshot.health.uptimeSeconds)),\
                "snapshot_age_s":\(Int(age)),"streams":\(snapshot.health.streams),\
                "mqtt_connected":\(snapshot.mqttConnected),"intake_stalled":\(snapshot.health.stall != nil)}
                """
        } else {
            status = .serviceUnavailable
            body = #"{"status":"starting"}"#
        }
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body + "\n")))
    }
}

/// Why the HTTP server cannot start.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in one line.
    public var description: String

    init(_ description: String) { self.description = description }
}
