import ArgumentParser
import Inspection

/// `barnnd checkpoints [MODEL]`: stored model versions.
struct Checkpoints: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List stored model checkpoints, newest version first per model, the active one marked.",
        discussion: """
            --format csv: model,version,kind,created_at,active,bytes,crc32,validation,training.
            --format json: {"checkpoints":[{"model","version","kind","created_at","active","bytes","crc32",\
            "validation_metrics","training_metrics"}]} (metrics as the JSON text stored).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Only this model group.")
    var model: String?

    @Option(help: "table, csv or json (default: table).", transform: parseFormat)
    var format: OutputFormat = .table

    func run() async throws {
        let context = InspectionContext(global: global)
        try await context.run {
            try CheckpointsReport.read(from: try context.openStore(), model: model).rendered(format)
        }
    }
}
