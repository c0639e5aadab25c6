import Foundation
import Testing
import WebView

/// The JSON API against a real barnnd fed the demo slice (fallback forecasts only, so no training runs): each
/// endpoint answers what the matching CLI command prints, and bad input gets a 4xx with a one-line reason.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WebAPITests {
    @Test func endpointsAgreeWithTheCLIAndRefuseBadInput() async throws {
        let fixture = try WebViewFixture(minHistory: 5000)
        try await fixture.startDaemon()
        try fixture.replay("demo-slice.csv")
        try await fixture.waitUntil("the demo slice stored") { try fixture.observationCount() == 3 * 168 }
        fixture.stopDaemon()
        try await fixture.startServer()
        let stream = "demo/elec/demand_gw"
        let encoded = "demo%2Felec%2Fdemand_gw"

        let pairs: [(api: String, cli: [String])] = [
            ("/api/streams", ["streams", "--format", "json"]),
            ("/api/streams?sort=last-seen", ["streams", "--sort", "last-seen", "--format", "json"]),
            ("/api/history?stream=\(encoded)", ["history", stream, "--format", "json"]),
            ("/api/history?stream=\(encoded)&step=3", ["history", stream, "--step", "3", "--format", "json"]),
            (
                "/api/history?stream=\(encoded)&since=2014-01-04T00:00Z&until=2014-01-04T06:00Z",
                ["history", stream, "--since", "2014-01-04T00:00Z", "--until", "2014-01-04T06:00Z", "--format", "json"]
            ),
            ("/api/checkpoints", ["checkpoints", "--format", "json"]),
        ]
        for pair in pairs {
            let answer = try await fixture.get(pair.api)
            let printed = try fixture.cli(pair.cli)
            #expect(answer.status == 200, "\(pair.api): \(answer.body)")
            #expect(answer.type.hasPrefix("application/json"), "\(pair.api): \(answer.type)")
            #expect(printed.status == 0, "barnnd \(pair.cli.joined(separator: " ")) exited \(printed.status)")
            #expect(answer.body == printed.output, "\(pair.api) differs from barnnd \(pair.cli.joined(separator: " "))")
        }
        let history = try await fixture.get("/api/history?stream=\(encoded)")
        let points = try JSONSerialization.jsonObject(with: Data(history.body.utf8)) as? [String: Any]
        #expect((points?["points"] as? [Any])?.count ?? 0 >= 48, "a day of half-hourly readings")

        // The chart is the SVG `barnnd plot` writes.
        let chart = try await fixture.get("/api/chart.svg?stream=\(encoded)&units=GW")
        let file = fixture.directory.appendingPathComponent("plot.svg").path
        #expect(try fixture.cli(["plot", stream, "--units", "GW", "--out", file]).status == 0)
        #expect(chart.status == 200 && chart.type.hasPrefix("image/svg+xml"))
        #expect(chart.body == (try String(contentsOfFile: file, encoding: .utf8)))
        #expect(chart.body.contains("class=\"observed\"") && chart.body.contains("class=\"band band-90\""))

        let forecast = try await fixture.get("/api/forecast?stream=\(encoded)")
        let latest = (try JSONSerialization.jsonObject(with: Data(forecast.body.utf8)) as? [String: Any])?["latest"]
        #expect(((latest as? [String: Any])?["points"] as? [Any])?.count == 6, "\(forecast.body)")

        // Bad input: a clear reason, a 4xx, a counted refusal; nothing breaks.
        let refusals: [(path: String, status: Int, reason: String)] = [
            ("/api/history?stream=demo%2Felec%2Fdemand_g", 404, "did you mean 'demo/elec/demand_gw'"),
            ("/api/history", 400, "missing query parameter 'stream'"),
            ("/api/history?stream=\(encoded)&step=0", 400, "step must be a whole number"),
            ("/api/streams?sort=fastest", 400, "unknown sort 'fastest'"),
            ("/api/events?since=tomorrow-ish", 400, "cannot read time"),
            ("/api/events?kind=party", 400, "unknown kind 'party'"),
            ("/api/chart.svg?stream=\(encoded)&width=5", 400, "width must be"),
            ("/api/checkpoints?model=defualt", 400, "no checkpoints of model 'defualt'"),
        ]
        for refusal in refusals {
            let answer = try await fixture.get(refusal.path)
            #expect(answer.status == refusal.status, "\(refusal.path): \(answer.status) \(answer.body)")
            #expect(answer.body.contains(refusal.reason), "\(refusal.path): \(answer.body)")
            #expect(answer.type.hasPrefix("application/json"))
        }
        #expect(fixture.webView?.counters.snapshot.refused == refusals.count)
        #expect(try await fixture.get("/api/nothing").status == 404)

        // The page and its assets come from barnnd alone, and the policy forbids anything else.
        for path in ["/", "/stream?name=\(encoded)", "/assets/barnnd.js", "/assets/barnnd.css"] {
            let answer = try await fixture.get(path)
            #expect(answer.status == 200, "\(path)")
            #expect(!answer.body.contains("://"), "\(path) names another origin")
        }
        #expect(try await fixture.get("/").type.hasPrefix("text/html"))
        await fixture.stopServer()
    }
}
