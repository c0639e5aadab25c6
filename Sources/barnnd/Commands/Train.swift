import ArgumentParser
import Configuration
import Formats
import Foundation
import Logging
import Storage
import Trainer

/// `barnnd train --model NAME [--wait]`: asks the running daemon to retrain a model group, through the database.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask the running daemon to retrain a model group (through the database; no broker needed).",
        discussion: """
            Writes a train_requested event; the daemon picks it up within about 5 seconds, trains, compares the \
            candidate with the active model on the same validation windows and promotes it only when it is no \
            worse within retrain.promotion_tolerance. With --wait, prints the outcome event and exits 0 when the \
            candidate was promoted, 3 when the active model was kept, 1 when the training failed, 4 on timeout.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The model group to retrain ([models.NAME]).")
    var model: String

    @Flag(help: "Wait for the outcome and print it.")
    var wait = false

    @Option(help: "Seconds to wait with --wait (default 3600).")
    var timeout: Double = 3600

    func run() async throws {
        let configuration = try global.loadConfiguration()
        guard configuration.models[model] != nil else {
            throw ValidationError(
                "no model group '\(model)' in the configuration (groups: \(configuration.models.keys.sorted().joined(separator: ", ")))"
            )
        }
        let store = try Store(
            path: configuration.storage.path, logger: Logger(label: "barnnd.train") { _ in SwiftLogNoOpLogHandler() })
        let nowUs = InspectionContext.clockMicroseconds()
        let writer = store.makeWriter()
        let id: String
        do {
            id = try await TrainRequest.submit(writer: writer, model: model, timeUs: nowUs)
        } catch {
            await writer.close()
            throw error
        }
        await writer.close()
        print("requested: model \(model), request \(id)")
        guard wait else { return }
        let sinceUs = nowUs - 10 * 60 * UTCTimestamp.microsecondsPerSecond
        let deadline = Date().addingTimeInterval(timeout)
        var announcedStart = false
        while Date() < deadline {
            if let outcome = try TrainRequest.outcome(store: store, id: id, sinceUs: sinceUs) {
                print("\(outcome.kind): \(outcome.detailJSON)")
                switch EventKind(rawValue: outcome.kind) {
                case .trainingSucceeded: return
                case .trainingRejected: throw ExitCode(3)
                default: throw ExitCode.failure
                }
            }
            if !announcedStart, try TrainRequest.isStarted(store: store, id: id, sinceUs: sinceUs) {
                print("training started")
                announcedStart = true
            }
            try await Task.sleep(for: .seconds(1))
        }
        FileHandle.standardError.write(
            Data("no outcome within \(timeout) s (is the daemon running with this database?)\n".utf8))
        throw ExitCode(4)
    }
}
