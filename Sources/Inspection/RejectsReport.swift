public import Storage

/// `barnnd rejects`: messages barnnd could not use, newest first, with the reason and a payload excerpt.
public struct RejectsReport: Sendable {
    /// The rejects, newest first.
    public var rejects: [RejectRecord]

    /// Wraps stored rejects.
    public init(rejects: [RejectRecord]) { self.rejects = rejects }

    /// Reads rejects with time in `fromUs...toUs`.
    public static func read(
        from store: Store, fromUs: Int64, toUs: Int64, limit: Int
    ) throws(InspectionError) -> RejectsReport {
        try InspectionStore.reading(store) { () throws(StorageError) in
            RejectsReport(rejects: try store.rejects(fromUs: fromUs, toUs: toUs, limit: limit))
        }
    }

    /// Control characters would break a table line; show them as `?`.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }

    /// The output in `format`.
    public func rendered(_ format: OutputFormat) -> String {
        switch format {
        case .table:
            guard !rejects.isEmpty else { return "no rejected messages in this window\n" }
            var table = TextTable([.init("TIME (UTC)"), .init("TOPIC"), .init("REASON"), .init("PAYLOAD")])
            for reject in rejects {
                table.append([
                    ValueText.shortTime(reject.timeUs), Self.printable(reject.topic), Self.printable(reject.reason),
                    Self.printable(reject.excerpt),
                ])
            }
            return table.render()
        case .csv:
            return CSVText.render(
                header: ["time", "topic", "reason", "payload_bytes", "excerpt"],
                rows: rejects.map {
                    [ValueText.time($0.timeUs), $0.topic, $0.reason, String($0.payloadBytes), $0.excerpt]
                })
        case .json:
            return JSONOutput.object([
                (
                    "rejects",
                    .array(
                        rejects.map {
                            .object([
                                ("time", .string(ValueText.time($0.timeUs))), ("topic", .string($0.topic)),
                                ("reason", .string($0.reason)), ("payload_bytes", .integer(Int64($0.payloadBytes))),
                                ("excerpt", .string($0.excerpt)),
                            ])
                        })
                )
            ]).rendered()
        }
    }
}
