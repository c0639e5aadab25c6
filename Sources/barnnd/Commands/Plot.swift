import ArgumentParser
import Foundation
import Inspection
import Storage

/// `barnnd plot STREAM --out FILE`: a fan chart as SVG, or PNG through rsvg-convert.
struct Plot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a fan chart: observations, forecast median and 50/80/90% bands, and the latest horizon.",
        discussion: """
            Blue: the forecasts issued STEP steps before each time (median line, bands); black: observations; \
            orange dashed: the latest forecast's horizon ahead. A band whose quantile levels are not stored \
            (50%: 0.25/0.75, 80%: 0.1/0.9, 90%: 0.05/0.95) is left out and the legend says so.

            FILE ending in .svg is written directly; .png is converted with rsvg-convert (Debian package \
            librsvg2-bin).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The stream id.")
    var stream: String

    @Option(help: "Output file, .svg or .png.")
    var out: String

    @OptionGroup var window: WindowOptions

    @Option(help: "Show forecasts issued this many steps before each time.")
    var step = 1

    @Option(help: "The y axis title, e.g. °C (default: value).")
    var units: String?

    @Option(help: "Width in pixels.")
    var width = 800

    @Option(help: "Height in pixels.")
    var height = 460

    func validate() throws {
        guard step >= 1 else { throw ValidationError("--step must be at least 1") }
        guard (320...8000).contains(width), (240...8000).contains(height) else {
            throw ValidationError("--width must be 320…8000 and --height 240…8000")
        }
        let suffix = out.lowercased()
        guard suffix.hasSuffix(".svg") || suffix.hasSuffix(".png") else {
            throw ValidationError("--out must end in .svg or .png")
        }
    }

    func run() async throws {
        let context = InspectionContext(global: global)
        try await context.run {
            let store = try context.openStore()
            let range = try context.window(window, store: store, stream: stream)
            let from = range.lowerBound, to = range.upperBound
            let history = try HistoryReport.read(from: store, stream: stream, step: step, fromUs: from, toUs: to)
            let latest = try InspectionStore.reading(store) { () throws(StorageError) in
                try store.latestForecast(stream: stream)
            }
            let chart = FanChart(
                stream: stream, step: step, units: units, history: history.points, latest: latest, window: from...to)
            guard !chart.isEmpty else {
                throw InspectionError(
                    .invalidArgument, "nothing to draw for \(stream) in this window; widen --since/--until")
            }
            let svg = chart.svg(width: width, height: height)
            if out.lowercased().hasSuffix(".png") {
                try PNGConverter.convert(
                    svg: svg, to: out, searchPath: InspectionContext.environment("PATH") ?? "/usr/bin:/bin")
            } else {
                do {
                    try svg.write(toFile: out, atomically: true, encoding: .utf8)
                } catch {
                    throw InspectionError(.outputFailed, "cannot write \(out): \(error.localizedDescription)")
                }
            }
            let missing = chart.missingBands.map { ValueText.percent($0) }
            let note = missing.isEmpty ? "" : " (no \(missing.joined(separator: ", ")) band: levels not stored)"
            func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
            return "wrote \(out): \(count(chart.observations.count, "observation")), "
                + "\(count(chart.issued.count, "forecast")), "
                + (chart.horizon.isEmpty ? "no latest horizon in this window" : "\(chart.horizon.count)-step horizon")
                + "\(note)\n"
        }
    }
}
