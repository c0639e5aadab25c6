public import Storage

/// `barnnd events`: trainings, activations, drift alarms and evictions, newest first.
public struct EventsReport: Sendable {
    /// The events, newest first.
    public var events: [EventRecord]

    /// Wraps stored events.
    public init(events: [EventRecord]) { self.events = events }

    /// Reads events with time in `fromUs...toUs`, optionally of one kind.
    public static func read(
        from store: Store, fromUs: Int64, toUs: Int64, kind: EventKind?, limit: Int
    ) throws(InspectionError) -> EventsReport {
        try InspectionStore.reading(store) { () throws(StorageError) in
            EventsReport(events: try store.events(fromUs: fromUs, toUs: toUs, kind: kind, limit: limit))
        }
    }

    /// The output in `format`.
    public func rendered(_ format: OutputFormat) -> String {
        switch format {
        case .table:
            guard !events.isEmpty else { return "no events in this window\n" }
            var table = TextTable([
                .init("TIME (UTC)"), .init("KIND"), .init("MODEL"), .init("STREAM"), .init("DETAIL"),
            ])
            for event in events {
                table.append([
                    ValueText.shortTime(event.timeUs), event.kind, event.model ?? "-", event.stream ?? "-",
                    event.detailJSON,
                ])
            }
            return table.render()
        case .csv:
            return CSVText.render(
                header: ["time", "kind", "model", "stream", "detail"],
                rows: events.map {
                    [ValueText.time($0.timeUs), $0.kind, $0.model ?? "", $0.stream ?? "", $0.detailJSON]
                })
        case .json:
            return json().rendered()
        }
    }

    /// The JSON document (see the CLI's `events --help` for its keys).
    public func json() -> JSONOutput {
        .object([
            (
                "events",
                .array(
                    events.map {
                        .object([
                            ("time", .string(ValueText.time($0.timeUs))), ("kind", .string($0.kind)),
                            ("model", .string($0.model)), ("stream", .string($0.stream)),
                            ("detail", .string($0.detailJSON)),
                        ])
                    })
            )
        ])
    }
}
