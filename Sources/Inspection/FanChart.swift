import Foundation
public import Storage

/// A fan chart of one stream: observations, the median and the 50/80/90% bands of the forecasts issued for each
/// time `step` steps earlier, and the latest forecast's horizon ahead.
///
/// Bands whose levels are not stored (e.g. no 0.25/0.75 among the levels) are left out and the legend says so.
/// ``svg(width:height:)`` is a self-contained SVG 1.1 document: no scripts, no external fonts or images.
public struct FanChart: Sendable {
    /// One forecast drawn at one time.
    public struct Point: Sendable, Equatable {
        /// The target time, µs since the Unix epoch.
        public var tUs: Int64
        /// The median, or the mean when 0.5 is not stored.
        public var center: Double
        /// Bounds per standard band (``ForecastBands/standard`` order), `nil` where the levels are not stored.
        public var bands: [Bounds?]
    }

    /// A band's lower and upper value at one time.
    public struct Bounds: Sendable, Equatable {
        /// The lower quantile.
        public var lower: Double
        /// The upper quantile.
        public var upper: Double
    }

    /// The stream's name, shown in the title.
    public var stream: String
    /// The horizon step of ``issued``.
    public var step: Int
    /// The y axis title, e.g. `°C`; `value` when unknown.
    public var units: String?
    /// Observed values (gaps are `nil` and break the line), oldest first.
    public var observations: [(tUs: Int64, value: Double?)]
    /// The forecasts issued `step` steps before each time, oldest first.
    public var issued: [Point]
    /// When the latest forecast was issued (the daemon's clock), if it is drawn.
    public var latestIssuedAtUs: Int64?
    /// The latest forecast's steps.
    public var horizon: [Point]

    /// Builds the chart from a history window and the latest forecast issue.
    ///
    /// The latest issue is drawn only when its first step falls inside `window` or follows it by at most the
    /// horizon's own length, so an old window is not stretched to reach today's forecast.
    public init(
        stream: String, step: Int, units: String?, history: [HistoryPoint], latest: ForecastIssue?,
        window: ClosedRange<Int64>? = nil
    ) {
        self.stream = stream
        self.step = step
        self.units = units
        observations = history.filter(\.observed).map { ($0.tUs, $0.value) }
        issued = history.compactMap { point in
            point.forecast.map { Self.point(tUs: point.tUs, mean: $0.mean, levels: $0.levels, quantiles: $0.quantiles) }
        }
        var latest = latest
        if let window, let issue = latest, let first = issue.points.first?.tUs, let last = issue.points.last?.tUs,
            first < window.lowerBound || first > window.upperBound + max(0, last - first)
        {
            latest = nil
        }
        latestIssuedAtUs = latest?.issuedAtUs
        horizon =
            latest.map { issue in
                issue.points.map {
                    Self.point(tUs: $0.tUs, mean: $0.mean, levels: issue.levels, quantiles: $0.quantiles)
                }
            } ?? []
    }

    static func point(tUs: Int64, mean: Double, levels: [Double], quantiles: [Float]) -> Point {
        Point(
            tUs: tUs, center: ForecastBands.quantile(at: 0.5, levels: levels, quantiles: quantiles) ?? mean,
            bands: ForecastBands.standard.map { band in
                ForecastBands.bounds(coverage: band.coverage, levels: levels, quantiles: quantiles).map {
                    Bounds(lower: $0.lower, upper: $0.upper)
                }
            })
    }

    /// The standard band coverages stored nowhere in the chart (left out and named in the legend).
    public var missingBands: [Double] {
        ForecastBands.standard.indices.filter { index in
            !(issued + horizon).contains { $0.bands[index] != nil }
        }.map { ForecastBands.standard[$0].coverage }
    }

    /// Where the latest horizon starts from: the last observation before its first step (the daemon's issue time
    /// is wall-clock time, which differs from the data's time when data is replayed or late).
    public var horizonOriginUs: Int64? {
        guard let first = horizon.first?.tUs else { return nil }
        return observations.last { $0.tUs < first }?.tUs
    }

    /// Whether there is anything to draw.
    public var isEmpty: Bool { observations.allSatisfy { $0.value == nil } && issued.isEmpty && horizon.isEmpty }
}
