import ArgumentParser
import Inspection

/// `barnnd streams`: every stream with its model, rolling scores and drift state.
struct Streams: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every stream: last seen, observations, model, rolling coverage and CRPS, drift state.",
        discussion: """
            Coverage and CRPS come from the stream's latest drift window; COVER shows the nominal level nearest \
            90% as LEVEL:EMPIRICAL. DRIFT is alarm, ok, or - before the first window.

            --format csv: stream,first_seen,last_seen,observations,model,model_version,coverage_level,coverage,\
            crps,mae,window_n,window_end,drift.
            --format json: {"streams":[{"stream","first_seen","last_seen","observations","model","model_version",\
            "drift","window":{"end","n","crps","mae","coverage":{"<level>":value},"alarm"}|null}]}.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "table, csv or json (default: table).", transform: parseFormat)
    var format: OutputFormat = .table

    @Option(
        help: "name, last-seen, observations, crps (worst first), coverage (furthest from nominal first), drift.",
        transform: { text in
            guard let sort = StreamsReport.Sort(rawValue: text) else {
                let names = StreamsReport.Sort.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown sort '\(text)'; use \(names)")
            }
            return sort
        })
    var sort: StreamsReport.Sort = .name

    func run() async throws {
        let context = InspectionContext(global: global)
        try await context.run {
            try StreamsReport.read(from: try context.openStore(), sort: sort).rendered(format)
        }
    }
}
