import ArgumentParser

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
}
