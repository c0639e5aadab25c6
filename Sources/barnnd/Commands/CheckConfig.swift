import ArgumentParser
import Configuration
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
        do {
            let configuration = try global.loadConfiguration(path: path)
            let rules = configuration.rules.count
            let groups = configuration.models.count
            print("ok: \(rules) rule\(rules == 1 ? "" : "s"), \(groups) model group\(groups == 1 ? "" : "s")")
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data((error.formatted(file: path) + "\n").utf8))
            throw ExitCode.validationFailure
        }
    }
}
