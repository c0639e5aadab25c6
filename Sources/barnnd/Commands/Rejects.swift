import ArgumentParser
import Inspection

/// `barnnd rejects`: messages barnnd could not use.
struct Rejects: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List rejected messages with the reason and a payload excerpt, newest first.",
        discussion: """
            --format csv: time,topic,reason,payload_bytes,excerpt.
            --format json: {"rejects":[{"time","topic","reason","payload_bytes","excerpt"}]}.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Start of the window (ISO-8601, today, yesterday, -2h…).")
    var since = "-24h"

    @Option(help: "End of the window.")
    var until = "now"

    @Option(help: "At most this many rejects.")
    var limit = 100

    @Option(help: "table, csv or json (default: table).", transform: parseFormat)
    var format: OutputFormat = .table

    func run() async throws {
        let context = InspectionContext(global: global)
        try await context.run {
            let from = try context.time(since, option: "--since")
            let to = try context.time(until, option: "--until")
            return try RejectsReport.read(from: try context.openStore(), fromUs: from, toUs: to, limit: max(1, limit))
                .rendered(format)
        }
    }
}
