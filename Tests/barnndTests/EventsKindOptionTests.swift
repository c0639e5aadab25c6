import Foundation
import Storage
import Testing

/// `barnnd events --kind` offers exactly the kinds the daemon writes, and refuses others.
@Suite struct EventsKindOptionTests {
    @Test func kindChoicesAreTheEventKinds() throws {
        let result = try BarnndProcess.run(["--experimental-dump-help"])
        #expect(result.status == 0)
        let tool = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let commands = try #require((tool["command"] as? [String: Any])?["subcommands"] as? [[String: Any]])
        let events = try #require(commands.first { $0["commandName"] as? String == "events" })
        let arguments = try #require(events["arguments"] as? [[String: Any]])
        let kind = try #require(
            arguments.first { argument in
                (argument["names"] as? [[String: Any]])?.contains { $0["name"] as? String == "kind" } == true
            })
        #expect(kind["allValues"] as? [String] == EventKind.allCases.map(\.rawValue))
    }

    @Test func aKindNeverWrittenIsRefused() throws {
        let result = try BarnndProcess.run(["events", "--kind", "promotion"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("promotion"))
    }
}
