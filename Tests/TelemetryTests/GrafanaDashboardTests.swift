import Daemon
import Foundation
import Telemetry
import Testing

/// `config/grafana/barnnd.json` is an importable dashboard whose queries use only series barnnd exports.
@Suite struct GrafanaDashboardTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/grafana/barnnd.json").path

    /// Every `expr` of every panel target.
    static func expressions(_ dashboard: [String: Any]) -> [String] {
        let panels = dashboard["panels"] as? [[String: Any]] ?? []
        return panels.flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
    }

    /// The metric names (series names without histogram suffixes) in the exporter's output for a snapshot that
    /// exercises every family.
    static func exportedNames() -> Set<String> {
        let metrics = DaemonMetrics(streamLimit: 5)
        metrics.recordTick(.milliseconds(2))
        metrics.countStoreReadFailure()
        metrics.update(
            from: DaemonMetricsTests.snapshot(readings: 4, stall: .init(by: "storage", seconds: 1, reason: "slow")),
            streams: [DaemonMetricsTests.drift("a/b", end: 1)], now: 101)
        var names = Set<String>()
        for line in DaemonMetricsTests.samples(metrics) {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            names.insert(name)
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                names.insert(String(name.dropLast(suffix.count)))
            }
        }
        return names
    }

    @Test func dashboardParsesAndQueriesOnlyExportedSeries() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.path))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(dashboard["title"] as? String == "barnnd")
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        #expect(variables.contains { $0["type"] as? String == "datasource" && $0["query"] as? String == "prometheus" })
        let panels = dashboard["panels"] as? [[String: Any]] ?? []
        #expect(panels.count >= 10)
        for panel in panels {
            let source = panel["datasource"] as? [String: Any]
            #expect(source?["uid"] as? String == "${datasource}", "\(panel["title"] ?? "?")")
        }

        let exported = Self.exportedNames()
        let pattern = try Regex(#"barnnd_[a-z0-9_]+"#)
        var referenced = Set<String>()
        for expression in Self.expressions(dashboard) {
            for match in expression.matches(of: pattern) { referenced.insert(String(expression[match.range])) }
        }
        #expect(referenced.count >= 20)
        for name in referenced.sorted() {
            #expect(exported.contains(name), "the dashboard queries \(name), which barnnd does not export")
        }
        // The panels the README promises.
        for needed in [
            "barnnd_ingest_rejects_total", "barnnd_queue_depth", "barnnd_engine_tick_duration_seconds_bucket",
            "barnnd_forecasts_total", "barnnd_stream_coverage_ratio", "barnnd_model_version", "barnnd_mqtt_connected",
        ] {
            #expect(referenced.contains(needed), "no panel shows \(needed)")
        }
    }
}
