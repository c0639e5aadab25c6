import Foundation
public import Storage

/// `barnnd streams`: every stream with when it was last seen, how much is stored, which model serves it and how
/// well its recent forecasts did (the latest drift window).
public struct StreamsReport: Sendable {
    /// How the rows are ordered.
    public enum Sort: String, Sendable, CaseIterable {
        /// By name (the default).
        case name
        /// Most recently seen first.
        case lastSeen = "last-seen"
        /// Most observations first.
        case observations
        /// Worst (highest) rolling CRPS first; streams without one last.
        case crps
        /// Coverage furthest from nominal first.
        case coverage
        /// Streams in alarm first, then by name.
        case drift
    }

    /// One stream.
    public struct Row: Sendable, Equatable {
        /// The stored summary.
        public var summary: StreamSummary
        /// Stored observations.
        public var observations: Int
    }

    /// The rows in the requested order.
    public var rows: [Row]

    /// Builds the report from stored summaries and counts.
    public init(summaries: [StreamSummary], observationCounts: [String: Int], sort: Sort = .name) {
        rows = summaries.map { Row(summary: $0, observations: observationCounts[$0.name] ?? 0) }
        rows.sort(by: Self.order(sort))
    }

    /// Reads the report from `store`.
    public static func read(from store: Store, sort: Sort = .name) throws(InspectionError) -> StreamsReport {
        try InspectionStore.reading(store) { () throws(StorageError) in
            StreamsReport(summaries: try store.streams(), observationCounts: try store.observationCounts(), sort: sort)
        }
    }

    /// The coverage row shown in the table: the nominal level nearest 0.9.
    static func headline(_ drift: DriftRecord?) -> DriftRecord.LevelValue? {
        drift?.coverage.min { abs($0.level - 0.9) < abs($1.level - 0.9) }
    }

    private static func order(_ sort: Sort) -> (Row, Row) -> Bool {
        let byName: (Row, Row) -> Bool = { $0.summary.name < $1.summary.name }
        func descending(_ key: @escaping (Row) -> Double?) -> (Row, Row) -> Bool {
            { a, b in
                switch (key(a), key(b)) {
                case (let x?, let y?) where x != y: x > y
                case (_?, nil): true
                case (nil, _?): false
                default: byName(a, b)
                }
            }
        }
        switch sort {
        case .name: return byName
        case .lastSeen: return descending { Double($0.summary.lastSeenUs) }
        case .observations: return descending { Double($0.observations) }
        case .crps: return descending { $0.summary.latestDrift?.crps }
        case .coverage: return descending { headline($0.summary.latestDrift).map { abs($0.value - $0.level) } }
        case .drift: return descending { $0.summary.latestDrift.map { $0.alarm ? 1 : 0 } }
        }
    }

    /// The drift state as a word: `alarm`, `ok`, or `-` before the first drift window.
    static func driftState(_ drift: DriftRecord?) -> String {
        guard let drift else { return "-" }
        return drift.alarm ? "alarm" : "ok"
    }

    static func model(_ summary: StreamSummary) -> String {
        guard let model = summary.model else { return "-" }
        return summary.modelVersion.map { "\(model) v\($0)" } ?? model
    }

    /// The output in `format`.
    public func rendered(_ format: OutputFormat) -> String {
        switch format {
        case .table: table()
        case .csv: csv()
        case .json: json().rendered()
        }
    }

    private func table() -> String {
        guard !rows.isEmpty else { return "no streams stored yet\n" }
        var table = TextTable([
            .init("STREAM"), .init("LAST SEEN (UTC)"), .init("OBS", rightAligned: true), .init("MODEL"),
            .init("COVER", rightAligned: true), .init("CRPS", rightAligned: true), .init("DRIFT"),
        ])
        for row in rows {
            let drift = row.summary.latestDrift
            let coverage = Self.headline(drift).map {
                "\(ValueText.level($0.level * 100)):\(String(format: "%.2f", $0.value))"
            }
            table.append([
                row.summary.name, ValueText.shortTime(row.summary.lastSeenUs), String(row.observations),
                Self.model(row.summary), coverage ?? "-", ValueText.table(drift?.crps), Self.driftState(drift),
            ])
        }
        return table.render()
    }

    private func csv() -> String {
        let rows = rows.map { row -> [String] in
            let drift = row.summary.latestDrift
            let headline = Self.headline(drift)
            return [
                row.summary.name, ValueText.time(row.summary.firstSeenUs), ValueText.time(row.summary.lastSeenUs),
                String(row.observations), row.summary.model ?? "", row.summary.modelVersion.map(String.init) ?? "",
                headline.map { ValueText.level($0.level) } ?? "", ValueText.csv(headline?.value),
                ValueText.csv(drift?.crps), ValueText.csv(drift?.mae), drift.map { String($0.n) } ?? "",
                drift.map { ValueText.time($0.windowEndUs) } ?? "", Self.driftState(drift),
            ]
        }
        return CSVText.render(
            header: [
                "stream", "first_seen", "last_seen", "observations", "model", "model_version", "coverage_level",
                "coverage", "crps", "mae", "window_n", "window_end", "drift",
            ], rows: rows)
    }

    /// The JSON document (see the CLI's `streams --help` for its keys).
    public func json() -> JSONOutput {
        .object([
            (
                "streams",
                .array(
                    rows.map { row in
                        let drift = row.summary.latestDrift
                        let window: JSONOutput =
                            drift.map { drift in
                                .object([
                                    ("end", .string(ValueText.time(drift.windowEndUs))),
                                    ("n", .integer(Int64(drift.n))),
                                    ("crps", .number(drift.crps)), ("mae", .number(drift.mae)),
                                    (
                                        "coverage",
                                        .object(drift.coverage.map { (ValueText.level($0.level), .number($0.value)) })
                                    ), ("alarm", .bool(drift.alarm)),
                                ])
                            } ?? .null
                        return .object([
                            ("stream", .string(row.summary.name)),
                            ("first_seen", .string(ValueText.time(row.summary.firstSeenUs))),
                            ("last_seen", .string(ValueText.time(row.summary.lastSeenUs))),
                            ("observations", .integer(Int64(row.observations))), ("model", .string(row.summary.model)),
                            ("model_version", row.summary.modelVersion.map { .integer(Int64($0)) } ?? .null),
                            ("drift", .string(Self.driftState(drift))), ("window", window),
                        ])
                    })
            )
        ])
    }
}
