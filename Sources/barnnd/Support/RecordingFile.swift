import ArgumentParser
import Backtest
import Foundation

/// Reads a `timestamp,stream,value` CSV for `replay` and `backtest`, with one-line errors naming the file.
enum RecordingFile {
    /// The parsed recording at `path`.
    static func load(_ path: String) throws -> ReplayRecording {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try ReplayRecording(csv: text)
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }
}
