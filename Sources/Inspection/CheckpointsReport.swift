public import Storage

/// `barnnd checkpoints [MODEL]`: stored model versions, newest first per model, the active one marked.
public struct CheckpointsReport: Sendable {
    /// The stored checkpoints' metadata.
    public var checkpoints: [CheckpointInfo]

    /// Wraps stored metadata.
    public init(checkpoints: [CheckpointInfo]) { self.checkpoints = checkpoints }

    /// Reads the report; an unknown `model` is an error with close names when other models are stored.
    public static func read(from store: Store, model: String?) throws(InspectionError) -> CheckpointsReport {
        let all = try InspectionStore.reading(store) { () throws(StorageError) in try store.checkpoints() }
        guard let model else { return CheckpointsReport(checkpoints: all) }
        let selected = all.filter { $0.model == model }
        if selected.isEmpty {
            let known = Array(Set(all.map(\.model))).sorted()
            let near = StreamNameSuggestions.closest(to: model, among: known)
            let hint =
                near.isEmpty
                ? (known.isEmpty ? "no checkpoints are stored yet" : "stored models: \(known.joined(separator: ", "))")
                : "did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?"
            throw InspectionError(.invalidArgument, "no checkpoints of model '\(model)'; \(hint)")
        }
        return CheckpointsReport(checkpoints: selected)
    }

    /// The output in `format`.
    public func rendered(_ format: OutputFormat) -> String {
        switch format {
        case .table:
            guard !checkpoints.isEmpty else { return "no checkpoints stored yet\n" }
            var table = TextTable([
                .init("MODEL"), .init("VERSION", rightAligned: true), .init("KIND"), .init("CREATED (UTC)"),
                .init("ACTIVE"), .init("BYTES", rightAligned: true), .init("VALIDATION"),
            ])
            for info in checkpoints {
                table.append([
                    info.model, String(info.version), info.kind, ValueText.shortTime(info.createdAtUs),
                    info.isActive ? "yes" : "", String(info.blobBytes), info.validationMetricsJSON,
                ])
            }
            return table.render()
        case .csv:
            return CSVText.render(
                header: [
                    "model", "version", "kind", "created_at", "active", "bytes", "crc32", "validation", "training",
                ],
                rows: checkpoints.map { info in
                    [
                        info.model, String(info.version), info.kind, ValueText.time(info.createdAtUs),
                        info.isActive ? "true" : "false", String(info.blobBytes), Self.crc(info.checksum),
                        info.validationMetricsJSON, info.trainingMetricsJSON,
                    ]
                })
        case .json:
            return json().rendered()
        }
    }

    /// The JSON document (see the CLI's `checkpoints --help` for its keys).
    public func json() -> JSONOutput {
        .object([
            (
                "checkpoints",
                .array(
                    checkpoints.map { info in
                        .object([
                            ("model", .string(info.model)), ("version", .integer(Int64(info.version))),
                            ("kind", .string(info.kind)), ("created_at", .string(ValueText.time(info.createdAtUs))),
                            ("active", .bool(info.isActive)), ("bytes", .integer(Int64(info.blobBytes))),
                            ("crc32", .string(Self.crc(info.checksum))),
                            ("validation_metrics", .string(info.validationMetricsJSON)),
                            ("training_metrics", .string(info.trainingMetricsJSON)),
                        ])
                    })
            )
        ])
    }

    static func crc(_ checksum: UInt32) -> String {
        let hex = String(checksum, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
