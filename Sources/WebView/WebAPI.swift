import Foundation
public import Inspection
public import Storage

/// The JSON API and the chart behind the web view: each answer is built from the same Inspection report the CLI
/// prints, so `GET /api/streams` and `barnnd streams --format json` agree.
///
/// Every method takes the request's query parameters as given (untrusted) and throws ``InspectionError`` with a
/// one-line message for bad input; the routes turn that into a 4xx answer.
public struct WebAPI: Sendable {
    /// A finished answer: its body and media type.
    public struct Document: Sendable, Equatable {
        /// The body text.
        public var body: String
        /// The Content-Type header value.
        public var contentType: String
    }

    /// The database, opened read-only; asked at each request, so a server that starts before the daemon created
    /// its database answers once it exists.
    public let openStore: @Sendable () throws(InspectionError) -> Store
    /// "Now" in µs since the Unix epoch, for relative times (`-2h`, `today`).
    public let nowUs: @Sendable () -> Int64

    /// Serves the Store `openStore` returns; `nowUs` is the clock that relative times count from.
    public init(
        openStore: @escaping @Sendable () throws(InspectionError) -> Store, nowUs: @escaping @Sendable () -> Int64
    ) {
        self.openStore = openStore
        self.nowUs = nowUs
    }

    static let json = "application/json; charset=utf-8"
    static let hour: Int64 = 3_600_000_000

    /// `GET /api/streams?sort=&q=`: every stream (optionally those whose name contains `q`, ignoring case).
    public func streams(_ query: [String: String]) throws(InspectionError) -> Document {
        let store = try openStore()
        let sort = try Self.parse(query["sort"], name: "sort", default: .name) { StreamsReport.Sort(rawValue: $0) }
        var report = try StreamsReport.read(from: store, sort: sort)
        if let needle = query["q"], !needle.isEmpty {
            report.rows = report.rows.filter { $0.summary.name.localizedCaseInsensitiveContains(needle) }
        }
        return Document(body: report.json().rendered(), contentType: Self.json)
    }

    /// `GET /api/history?stream=&since=&until=&step=`: observations beside the forecasts issued `step` steps
    /// earlier, and their scores.
    public func history(_ query: [String: String]) throws(InspectionError) -> Document {
        let store = try openStore()
        let stream = try Self.required(query, "stream")
        let step = try Self.integer(query["step"], name: "step", default: 1, range: 1...10_000)
        let window = try window(query, stream: stream, store: store)
        let report = try HistoryReport.read(
            from: store, stream: stream, step: step, fromUs: window.lowerBound, toUs: window.upperBound)
        return Document(body: report.json().rendered(), contentType: Self.json)
    }

    /// `GET /api/chart.svg?stream=&since=&until=&step=&units=&width=&height=`: the fan chart `barnnd plot` draws.
    public func chart(_ query: [String: String]) throws(InspectionError) -> Document {
        let store = try openStore()
        let stream = try Self.required(query, "stream")
        let step = try Self.integer(query["step"], name: "step", default: 1, range: 1...10_000)
        let width = try Self.integer(query["width"], name: "width", default: 800, range: 320...8000)
        let height = try Self.integer(query["height"], name: "height", default: 460, range: 240...8000)
        let window = try window(query, stream: stream, store: store)
        let history = try HistoryReport.read(
            from: store, stream: stream, step: step, fromUs: window.lowerBound, toUs: window.upperBound)
        let latest = try InspectionStore.reading(store) { () throws(StorageError) in
            try store.latestForecast(stream: stream)
        }
        let units = query["units"].flatMap { $0.isEmpty ? nil : $0 }
        let chart = FanChart(
            stream: stream, step: step, units: units, history: history.points, latest: latest, window: window)
        return Document(body: chart.svg(width: width, height: height), contentType: "image/svg+xml; charset=utf-8")
    }

    /// `GET /api/forecast?stream=`: the latest forecast issued for the stream, every step and stored quantile.
    public func forecast(_ query: [String: String]) throws(InspectionError) -> Document {
        let store = try openStore()
        let stream = try Self.required(query, "stream")
        try StreamLookup.require(stream, in: store)
        let latest = try InspectionStore.reading(store) { () throws(StorageError) in
            try store.latestForecast(stream: stream)
        }
        let issue: JSONOutput =
            latest.map { issue in
                .object([
                    ("issued_at", .string(ValueText.time(issue.issuedAtUs))),
                    ("levels", .array(issue.levels.map { .number($0) })),
                    (
                        "points",
                        .array(
                            issue.points.map { point in
                                .object([
                                    ("step", .integer(Int64(point.step))), ("t", .string(ValueText.time(point.tUs))),
                                    ("mean", .number(point.mean)),
                                    (
                                        "median",
                                        .number(
                                            ForecastBands.quantile(
                                                at: 0.5, levels: issue.levels, quantiles: point.quantiles))
                                    ),
                                    (
                                        "quantiles",
                                        .object(
                                            zip(issue.levels, point.quantiles).map {
                                                (ValueText.level($0.0), .number(ValueText.double($0.1)))
                                            })
                                    ),
                                ])
                            })
                    ),
                ])
            } ?? .null
        return Document(
            body: JSONOutput.object([("stream", .string(stream)), ("latest", issue)]).rendered(),
            contentType: Self.json)
    }

    /// `GET /api/events?since=&until=&kind=&stream=&model=&limit=`: events newest first.
    public func events(_ query: [String: String]) throws(InspectionError) -> Document {
        let store = try openStore()
        let now = nowUs()
        let from = try TimeExpression.parse(query["since"] ?? "-7d", nowUs: now)
        let to = try TimeExpression.parse(query["until"] ?? "now", nowUs: now)
        guard from <= to else { throw InspectionError(.invalidArgument, "since is after until") }
        let kind = try Self.parse(query["kind"], name: "kind", default: nil) { EventKind(rawValue: $0) }
        let limit = try Self.integer(query["limit"], name: "limit", default: 100, range: 1...10_000)
        let stream = query["stream"].flatMap { $0.isEmpty ? nil : $0 }
        let model = query["model"].flatMap { $0.isEmpty ? nil : $0 }
        // Filtering happens after the read, so read more than `limit` when a filter is given.
        let read = stream == nil && model == nil ? limit : 10_000
        var report = try EventsReport.read(from: store, fromUs: from, toUs: to, kind: kind, limit: read)
        if stream != nil || model != nil {
            // A stream's page wants its own events and its model's (trainings, activations).
            report.events = report.events.filter { event in
                (stream != nil && event.stream == stream)
                    || (model != nil && event.model == model && (stream == nil || event.stream == nil))
            }
        }
        report.events = Array(report.events.prefix(limit))
        return Document(body: report.json().rendered(), contentType: Self.json)
    }

    /// `GET /api/checkpoints?model=`: stored model versions, newest first per model.
    public func checkpoints(_ query: [String: String]) throws(InspectionError) -> Document {
        let store = try openStore()
        let model = query["model"].flatMap { $0.isEmpty ? nil : $0 }
        let report = try CheckpointsReport.read(from: store, model: model)
        return Document(body: report.json().rendered(), contentType: Self.json)
    }

    /// The `since`/`until` window; without either, the 24 hours up to the stream's newest data (as the CLI).
    func window(
        _ query: [String: String], stream: String, store: Store
    ) throws(InspectionError) -> ClosedRange<Int64> {
        let now = nowUs()
        let since = query["since"].flatMap { $0.isEmpty ? nil : $0 }
        let until = query["until"].flatMap { $0.isEmpty ? nil : $0 }
        if since == nil, until == nil {
            try StreamLookup.require(stream, in: store)
            let latest = try InspectionStore.reading(store) { () throws(StorageError) in
                try store.latestActivityUs(stream: stream)
            }
            let day = 24 * Self.hour
            let end = latest.map { $0 < now - day ? $0 : max($0, now) } ?? now
            return (end - day)...end
        }
        let from = try TimeExpression.parse(since ?? "-24h", nowUs: now)
        let to = try TimeExpression.parse(until ?? "now", nowUs: now)
        guard from <= to else { throw InspectionError(.invalidArgument, "since is after until") }
        return from...to
    }

    static func required(_ query: [String: String], _ name: String) throws(InspectionError) -> String {
        guard let value = query[name], !value.isEmpty else {
            throw InspectionError(.invalidArgument, "missing query parameter '\(name)'")
        }
        return value
    }

    static func integer(
        _ text: String?, name: String, default value: Int, range: ClosedRange<Int>
    ) throws(InspectionError) -> Int {
        guard let text, !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw InspectionError(
                .invalidArgument, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func parse<T: CaseIterable & RawRepresentable>(
        _ text: String?, name: String, default value: T?, _ make: (String) -> T?
    ) throws(InspectionError) -> T? where T.RawValue == String {
        guard let text, !text.isEmpty else { return value }
        guard let parsed = make(text) else {
            let known = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw InspectionError(.invalidArgument, "unknown \(name) '\(text)'; use one of \(known)")
        }
        return parsed
    }

    static func parse<T: CaseIterable & RawRepresentable>(
        _ text: String?, name: String, default value: T, _ make: (String) -> T?
    ) throws(InspectionError) -> T where T.RawValue == String {
        try parse(text, name: name, default: Optional(value), make) ?? value
    }
}
