import ArgumentParser
import Configuration
import Foundation
import Logging
import Storage
import Trainer

/// `barnnd rollback MODEL VERSION`: re-activates a stored checkpoint; the running daemon swaps it in.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-activate a stored checkpoint of a model group; the running daemon swaps it in within seconds.",
        discussion: """
            Only the last retrain.keep_last checkpoints are stored (see barnnd checkpoints). Writes a \
            checkpoint_activated event; the daemon records model_activated when it has swapped the model in.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The model group.")
    var model: String

    @Argument(help: "The checkpoint version to activate.")
    var version: Int

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let store = try Store(
            path: configuration.storage.path,
            logger: Logger(label: "barnnd.rollback") { _ in SwiftLogNoOpLogHandler() })
        let stored = try store.checkpoints(model: model).map(\.version)
        guard stored.contains(version) else {
            let list = stored.isEmpty ? "none" : stored.map(String.init).joined(separator: ", ")
            FileHandle.standardError.write(Data("\(model) v\(version) is not stored (stored: \(list))\n".utf8))
            throw ExitCode.failure
        }
        let writer = store.makeWriter()
        let previous: Int
        do {
            previous = try await CheckpointRollback.activate(
                store: store, writer: writer, model: model, version: version,
                timeUs: InspectionContext.clockMicroseconds())
        } catch {
            await writer.close()
            throw error
        }
        await writer.close()
        print("activated \(model) v\(version) (was v\(previous))")
    }
}
