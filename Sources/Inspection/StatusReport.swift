import Foundation
public import Storage

/// `barnnd status`: what the database says (streams, rows, active models, recent events) and, when the broker
/// answers, the daemon's retained status and health.
public struct StatusReport: Sendable {
    /// The database file.
    public var path: String
    /// Row counts.
    public var totals: StoreTotals
    /// Streams whose latest drift window raised an alarm.
    public var streamsInAlarm: [String]
    /// The active checkpoint per model.
    public var activeModels: [CheckpointInfo]
    /// The newest events (at most 5).
    public var recentEvents: [EventRecord]
    /// What the broker holds, or `nil` when it was not asked.
    public var broker: BrokerStatus?

    /// Reads the database part from `store`.
    public static func read(from store: Store) throws(InspectionError) -> StatusReport {
        try InspectionStore.reading(store) { () throws(StorageError) in
            StatusReport(
                path: store.path, totals: try store.totals(),
                streamsInAlarm: try store.streams().filter { $0.latestDrift?.alarm == true }.map(\.name),
                activeModels: try store.checkpoints().filter(\.isActive), recentEvents: try store.events(limit: 5),
                broker: nil)
        }
    }

    /// The output in `format` (`csv` is not offered for this nested report; the CLI refuses it).
    public func rendered(_ format: OutputFormat) -> String {
        format == .json ? json().rendered() : text()
    }

    private func text() -> String {
        var lines = ["database  \(path) (read-only)"]
        let alarm = streamsInAlarm.isEmpty ? "" : " (\(streamsInAlarm.count) in drift alarm)"
        lines.append(
            "  streams \(totals.streams)\(alarm)   observations \(totals.observations)   forecasts \(totals.forecasts)")
        lines.append(
            "  latest observation \(totals.latestObservationUs.map(ValueText.shortTime) ?? "-")"
                + "   events \(totals.events)   rejects \(totals.rejects)")
        if !streamsInAlarm.isEmpty {
            lines.append(
                "  in alarm: " + streamsInAlarm.prefix(8).joined(separator: ", ")
                    + (streamsInAlarm.count > 8 ? ", …" : ""))
        }
        lines.append("models")
        if activeModels.isEmpty { lines.append("  none active (streams are served by the fallback forecaster)") }
        for info in activeModels {
            lines.append(
                "  \(info.model) v\(info.version) (\(info.kind)), created \(ValueText.shortTime(info.createdAtUs))")
        }
        lines.append("recent events")
        if recentEvents.isEmpty { lines.append("  none") }
        for event in recentEvents {
            let subject = [event.model, event.stream].compactMap { $0 }.joined(separator: " ")
            lines.append(
                "  \(ValueText.shortTime(event.timeUs))  \(event.kind)\(subject.isEmpty ? "" : "  " + subject)")
        }
        if let broker {
            if let failure = broker.failure {
                lines.append("broker    " + (broker.address == "-" ? failure : "\(broker.address): \(failure)"))
            } else {
                lines.append("broker    \(broker.address): \(broker.topic) = \(broker.status ?? "(nothing retained)")")
                lines +=
                    broker.health.map { Self.healthLines($0, width: 78).map { "  " + $0 } } ?? [
                        "  health  (nothing retained)"
                    ]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON document (see the CLI's `status --help` for its keys).
    public func json() -> JSONOutput {
        let brokerJSON: JSONOutput =
            broker.map { broker in
                .object([
                    ("address", .string(broker.address)), ("topic", .string(broker.topic)),
                    ("reachable", .bool(broker.failure == nil)), ("error", .string(broker.failure)),
                    ("status", .string(broker.status)),
                    ("health", broker.health.map(Self.healthJSON) ?? .null),
                ])
            } ?? .null
        return .object([
            (
                "database",
                .object([
                    ("path", .string(path)), ("streams", .integer(Int64(totals.streams))),
                    ("observations", .integer(Int64(totals.observations))),
                    ("forecasts", .integer(Int64(totals.forecasts))), ("events", .integer(Int64(totals.events))),
                    ("rejects", .integer(Int64(totals.rejects))),
                    ("latest_observation", .string(totals.latestObservationUs.map(ValueText.time))),
                    ("streams_in_alarm", .array(streamsInAlarm.map { .string($0) })),
                ])
            ),
            (
                "models",
                .array(
                    activeModels.map {
                        .object([
                            ("model", .string($0.model)), ("version", .integer(Int64($0.version))),
                            ("kind", .string($0.kind)), ("created_at", .string(ValueText.time($0.createdAtUs))),
                        ])
                    })
            ),
            (
                "recent_events",
                .array(
                    recentEvents.map {
                        .object([
                            ("time", .string(ValueText.time($0.timeUs))), ("kind", .string($0.kind)),
                            ("model", .string($0.model)), ("stream", .string($0.stream)),
                        ])
                    })
            ),
            ("broker", brokerJSON),
        ])
    }
}
