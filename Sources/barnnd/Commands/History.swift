import ArgumentParser
import Inspection

/// `barnnd history STREAM`: observations beside the forecasts issued for them, with a quality summary.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a stream's observations beside the forecasts issued for them, with MAE, CRPS and coverage.",
        discussion: """
            Each row is one time: the observed value and the forecast issued STEP steps earlier (mean, median and \
            the bounds of the widest of the 90/80/50% intervals that is stored). The summary scores the rows that \
            have both: n, MAE of the median, mean CRPS from the stored quantiles, and the empirical coverage of \
            every central interval the stored levels allow.

            Times: ISO-8601 (2026-05-01T12:00:00Z, 2026-05-01), now, today, yesterday (midnight UTC), or offsets \
            such as -2h, -30m, -7d, '2h ago'. Write offsets with '=' (--since=-2h) so they are not read as options. \
            BARNND_NOW (ISO-8601) fixes "now" for reproducible output.

            --format csv: t,observed,issued_at,mean,median,lower_50,upper_50,lower_80,upper_80,lower_90,upper_90 \
            (empty cells where absent; no summary).
            --format json: {"stream","step","since","until","points":[{"t","observed","issued_at","mean","median",\
            "quantiles":{"<level>":value}}],"summary":{"n","observed","mae","crps","coverage":{"<coverage>":value}}} \
            with null for what is absent; keys keep this order.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The stream id, e.g. lab/t1.")
    var stream: String

    @OptionGroup var window: WindowOptions

    @Option(help: "Show forecasts issued this many steps before each time (1 = next-step forecasts).")
    var step = 1

    @Option(help: "table, csv or json (default: table).", transform: parseFormat)
    var format: OutputFormat = .table

    func validate() throws {
        guard step >= 1 else { throw ValidationError("--step must be at least 1") }
    }

    func run() async throws {
        let context = InspectionContext(global: global)
        try await context.run {
            let store = try context.openStore()
            let range = try context.window(window, store: store, stream: stream)
            let from = range.lowerBound, to = range.upperBound
            return try HistoryReport.read(from: store, stream: stream, step: step, fromUs: from, toUs: to)
                .rendered(format)
        }
    }
}
