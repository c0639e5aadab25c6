import ArgumentParser
import Configuration
import Inspection

/// `barnnd status`: the database summary and the daemon's retained status from the broker.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise the database and, if the broker answers, the daemon's retained status and health.",
        discussion: """
            The broker part reads the retained messages on mqtt.status_topic and <status topic>/health with a \
            short-lived clean-session client; an unreachable broker is reported in one line and the database part \
            is still shown. Without a readable configuration file the broker is not contacted (one line says so);\
            --no-broker skips it.

            --format json: {"database":{"path","streams","observations","forecasts","events","rejects",\
            "latest_observation","streams_in_alarm":[]},"models":[{"model","version","kind","created_at"}],\
            "recent_events":[{"time","kind","model","stream"}],"broker":{"address","topic","reachable","error",\
            "status","health"}|null}; health is the retained payload parsed as JSON (keys sorted), or its text when \
            it is not JSON, or null.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "table or json (default: table).", transform: parseFormat)
    var format: OutputFormat = .table

    @Option(help: "How long to wait for the broker, in seconds.")
    var timeout = 2.0

    @Flag(help: "Do not contact the broker.")
    var noBroker = false

    func validate() throws {
        guard format != .csv else { throw ValidationError("status has no csv form; use table or json") }
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be in (0, 60] seconds") }
    }

    func run() async throws {
        let context = InspectionContext(global: global)
        try await context.run {
            var report = try StatusReport.read(from: try context.openStore())
            if !noBroker {
                do {
                    let configuration = try context.configuration()
                    report.broker = await BrokerStatusProbe.read(
                        configuration.mqtt, timeout: .milliseconds(Int64(timeout * 1000)))
                } catch {
                    report.broker = BrokerStatus(
                        address: "-", topic: "-",
                        failure: "not checked: no readable configuration at \(global.configPath)",
                        status: nil, health: nil)
                }
            }
            return report.rendered(format)
        }
    }
}
