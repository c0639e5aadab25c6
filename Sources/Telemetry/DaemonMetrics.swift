public import Daemon
import Engine
import Foundation
public import Prometheus
public import Storage
import Synchronization

/// barnnd's Prometheus metrics: the daemon's cumulative snapshot turned into counters and gauges of a
/// `PrometheusCollectorRegistry`, written in the text exposition format by swift-prometheus.
///
/// Counters advance by the difference since the previous ``update(from:streams:now:)``, so they never go down
/// while the process lives (a restart starts them at zero, which Prometheus's `rate()` handles). The engine tick
/// histogram is recorded directly by the engine thread through ``recordTick(_:)``, which takes one short lock.
/// Per-stream series are bounded to ``streamLimit`` streams, the most recently scored first; a stream that leaves
/// that set has its series removed, so 10 000 streams cost at most `streamLimit × (levels + 2)` series.
public final class DaemonMetrics: Sendable {
    /// The `Content-Type` of ``exposition()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// Upper bounds of the tick histogram's buckets: a tick takes about a millisecond idle and up to seconds on a
    /// large batch of streams on a slow machine.
    public static let tickBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(5), .seconds(10),
    ]

    private struct State {
        /// The cumulative value each counter series last advanced to, by family name and labels.
        var exported: [SeriesKey: Int] = [:]
        var exportedSeconds: [SeriesKey: Double] = [:]
        var counters: [SeriesKey: Counter] = [:]
        var gauges: [SeriesKey: Gauge] = [:]
        /// Per-stream gauges by stream, removed from the registry when the stream leaves the exported set.
        var streamGauges: [String: [Gauge]] = [:]
    }

    private struct SeriesKey: Hashable {
        var name: String
        var labels: [String]

        init(_ family: MetricFamily, _ labels: [(String, String)]) {
            name = family.name
            self.labels = labels.flatMap { [$0.0, $0.1] }
        }
    }

    /// The registry the series live in; ``exposition()`` emits it.
    public let registry: PrometheusCollectorRegistry
    /// Most streams given per-stream series.
    public let streamLimit: Int
    private let tickHistogram: DurationHistogram
    private let storeReadFailures: Counter
    private let unauthorized: Counter
    private let state = Mutex(State())

    /// An exporter with its own registry, giving per-stream series to at most `streamLimit` streams.
    public init(streamLimit: Int) {
        registry = PrometheusCollectorRegistry()
        self.streamLimit = max(0, streamLimit)
        tickHistogram = registry.makeDurationHistogram(
            descriptor: MetricFamily.tickDuration.descriptor, buckets: Self.tickBuckets)
        storeReadFailures = registry.makeCounter(descriptor: MetricFamily.storeReadFailures.descriptor)
        unauthorized = registry.makeCounter(descriptor: MetricFamily.unauthorized.descriptor)
    }

    /// Records one engine tick; called on the engine thread.
    public func recordTick(_ duration: Duration) {
        tickHistogram.record(duration)
    }

    /// Counts a failed read of the database for the per-stream series.
    public func countStoreReadFailure() {
        storeReadFailures.increment()
    }

    /// Counts a request refused by basic authentication.
    public func countUnauthorized() {
        unauthorized.increment()
    }

    /// The registry in Prometheus's text format.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    /// Brings every series up to `snapshot` (nothing when `nil`: the engine has not published one yet) and the
    /// per-stream series to `streams` (each stream's latest drift window; the most recent ``streamLimit`` are
    /// kept). `now` is Unix seconds, for the snapshot's age.
    public func update(from snapshot: DaemonSnapshot?, streams: [DriftRecord], now: Double) {
        state.withLock { state in
            if let snapshot { update(&state, snapshot, now: now) }
            updateStreams(&state, streams)
        }
    }

    private func update(_ state: inout State, _ snapshot: DaemonSnapshot, now: Double) {
        let health = snapshot.health
        let engine = health.engine
        func count(_ family: MetricFamily, _ value: Int, _ labels: [(String, String)] = []) {
            advance(&state, family, labels, to: value)
        }
        func set(_ family: MetricFamily, _ value: Double, _ labels: [(String, String)] = []) {
            gauge(&state, family, labels).set(value)
        }
        count(.ingestMessages, engine.messages)
        count(.ingestReadings, engine.readings)
        count(.ingestDuplicates, engine.duplicatesIgnored)
        for (reason, rejects) in engine.rejects { count(.ingestRejects, rejects, [("reason", reason)]) }
        count(.observations, engine.observations)
        count(.gaps, engine.gaps)
        count(.ticks, health.runtime.ticks)
        let runtime = health.runtime
        for (phase, seconds) in [
            ("receive", runtime.receiveSeconds), ("tick", runtime.tickSeconds), ("publish", runtime.publishSeconds),
            ("store", runtime.storeSeconds), ("heap_trim", runtime.heapTrimSeconds),
        ] {
            advanceSeconds(&state, .busySeconds, [("phase", phase)], to: seconds)
        }
        count(.forecasts, engine.forecastsBARNN, [("model", "barnn")])
        count(.forecasts, engine.forecastsFallback, [("model", "fallback")])
        set(.streamsActive, Double(health.streams))
        count(.evictions, engine.evictions)
        count(.driftAlarms, engine.driftAlarms)
        set(.uptime, health.uptimeSeconds)
        set(.snapshotAge, max(0, now - snapshot.takenAt))

        count(.trainings, engine.trainingsStarted, [("outcome", "started")])
        count(.trainings, engine.trainingsSucceeded, [("outcome", "succeeded")])
        count(.trainings, engine.trainingsFailed, [("outcome", "failed")])
        count(.promotions, engine.promotions, [("outcome", "promoted")])
        count(.promotions, engine.promotionsRefused, [("outcome", "refused")])
        for model in health.models {
            set(.modelVersion, Double(model.version), [("group", model.name)])
            set(.modelStreams, Double(model.streams), [("group", model.name)])
            let outcome = Self.trainingOutcome(model.lastTraining)
            for candidate in ["none", "running", "succeeded", "failed"] {
                set(.modelLastTraining, outcome == candidate ? 1 : 0, [("group", model.name), ("outcome", candidate)])
            }
        }

        let mqtt = health.mqtt
        let writer = health.writer
        set(.queueDepth, Double(mqtt["queued_messages"] ?? 0), [("queue", "mqtt")])
        set(.queueDepth, Double(snapshot.mailboxDepth), [("queue", "mailbox")])
        set(.queueDepth, Double(writer["queued_rows"] ?? 0), [("queue", "storage")])
        for by in ["storage", "inbox"] {
            set(.intakeStalled, health.stall?.by == by ? 1 : 0, [("by", by)])
        }
        count(.intakeStalls, runtime.storageStalls, [("by", "storage")])
        count(.intakeStalls, Int(clamping: mqtt["consumer_stalls"] ?? 0), [("by", "mqtt_consumer")])

        for (table, key) in [
            ("observations", "observations_written"), ("forecasts", "forecast_rows_written"),
            ("stream_states", "stream_states_written"), ("calibration_pools", "calibration_pools_written"),
            ("events", "events_written"), ("rejects", "rejects_written"),
        ] {
            count(.storageRows, writer[key] ?? 0, [("table", table)])
        }
        count(.storageBatches, writer["batches_committed"] ?? 0, [("outcome", "committed")])
        count(.storageBatches, writer["failed_batches"] ?? 0, [("outcome", "failed")])
        count(.storageRowsLost, writer["invalid_rows"] ?? 0, [("why", "invalid")])
        count(.storageRowsLost, writer["rows_dropped"] ?? 0, [("why", "dropped")])
        count(.storageRowsLost, runtime.writesRefused, [("why", "refused")])
        set(.storagePendingRows, Double(writer["pending_rows"] ?? 0))

        set(.mqttConnected, snapshot.mqttConnected ? 1 : 0)
        count(.mqttReceived, Int(clamping: mqtt["messages_received"] ?? 0))
        count(.mqttPublished, Int(clamping: mqtt["messages_published"] ?? 0))
        count(.mqttPublishFailures, Int(clamping: mqtt["publish_failures"] ?? 0))
        count(.mqttConnects, Int(clamping: mqtt["connects"] ?? 0))
    }

    /// `none`, `running`, `succeeded` or `failed` from the health report's wording.
    static func trainingOutcome(_ text: String) -> String {
        if text.hasPrefix("succeeded") { return "succeeded" }
        if text.hasPrefix("failed") { return "failed" }
        return text == "running" ? "running" : "none"
    }

    private func updateStreams(_ state: inout State, _ streams: [DriftRecord]) {
        let kept = streams.sorted { ($0.windowEndUs, $1.stream) > ($1.windowEndUs, $0.stream) }.prefix(streamLimit)
        let names = Set(kept.map(\.stream))
        for (stream, gauges) in state.streamGauges where !names.contains(stream) {
            gauges.forEach(registry.unregisterGauge)
            state.streamGauges[stream] = nil
        }
        for record in kept {
            var gauges: [Gauge] = []
            let stream = ("stream", record.stream)
            for level in record.coverage {
                let gauge = registry.makeGauge(
                    descriptor: MetricFamily.streamCoverage.descriptor, labels: [stream, ("level", "\(level.level)")])
                gauge.set(level.value)
                gauges.append(gauge)
            }
            if let crps = record.crps {
                let gauge = registry.makeGauge(descriptor: MetricFamily.streamCRPS.descriptor, labels: [stream])
                gauge.set(crps)
                gauges.append(gauge)
            }
            let scored = registry.makeGauge(descriptor: MetricFamily.streamScored.descriptor, labels: [stream])
            scored.set(Double(record.n))
            gauges.append(scored)
            // A level or CRPS that disappeared since the last update leaves with the old set.
            let current = Set(gauges.map(ObjectIdentifier.init))
            for old in state.streamGauges[record.stream] ?? [] where !current.contains(ObjectIdentifier(old)) {
                registry.unregisterGauge(old)
            }
            state.streamGauges[record.stream] = gauges
        }
        gauge(&state, .streamMetricsStreams, []).set(Double(kept.count))
    }

    private func advance(_ state: inout State, _ family: MetricFamily, _ labels: [(String, String)], to value: Int) {
        let key = SeriesKey(family, labels)
        let counter = self.counter(&state, family, labels, key)
        let previous = state.exported[key] ?? 0
        // A smaller value can only come from a counter that restarted; it counts again from there.
        if value > previous { counter.increment(by: Int64(value - previous)) }
        state.exported[key] = value
    }

    private func advanceSeconds(
        _ state: inout State, _ family: MetricFamily, _ labels: [(String, String)], to value: Double
    ) {
        let key = SeriesKey(family, labels)
        let counter = self.counter(&state, family, labels, key)
        let previous = state.exportedSeconds[key] ?? 0
        if value > previous { counter.increment(by: value - previous) }
        state.exportedSeconds[key] = value
    }

    private func counter(
        _ state: inout State, _ family: MetricFamily, _ labels: [(String, String)], _ key: SeriesKey
    ) -> Counter {
        if let counter = state.counters[key] { return counter }
        let counter = registry.makeCounter(descriptor: family.descriptor, labels: labels)
        state.counters[key] = counter
        return counter
    }

    private func gauge(_ state: inout State, _ family: MetricFamily, _ labels: [(String, String)]) -> Gauge {
        let key = SeriesKey(family, labels)
        if let gauge = state.gauges[key] { return gauge }
        let gauge = registry.makeGauge(descriptor: family.descriptor, labels: labels)
        state.gauges[key] = gauge
        return gauge
    }
}
