import Foundation
import Testing

/// Expected outputs kept as files in `Tests/barnndTests/Golden/`; `BARNND_UPDATE_GOLDEN=1 swift test` rewrites them
/// (review the diff before committing).
enum Golden {
    static let directory = BarnndProcess.repository.appendingPathComponent("Tests/barnndTests/Golden")

    /// Expects `output` to equal the golden file `name`.
    static func check(_ output: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["BARNND_UPDATE_GOLDEN"] == "1" {
            try output.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try #require(
            try? String(contentsOf: url, encoding: .utf8), "missing golden file \(name)",
            sourceLocation: sourceLocation)
        #expect(output == expected, "output differs from Golden/\(name)", sourceLocation: sourceLocation)
    }
}
