import Daemon
import Engine
import Foundation
import MQTT
import Storage
import Telemetry
import Testing

@Suite struct DaemonMetricsTests {
    static func snapshot(readings: Int, streams: Int = 1, stall: HealthReport.Stall? = nil) -> DaemonSnapshot {
        var engine = EngineCounters()
        engine.readings = readings
        engine.rejects = ["bad_json": readings / 2]
        engine.forecastsFallback = readings * 2
        let health = HealthReport(
            time: "2026-01-01T00:00:00Z", uptimeSeconds: 5, streams: streams,
            rates: .init(messages: 0, observations: 0, forecasts: 0), engine: engine, mqtt: ["connects": 1],
            writer: ["observations_written": readings], runtime: RuntimeCounters(),
            models: [.init(name: "g", version: 2, kind: "barnn", streams: streams, lastTraining: "failed: too short")],
            stall: stall)
        return DaemonSnapshot(
            health: health, takenAt: 100, mqttState: .connected, mailboxDepth: 0, mailboxCapacity: 8192)
    }

    /// Sample lines (not `#` comments) of the exposition.
    static func samples(_ metrics: DaemonMetrics) -> [String] {
        String(decoding: metrics.exposition(), as: UTF8.self).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.map(String.init)
    }

    static func value(_ metrics: DaemonMetrics, _ series: String) -> Double? {
        samples(metrics).first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    static func drift(_ stream: String, end: Int64, levels: [Double] = [0.5, 0.8, 0.9]) -> DriftRecord {
        DriftRecord(
            stream: stream, windowEndUs: end, n: 20, crps: 0.25, mae: 0.2,
            coverage: levels.map { .init(level: $0, value: $0 - 0.01) }, pitBins: [], alarm: false)
    }

    @Test func countersAdvanceByTheSnapshotsDifferenceAndNeverGoDown() {
        let metrics = DaemonMetrics(streamLimit: 0)
        metrics.update(from: Self.snapshot(readings: 5), streams: [], now: 101)
        #expect(Self.value(metrics, "barnnd_ingest_readings_total") == 5)
        metrics.update(from: Self.snapshot(readings: 8), streams: [], now: 102)
        #expect(Self.value(metrics, "barnnd_ingest_readings_total") == 8)
        #expect(Self.value(metrics, #"barnnd_forecasts_total{model="fallback"}"#) == 16)
        #expect(Self.value(metrics, #"barnnd_ingest_rejects_total{reason="bad_json"}"#) == 4)
        // A counter that restarted (a smaller value) is counted again from where it restarted.
        metrics.update(from: Self.snapshot(readings: 2), streams: [], now: 103)
        #expect(Self.value(metrics, "barnnd_ingest_readings_total") == 8)
        metrics.update(from: Self.snapshot(readings: 4), streams: [], now: 104)
        #expect(Self.value(metrics, "barnnd_ingest_readings_total") == 10)
        #expect(Self.value(metrics, "barnnd_snapshot_age_seconds") == 4)
        #expect(Self.value(metrics, #"barnnd_model_last_training{group="g",outcome="failed"}"#) == 1)
        #expect(Self.value(metrics, #"barnnd_model_last_training{group="g",outcome="none"}"#) == 0)
        #expect(Self.value(metrics, #"barnnd_intake_stalled{by="storage"}"#) == 0)
        metrics.update(
            from: Self.snapshot(readings: 4, stall: .init(by: "storage", seconds: 3, reason: "disk full")),
            streams: [], now: 105)
        #expect(Self.value(metrics, #"barnnd_intake_stalled{by="storage"}"#) == 1)
    }

    @Test func noSnapshotYetExportsOnlyTheProcessWideSeries() {
        let metrics = DaemonMetrics(streamLimit: 5)
        metrics.update(from: nil, streams: [], now: 1)
        #expect(Self.value(metrics, "barnnd_ingest_readings_total") == nil)
        #expect(Self.value(metrics, "barnnd_stream_metrics_streams") == 0)
    }

    @Test func tickDurationsFillTheHistogram() {
        let metrics = DaemonMetrics(streamLimit: 0)
        metrics.recordTick(.microseconds(300))
        metrics.recordTick(.milliseconds(30))
        metrics.recordTick(.seconds(20))
        #expect(Self.value(metrics, #"barnnd_engine_tick_duration_seconds_bucket{le="0.0005"}"#) == 1)
        #expect(Self.value(metrics, #"barnnd_engine_tick_duration_seconds_bucket{le="0.05"}"#) == 2)
        #expect(Self.value(metrics, #"barnnd_engine_tick_duration_seconds_bucket{le="+Inf"}"#) == 3)
        #expect(Self.value(metrics, "barnnd_engine_tick_duration_seconds_count") == 3)
    }

    /// 10 000 known streams cost `stream_metrics × (levels + 2)` series, and a stream that leaves the most recent
    /// set takes its series with it.
    @Test func tenThousandStreamsStayBounded() {
        let streams = (0..<10_000).map { Self.drift("site/sensor-\($0)", end: Int64($0)) }
        let unbounded = DaemonMetrics(streamLimit: 0)
        unbounded.update(from: Self.snapshot(readings: 1, streams: 10_000), streams: streams, now: 100)
        let base = Self.samples(unbounded).count

        let metrics = DaemonMetrics(streamLimit: 50)
        metrics.update(from: Self.snapshot(readings: 1, streams: 10_000), streams: streams, now: 100)
        let lines = Self.samples(metrics)
        let perStream = lines.filter { $0.hasPrefix("barnnd_stream_") && !$0.hasPrefix("barnnd_stream_metrics") }
        #expect(perStream.count == 50 * (3 + 2))
        #expect(lines.count == base + 50 * 5)
        // The 50 most recently scored: sensor-9950 … sensor-9999.
        #expect(lines.contains(#"barnnd_stream_crps{stream="site/sensor-9999"} 0.25"#))
        #expect(!lines.contains { $0.contains(#"stream="site/sensor-9949""#) })
        #expect(lines.contains(#"barnnd_stream_coverage_ratio{stream="site/sensor-9950",level="0.9"} 0.89"#))

        let later = streams.prefix(40).map { Self.drift($0.stream, end: 20_000) }
        metrics.update(from: Self.snapshot(readings: 1, streams: 10_000), streams: later, now: 100)
        let after = Self.samples(metrics)
        #expect(!after.contains { $0.contains(#"stream="site/sensor-9999""#) })
        #expect(after.filter { $0.hasPrefix("barnnd_stream_crps{") }.count == 40)
        #expect(Self.value(metrics, "barnnd_stream_metrics_streams") == 40)
        print("metrics series at 10000 streams: \(lines.count) sample lines with stream_metrics = 50, \(base) with 0")
    }

    @Test func everyExportedNameIsADocumentedFamily() {
        let metrics = DaemonMetrics(streamLimit: 3)
        metrics.recordTick(.milliseconds(1))
        metrics.countStoreReadFailure()
        metrics.update(
            from: Self.snapshot(readings: 3, stall: .init(by: "inbox", seconds: 1, reason: "x")),
            streams: [Self.drift("a", end: 1)], now: 100)
        let known = Set(MetricFamily.all.map(\.name))
        for line in Self.samples(metrics) {
            var name = String(line.prefix { $0 != "{" && $0 != " " })
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && !known.contains(name) {
                name.removeLast(suffix.count)
            }
            #expect(known.contains(name), "\(line)")
            #expect(name.hasPrefix("barnnd_"))
        }
        for family in MetricFamily.all where family.kind == .counter { #expect(family.name.hasSuffix("_total")) }
    }
}
