import ArgumentParser

/// The barnnd command line: the daemon and the tools that inspect what it stored.
@main
struct Barnnd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "barnnd",
        abstract: "Streaming time-series forecasts with calibrated intervals, over MQTT.",
        version: "0.1.0",
        subcommands: [CheckConfig.self, BacktestCommand.self]
    )
}
