import ArgumentParser
import Inspection

/// `barnnd events`: retrain runs, promotions, alarms and evictions.
struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List events (retrain runs, promotions, drift alarms, evictions), newest first.",
        discussion: """
            --format csv: time,kind,model,stream,detail.
            --format json: {"events":[{"time","kind","model","stream","detail"}]} (detail as the JSON text stored).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only events of this kind, e.g. promotion, drift_alarm, eviction.")
    var kind: String?

    @Option(help: "Start of the window (ISO-8601, today, yesterday, -2h…).")
    var since = "-7d"

    @Option(help: "End of the window.")
    var until = "now"

    @Option(help: "At most this many events.")
    var limit = 100

    @Option(help: "table, csv or json (default: table).", transform: parseFormat)
    var format: OutputFormat = .table

    func run() async throws {
        let context = InspectionContext(global: global)
        try await context.run {
            let from = try context.time(since, option: "--since")
            let to = try context.time(until, option: "--until")
            return try EventsReport.read(
                from: try context.openStore(), fromUs: from, toUs: to, kind: kind, limit: max(1, limit)
            ).rendered(format)
        }
    }
}
