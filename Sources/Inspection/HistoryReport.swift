import Forecasting
import Formats
import Foundation
public import Storage

/// `barnnd history`: a stream's observations beside the forecasts issued for them `step` steps earlier, and how
/// good those forecasts were.
public struct HistoryReport: Sendable {
    /// Forecast quality over the rows that have both an observed value and a forecast.
    public struct Summary: Sendable, Equatable {
        /// Scored rows.
        public var n: Int
        /// Rows with an observation row (gaps included).
        public var observed: Int
        /// Mean absolute error of the median (of the mean when 0.5 is not a stored level).
        public var mae: Double?
        /// Mean CRPS from the stored quantiles (the protocol's Riemann approximation).
        public var crps: Double?
        /// Empirical coverage per nominal central-interval coverage, narrowest first.
        public var coverage: [(level: Double, value: Double)]

        public static func == (lhs: Summary, rhs: Summary) -> Bool {
            lhs.n == rhs.n && lhs.observed == rhs.observed && lhs.mae == rhs.mae && lhs.crps == rhs.crps
                && lhs.coverage.map(\.level) == rhs.coverage.map(\.level)
                && lhs.coverage.map(\.value) == rhs.coverage.map(\.value)
        }
    }

    /// The stream.
    public var stream: String
    /// The horizon step the forecasts were issued at.
    public var step: Int
    /// The window, µs since the Unix epoch (inclusive).
    public var fromUs: Int64
    /// The window's end.
    public var toUs: Int64
    /// The rows, oldest first.
    public var points: [HistoryPoint]
    /// The quality summary.
    public let summary: Summary
    /// When the stream's data starts and ends (µs), for a hint when the window holds none of it.
    public var dataSpan: (firstUs: Int64, lastUs: Int64)?

    /// Builds the report from the store's rows.
    public init(stream: String, step: Int, fromUs: Int64, toUs: Int64, points: [HistoryPoint]) {
        self.stream = stream
        self.step = step
        self.fromUs = fromUs
        self.toUs = toUs
        self.points = points
        self.summary = Self.summarise(points)
    }

    /// Reads the report from `store`.
    /// - Throws: ``InspectionError`` `.unknownStream` (with close names) or a database error.
    public static func read(
        from store: Store, stream: String, step: Int, fromUs: Int64, toUs: Int64
    ) throws(InspectionError) -> HistoryReport {
        try StreamLookup.require(stream, in: store)
        let (points, summary) = try InspectionStore.reading(store) { () throws(StorageError) in
            (
                try store.history(stream: stream, fromUs: fromUs, toUs: toUs, step: step),
                try store.streams().first { $0.name == stream }
            )
        }
        var report = HistoryReport(stream: stream, step: step, fromUs: fromUs, toUs: toUs, points: points)
        report.dataSpan = summary.map { ($0.firstSeenUs, $0.lastSeenUs) }
        return report
    }

    /// The output in `format`.
    public func rendered(_ format: OutputFormat) -> String {
        switch format {
        case .table: table()
        case .csv: csv()
        case .json: json().rendered()
        }
    }

    /// The widest standard band stored in any row, for the table's two interval columns.
    private var tableBand: Double? {
        ForecastBands.standard.map(\.coverage).reversed().first { coverage in
            points.contains { point in
                point.forecast.map {
                    ForecastBands.bounds(coverage: coverage, levels: $0.levels, quantiles: $0.quantiles) != nil
                } ?? false
            }
        }
    }

    private func table() -> String {
        let band = tableBand
        var columns: [TextTable.Column] = [
            .init("TIME (UTC)"), .init("OBSERVED", rightAligned: true), .init("MEAN", rightAligned: true),
            .init("MEDIAN", rightAligned: true),
        ]
        if let band {
            columns.append(.init("LOW \(ValueText.percent(band))", rightAligned: true))
            columns.append(.init("HIGH \(ValueText.percent(band))", rightAligned: true))
        }
        var table = TextTable(columns)
        for point in points {
            var cells = [
                ValueText.shortTime(point.tUs), point.observed ? ValueText.table(point.value) : "",
                ValueText.table(point.forecast?.mean), ValueText.table(point.forecast.flatMap(Self.median)),
            ]
            if let band {
                let bounds = point.forecast.flatMap {
                    ForecastBands.bounds(coverage: band, levels: $0.levels, quantiles: $0.quantiles)
                }
                cells += [ValueText.table(bounds?.lower), ValueText.table(bounds?.upper)]
            }
            table.append(cells)
        }
        var text = "\(stream): forecasts issued \(step) step\(step == 1 ? "" : "s") earlier\n"
        text += "from \(ValueText.shortTime(fromUs)) to \(ValueText.shortTime(toUs)) UTC\n"
        if points.isEmpty {
            text += "no observations or forecasts in this window\n"
            // Relative times count from the clock; replayed or old data lies elsewhere, so say where.
            if let span = dataSpan, span.lastUs < fromUs || span.firstUs > toUs {
                text +=
                    "the stream's data runs from \(ValueText.shortTime(span.firstUs)) to "
                    + "\(ValueText.shortTime(span.lastUs)) UTC\n"
                    + "try --since \(UTCTimestamp.format(microseconds: span.lastUs - 6 * 3600 * UTCTimestamp.microsecondsPerSecond))\n"
            }
        } else {
            text += table.render()
        }
        text += "\n" + summaryLines()
        return text
    }

    private func summaryLines() -> String {
        var line = "n \(summary.n) scored of \(summary.observed) observed"
        line += "   MAE \(ValueText.table(summary.mae))   CRPS \(ValueText.table(summary.crps))\n"
        guard !summary.coverage.isEmpty else { return line }
        let parts = summary.coverage.map { "\(ValueText.percent($0.level)) \(String(format: "%.3f", $0.value))" }
        // Wrap the coverage list so a 13-level forecast still fits 80 columns.
        var lines = [String]()
        var current = "coverage"
        for part in parts {
            if current.count + 3 + part.count > 80 {
                lines.append(current)
                current = "        "
            }
            current += "   " + part
        }
        lines.append(current)
        return line + lines.joined(separator: "\n") + "\n"
    }

    private func csv() -> String {
        var header = ["t", "observed", "issued_at", "mean", "median"]
        for band in ForecastBands.standard {
            let name = ValueText.level(band.coverage * 100)
            header += ["lower_\(name)", "upper_\(name)"]
        }
        let rows = points.map { point -> [String] in
            let forecast = point.forecast
            var cells = [
                ValueText.time(point.tUs), ValueText.csv(point.value),
                forecast.map { ValueText.time($0.issuedAtUs) } ?? "", ValueText.csv(forecast?.mean),
                ValueText.csv(forecast.flatMap(Self.median)),
            ]
            for band in ForecastBands.standard {
                let bounds = forecast.flatMap {
                    ForecastBands.bounds(coverage: band.coverage, levels: $0.levels, quantiles: $0.quantiles)
                }
                cells += [ValueText.csv(bounds?.lower), ValueText.csv(bounds?.upper)]
            }
            return cells
        }
        return CSVText.render(header: header, rows: rows)
    }

    /// The JSON document (see the CLI's `history --help` for its keys).
    public func json() -> JSONOutput {
        let rows = points.map { point -> JSONOutput in
            var members: [(String, JSONOutput)] = [
                ("t", .string(ValueText.time(point.tUs))), ("observed", .number(point.value)),
            ]
            if let forecast = point.forecast {
                members += [
                    ("issued_at", .string(ValueText.time(forecast.issuedAtUs))), ("mean", .number(forecast.mean)),
                    ("median", .number(Self.median(forecast))),
                    (
                        "quantiles",
                        .object(
                            zip(forecast.levels, forecast.quantiles).map {
                                (ValueText.level($0.0), .number(ValueText.double($0.1)))
                            })
                    ),
                ]
            } else {
                members += [("issued_at", .null), ("mean", .null), ("median", .null), ("quantiles", .null)]
            }
            return .object(members)
        }
        return .object([
            ("stream", .string(stream)), ("step", .integer(Int64(step))),
            ("since", .string(ValueText.time(fromUs))), ("until", .string(ValueText.time(toUs))),
            ("points", .array(rows)),
            (
                "summary",
                .object([
                    ("n", .integer(Int64(summary.n))), ("observed", .integer(Int64(summary.observed))),
                    ("mae", .number(summary.mae)), ("crps", .number(summary.crps)),
                    (
                        "coverage",
                        .object(summary.coverage.map { (ValueText.level($0.level), .number($0.value)) })
                    ),
                ])
            ),
        ])
    }

    static func median(_ forecast: HistoryPoint.Forecast) -> Double? {
        ForecastBands.quantile(at: 0.5, levels: forecast.levels, quantiles: forecast.quantiles)
    }

    static func summarise(_ points: [HistoryPoint]) -> Summary {
        var n = 0
        var absoluteError = 0.0
        var crpsSum = 0.0
        var crpsCount = 0
        var hits: [Double: (hit: Int, total: Int)] = [:]
        var levelCache: [[Double]: QuantileLevels] = [:]
        for point in points {
            guard let y = point.value, y.isFinite, let forecast = point.forecast else { continue }
            n += 1
            absoluteError += abs(y - (median(forecast) ?? forecast.mean))
            let quantiles = forecast.quantiles.map(ValueText.double)
            guard quantiles.count == forecast.levels.count, quantiles.allSatisfy(\.isFinite) else { continue }
            let levels: QuantileLevels
            if let cached = levelCache[forecast.levels] {
                levels = cached
            } else if let made = try? QuantileLevels(forecast.levels), made.values == forecast.levels {
                levelCache[forecast.levels] = made
                levels = made
            } else {
                continue
            }
            crpsSum += CRPS.fromQuantiles(quantiles, levels: levels, outcome: y)
            crpsCount += 1
            for interval in levels.centralIntervals {
                // Round so 0.9 from (0.05, 0.95) and 0.9 from another level set count together.
                let key = (interval.coverage * 1e6).rounded() / 1e6
                let inside = Coverage.contains(interval, quantiles: quantiles, outcome: y)
                hits[key, default: (0, 0)].total += 1
                if inside { hits[key, default: (0, 0)].hit += 1 }
            }
        }
        return Summary(
            n: n, observed: points.filter(\.observed).count, mae: n > 0 ? absoluteError / Double(n) : nil,
            crps: crpsCount > 0 ? crpsSum / Double(crpsCount) : nil,
            coverage: hits.keys.sorted().map { ($0, Double(hits[$0]!.hit) / Double(hits[$0]!.total)) })
    }
}
