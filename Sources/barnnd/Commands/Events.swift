import ArgumentParser
import Inspection
import Storage

/// `barnnd events`: trainings, activations, drift alarms, evictions.
struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List events (trainings, activations, drift alarms, evictions), newest first.",
        discussion: """
            --format csv: time,kind,model,stream,detail.
            --format json: {"events":[{"time","kind","model","stream","detail"}]} (detail as the JSON text stored).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only events of this kind.")
    var kind: EventKind?

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
