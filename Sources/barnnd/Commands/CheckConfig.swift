import ArgumentParser
import Daemon
import Foundation

/// `barnnd check-config [FILE]`: validates a configuration file and lists every problem.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file and print every problem with its line and key.",
        discussion: """
            Prints "ok: N rules, M model groups" and exits 0 when the file is valid. Otherwise prints each problem \
            to standard error as FILE:LINE: key.path: message and exits with status 64.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The file to check (default: --config).")
    var file: String?

    func run() throws {
        let path = file ?? global.configPath
        let problems: [ConfigurationError.Problem]
        do {
            let configuration = try DaemonConfiguration.load(contentsOf: path)
            let effective = configuration.applying(try global.overrides())
            problems = effective.validate()
            if problems.isEmpty {
                let rules = effective.rules.count
                let groups = effective.models.count
                print("ok: \(rules) rule\(rules == 1 ? "" : "s"), \(groups) model group\(groups == 1 ? "" : "s")")
                return
            }
        } catch let error as ConfigurationError {
            problems = error.problems
        }
        for problem in problems {
            FileHandle.standardError.write(Data((problem.formatted(file: path) + "\n").utf8))
        }
        throw ExitCode.validationFailure
    }
}
