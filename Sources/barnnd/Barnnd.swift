import ArgumentParser
import BARNN
import CEarlySignals

/// The barnnd command line: the daemon and the tools that inspect what it stored.
@main
struct Barnnd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "barnnd",
        abstract: "Streaming time-series forecasts with calibrated intervals, over MQTT.",
        version: "0.1.0",
        subcommands: [
            Run.self, Replay.self, CheckConfig.self, Status.self, Streams.self, History.self, Plot.self,
            Checkpoints.self, Events.self, Rejects.self, Train.self, Rollback.self, BacktestCommand.self,
        ]
    )

    /// Corrects OpenBLAS's kernel choice before anything runs (it may re-execute the process), then parses and runs
    /// the command as ArgumentParser's own `main` would.
    static func main() async {
        BLASCore.correctIfNeeded(
            hold: { barnnd_hold_stop_signals_for_exec() == 0 }, release: barnnd_release_stop_signals_after_failed_exec)
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
