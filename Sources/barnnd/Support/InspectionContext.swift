import ArgumentParser
import Configuration
import Formats
import Foundation
import Inspection
import Storage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses `--format`; the library types stay free of ArgumentParser.
func parseFormat(_ text: String) throws -> OutputFormat {
    guard let format = OutputFormat(rawValue: text) else {
        throw ValidationError("unknown format '\(text)'; use table, csv or json")
    }
    return format
}

/// What every inspection command does around its report: find and open the database read-only, know "now",
/// and turn an ``InspectionError`` into one line on standard error and a documented exit status.
///
/// Exit statuses (sysexits.h): 0 success; 64 usage (bad time, unknown stream or model, bad configuration);
/// 65 not a barnnd database or damaged; 66 no database file; 69 PNG converter missing; 73 output file failed;
/// 75 database locked (try again).
struct InspectionContext {
    let global: GlobalOptions

    /// "Now" in µs since the Unix epoch: `BARNND_NOW` (ISO-8601, for reproducible output) or the clock.
    var nowUs: Int64 {
        get throws {
            if let text = Self.environment("BARNND_NOW") {
                guard let microseconds = UTCTimestamp.parseMicroseconds(text) else {
                    throw InspectionError(.invalidArgument, "BARNND_NOW: cannot read '\(text)' as an ISO-8601 time")
                }
                return microseconds
            }
            return Self.clockMicroseconds()
        }
    }

    /// The system clock in µs since the Unix epoch.
    static func clockMicroseconds() -> Int64 {
        UTCTimestamp.microseconds(Date().timeIntervalSince1970) ?? 0
    }

    /// `--database`, else `BARNND_DATABASE`, else the configuration's `storage.path`.
    func databasePath() throws -> String {
        if let path = try global.overrides().databasePath { return path }
        do {
            return try configuration().storage.path
        } catch let error as InspectionError {
            throw InspectionError(
                .invalidArgument, "no database given: pass --database PATH or set BARNND_DATABASE (\(error.message))")
        }
    }

    /// The configuration file, loaded and validated.
    func configuration() throws -> DaemonConfiguration {
        do {
            return try global.loadConfiguration()
        } catch let error as ConfigurationError {
            let count = error.problems.count
            let first = error.formatted(file: global.configPath).split(separator: "\n").first.map(String.init) ?? ""
            throw InspectionError(
                .invalidArgument,
                count == 1
                    ? "configuration: \(first)"
                    : "configuration: \(first) (and \(count - 1) more; run `barnnd check-config`)")
        }
    }

    /// Opens the database read-only.
    func openStore() throws -> Store { try InspectionStore.open(path: try databasePath()) }

    /// The window of `--since`/`--until`. With neither given it is the 24 hours up to the stream's newest observation
    /// or forecast (the wall clock's last 24 hours for a live stream; the data's own for an old or replayed one);
    /// with one given, the other keeps its default (`-24h`, `now`).
    func window(_ options: WindowOptions, store: Store, stream: String) throws -> ClosedRange<Int64> {
        let since = options.since, until = options.until
        let day: Int64 = 86_400_000_000
        if since == nil, until == nil {
            let now = try nowUs
            let latest = try InspectionStore.reading(store) { () throws(StorageError) in
                try store.latestActivityUs(stream: stream)
            }
            let end = latest.map { $0 < now - day ? $0 : max($0, now) } ?? now
            return (end - day)...end
        }
        let from = try time(since ?? "-24h", option: "--since")
        let to = try time(until ?? "now", option: "--until")
        guard from <= to else { throw InspectionError(.invalidArgument, "--since is after --until") }
        return from...to
    }

    /// Parses a time option relative to ``nowUs``.
    func time(_ text: String, option: String) throws -> Int64 {
        do {
            return try TimeExpression.parse(text, nowUs: try nowUs)
        } catch let error as InspectionError {
            throw InspectionError(.invalidArgument, "\(option): \(error.message)")
        }
    }

    /// Runs `body`, prints what it returns, and maps failures to one line and an exit status.
    func run(_ body: () async throws -> String) async throws {
        do {
            let output = try await body()
            FileHandle.standardOutput.write(Data(output.utf8))
        } catch let error as InspectionError {
            FileHandle.standardError.write(Data("barnnd: \(error.message)\n".utf8))
            throw ExitCode(Self.status(error.code))
        }
    }

    static func status(_ code: InspectionError.Code) -> Int32 {
        switch code {
        case .invalidArgument, .unknownStream: 64
        case .unreadableDatabase: 65
        case .missingDatabase: 66
        case .converterMissing: 69
        case .outputFailed: 73
        case .lockedDatabase: 75
        }
    }

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
