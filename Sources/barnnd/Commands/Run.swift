import ArgumentParser
import CEarlySignals
import Configuration
import Daemon
import Foundation
import HTTPServer
import Logging
import Telemetry
import WebView

/// `barnnd run`: the daemon.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the forecasting daemon until SIGTERM or SIGINT (SIGHUP rereads the configuration).",
        discussion: """
            Logs go to standard error (journald under systemd). Exit status: 0 after an orderly stop, 64 when the \
            configuration has problems (all of them are listed), 1 when start-up fails (database, broker credentials \
            or TLS).
            """
    )

    @OptionGroup var global: GlobalOptions

    /// Pages served beside `/metrics` and `/healthz` (the web view registers here).
    static let routeProviders: [any HTTPRouteProvider] = [WebViewRoutes()]

    func run() async throws {
        let path = global.configPath
        let configuration: DaemonConfiguration
        do {
            configuration = try global.loadConfiguration()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data((error.formatted(file: path) + "\n").utf8))
            throw ExitCode.validationFailure
        }
        let level = Logger.Level(rawValue: configuration.logging.level.rawValue) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "barnnd")
        var options = DaemonRunner.Options(configurationPath: path)
        options.overrides = try global.overrides()
        options.environment = ProcessInfo.processInfo.environment
        options.softwareVersion = Barnnd.configuration.version
        if barnnd_stop_signals_caught() != 0 {
            options.hostStopSignals = {
                let signal = barnnd_wait_for_stop_signal()
                return signal < 0 ? nil : signal
            }
        }
        var server: BarnndHTTPServer?
        if configuration.http.isEnabled {
            let metrics = DaemonMetrics(streamLimit: configuration.http.streamMetrics)
            let snapshots = DaemonSnapshotBox(tickObserver: { metrics.recordTick($0) })
            options.snapshots = snapshots
            do {
                let started = try BarnndHTTPServer(
                    settings: configuration.http,
                    resources: HTTPResources(
                        snapshots: snapshots, databasePath: configuration.storage.path,
                        logger: Logger(label: "barnnd.http")),
                    metrics: metrics, routes: Self.routeProviders, logger: Logger(label: "barnnd.http"))
                try await started.start()
                server = started
            } catch {
                logger.critical("barnnd cannot run: the http server did not start", metadata: ["error": "\(error)"])
                throw ExitCode.failure
            }
        }
        do {
            try await DaemonRunner(configuration: configuration, options: options, logger: logger).run()
        } catch {
            await server?.stop()
            logger.critical("barnnd cannot run", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        await server?.stop()
    }
}
