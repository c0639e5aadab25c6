import BARNN
public import Engine
import Foundation
import MQTT
import Storage

/// The JSON health summary barnnd publishes (retained) on `<status topic>/health` every `publish.health_interval`.
public struct HealthReport: Sendable, Encodable {
    /// Rates over the last interval, per second.
    public struct Rates: Sendable, Encodable, Equatable {
        /// MQTT messages handed to the engine.
        public var messages: Double
        /// Observations stored (steps learned).
        public var observations: Double
        /// Forecasts issued (BARNN and fallback).
        public var forecasts: Double

        /// Rates from their values.
        public init(messages: Double, observations: Double, forecasts: Double) {
            self.messages = messages
            self.observations = observations
            self.forecasts = forecasts
        }
    }

    /// One model group.
    public struct Model: Sendable, Encodable, Equatable {
        /// The group name.
        public var name: String
        /// The active checkpoint version, 0 for none.
        public var version: Int
        /// `barnn` or `fallback`.
        public var kind: String
        /// Streams in memory served by the group.
        public var streams: Int
        /// `none`, `running`, `succeeded` or `failed: reason`.
        public var lastTraining: String

        /// A group from its values.
        public init(name: String, version: Int, kind: String, streams: Int, lastTraining: String) {
            self.name = name
            self.version = version
            self.kind = kind
            self.streams = streams
            self.lastTraining = lastTraining
        }
    }

    /// Why intake is stalled: nothing new is acknowledged to the broker until it clears.
    public struct Stall: Sendable, Encodable, Equatable {
        /// `storage` (the store writer is full: slow disk, disk full, read-only) or `inbox` (it cannot be written).
        public var by: String
        /// How long it has lasted.
        public var seconds: Double
        /// The last error, or what holds intake.
        public var reason: String

        /// A stall from its values.
        public init(by: String, seconds: Double, reason: String) {
            self.by = by
            self.seconds = seconds
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case by, reason
            case seconds = "duration_s"
        }
    }

    /// The report time, ISO-8601 UTC.
    public var time: String
    /// Seconds since the daemon started.
    public var uptimeSeconds: Double
    /// Streams in memory.
    public var streams: Int
    /// Rates over the last interval.
    public var rates: Rates
    /// The engine's counters.
    public var engine: EngineCounters
    /// The MQTT client's counters.
    public var mqtt: [String: UInt64]
    /// The store writer's counters.
    public var writer: [String: Int]
    /// The runtime's own counters.
    public var runtime: RuntimeCounters
    /// Model groups.
    public var models: [Model]
    /// Set while intake is stalled, with the reason; absent otherwise.
    public var stall: Stall?
    /// The OpenBLAS kernels this process runs (and the generic core it corrected, if any): a 3–5× speed factor.
    public var blasCore = BLASCore.summary

    /// A report from its parts (the engine loop builds them; tests and exporters may too).
    public init(
        time: String, uptimeSeconds: Double, streams: Int, rates: Rates, engine: EngineCounters,
        mqtt: [String: UInt64], writer: [String: Int], runtime: RuntimeCounters, models: [Model], stall: Stall?
    ) {
        self.time = time
        self.uptimeSeconds = uptimeSeconds
        self.streams = streams
        self.rates = rates
        self.engine = engine
        self.mqtt = mqtt
        self.writer = writer
        self.runtime = runtime
        self.models = models
        self.stall = stall
    }

    enum CodingKeys: String, CodingKey {
        case time, streams, rates, engine, mqtt, writer, runtime, models, stall
        case blasCore = "blas_core"
        case uptimeSeconds = "uptime_s"
    }

    /// The report as compact JSON with sorted keys.
    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? Array(encoder.encode(self))) ?? Array("{}".utf8)
    }

    /// The one-line summary for `systemctl status` and the health log line.
    public var statusLine: String {
        let versions = models.map { "\($0.name) v\($0.version) \($0.kind)" }.joined(separator: ", ")
        let stalled = stall.map { "intake stalled by \($0.by) for \(Int($0.seconds)) s: \($0.reason); " } ?? ""
        return stalled
            + String(
                format: "%d streams, %.1f msg/s, %.1f forecasts/s; models: %@", streams, rates.messages,
                rates.forecasts,
                versions)
    }
}

extension HealthReport.Model {
    init(_ summary: ModelSummary) {
        name = summary.name
        version = summary.version
        kind = summary.kind.rawValue
        streams = summary.streams
        switch summary.lastTraining {
        case .none: lastTraining = "none"
        case .running: lastTraining = "running"
        case .succeeded(let version): lastTraining = "succeeded v\(version)"
        case .failed(let reason): lastTraining = "failed: \(reason)"
        }
    }
}

extension MQTTCounters {
    /// The counters by snake_case name, for the health report.
    var report: [String: UInt64] {
        [
            "messages_received": messagesReceived, "messages_dropped": messagesDropped,
            "consumer_stalls": consumerStalls, "queued_messages": queuedMessages,
            "messages_published": messagesPublished, "publish_failures": publishFailures,
            "publish_queue_full": publishQueueFull, "publishes_deferred": publishesDeferred, "connects": connects,
            "reconnects": reconnects, "resubscribes": resubscribes, "subscriptions_granted": subscriptionsGranted,
            "subscribe_failures": subscribeFailures, "before_acknowledge_failures": beforeAcknowledgeFailures,
            "acknowledgements_withheld": acknowledgementsWithheld,
        ]
    }
}

extension WriterCounters {
    /// The counters by snake_case name, for the health report.
    var report: [String: Int] {
        [
            "observations_written": observationsWritten, "duplicate_observations": duplicateObservations,
            "forecast_rows_written": forecastRowsWritten, "stream_states_written": streamStatesWritten,
            "calibration_pools_written": calibrationPoolsWritten,
            "events_written": eventsWritten, "rejects_written": rejectsWritten, "invalid_rows": invalidRows,
            "batches_committed": batchesCommitted, "failed_batches": failedBatches, "rows_dropped": rowsDropped,
            "rows_rejected": rowsRejected, "queued_rows": queuedRows, "pending_rows": pendingRows,
        ]
    }
}
