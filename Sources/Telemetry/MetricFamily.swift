import Prometheus

/// One metric name barnnd exports, with its type and help text; every series is made through one of these, so a
/// name always carries the same help (swift-prometheus refuses two helps for one name).
public struct MetricFamily: Sendable, Hashable {
    /// How Prometheus reads the series.
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// The full name, e.g. `barnnd_ingest_readings_total`.
    public let name: String
    /// The `# TYPE`.
    public let kind: Kind
    /// The `# HELP` text.
    public let help: String

    init(_ kind: Kind, _ name: String, _ help: String) {
        self.kind = kind
        self.name = "barnnd_" + name
        self.help = help
    }

    var descriptor: MetricNameDescriptor {
        // The whole name is the metric name: the unit suffix is already part of it.
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

extension MetricFamily {
    // Ingest: what arrived and what became of it.
    static let ingestMessages = MetricFamily(
        .counter, "ingest_messages_total", "MQTT messages handed to the engine.")
    static let ingestReadings = MetricFamily(
        .counter, "ingest_readings_total", "Readings accepted by the ingestor (a SenML pack may hold several).")
    static let ingestDuplicates = MetricFamily(
        .counter, "ingest_duplicates_total",
        "Accepted readings that were bit-identical redeliveries, ignored (QoS 1 redeliveries, inbox replays).")
    static let ingestRejects = MetricFamily(
        .counter, "ingest_rejects_total", "Messages or records rejected, by reason code.")
    static let observations = MetricFamily(
        .counter, "engine_observations_total", "Resampled steps stored, present or missing.")
    static let gaps = MetricFamily(.counter, "engine_gaps_total", "Of the observations, explicit missing steps.")

    // Engine and forecasts.
    static let ticks = MetricFamily(.counter, "engine_ticks_total", "Engine ticks run.")
    static let tickDuration = MetricFamily(
        .histogram, "engine_tick_duration_seconds", "Duration of one engine tick (learning, batched steps, forecasts).")
    static let busySeconds = MetricFamily(
        .counter, "engine_busy_seconds_total", "Seconds the engine thread spent per phase.")
    static let forecasts = MetricFamily(
        .counter, "forecasts_total", "Forecasts issued, by model kind (barnn or fallback).")
    static let streamsActive = MetricFamily(.gauge, "streams_active", "Streams whose state is in memory.")
    static let evictions = MetricFamily(
        .counter, "engine_evictions_total", "Streams evicted because engine.max_streams was reached.")
    static let driftAlarms = MetricFamily(.counter, "drift_alarms_total", "Drift alarms raised by the streams.")
    static let uptime = MetricFamily(.gauge, "uptime_seconds", "Seconds since the daemon started.")
    static let snapshotAge = MetricFamily(
        .gauge, "snapshot_age_seconds", "Age of the engine snapshot these metrics come from.")

    // Models.
    static let modelVersion = MetricFamily(
        .gauge, "model_version", "Active checkpoint version per model group (0: the fallback serves).")
    static let modelStreams = MetricFamily(.gauge, "model_streams", "Streams in memory per model group.")
    static let modelLastTraining = MetricFamily(
        .gauge, "model_last_training",
        "1 for the outcome of the group's last training (none, running, succeeded, failed), 0 for the others.")
    static let trainings = MetricFamily(
        .counter, "model_trainings_total", "Trainings by outcome (started, succeeded, failed).")
    static let promotions = MetricFamily(
        .counter, "model_promotions_total", "Trained candidates by gate outcome (promoted, refused).")

    // Queues and stalls.
    static let queueDepth = MetricFamily(
        .gauge, "queue_depth", "Items waiting per hand-off: mqtt (messages), mailbox (messages), storage (rows).")
    static let intakeStalled = MetricFamily(
        .gauge, "intake_stalled", "1 while intake is stalled, by what holds it (storage or inbox).")
    static let intakeStalls = MetricFamily(
        .counter, "intake_stalls_total", "Times intake stalled, by what held it (storage, mqtt consumer).")

    // Storage.
    static let storageRows = MetricFamily(
        .counter, "storage_rows_written_total", "Rows committed by the store writer, by table.")
    static let storageBatches = MetricFamily(
        .counter, "storage_batches_total", "Store writer transactions, by outcome (committed, failed).")
    static let storageRowsLost = MetricFamily(
        .counter, "storage_rows_lost_total",
        "Rows not stored, by why: invalid, dropped (after retries at a stop), refused (writer closed or stalled).")
    static let storagePendingRows = MetricFamily(
        .gauge, "storage_pending_rows", "Rows queued or in the batch being written.")

    // MQTT.
    static let mqttConnected = MetricFamily(.gauge, "mqtt_connected", "1 while the broker has accepted us.")
    static let mqttReceived = MetricFamily(
        .counter, "mqtt_messages_received_total", "Messages received from the broker.")
    static let mqttPublished = MetricFamily(
        .counter, "mqtt_messages_published_total", "Messages published (forecasts, health, status).")
    static let mqttPublishFailures = MetricFamily(
        .counter, "mqtt_publish_failures_total", "Publishes the client refused (queue full, invalid, closed).")
    static let mqttConnects = MetricFamily(
        .counter, "mqtt_connects_total", "Connections the broker accepted, the first and every reconnect.")

    // Per stream, for a bounded set.
    static let streamCoverage = MetricFamily(
        .gauge, "stream_coverage_ratio",
        "Empirical coverage of the central interval at each nominal level, over the stream's latest drift window.")
    static let streamCRPS = MetricFamily(
        .gauge, "stream_crps", "Mean CRPS over the stream's latest drift window, in the stream's units.")
    static let streamScored = MetricFamily(
        .gauge, "stream_scored_forecasts", "Forecasts scored in the stream's latest drift window.")
    static let streamMetricsStreams = MetricFamily(
        .gauge, "stream_metrics_streams", "Streams exported with per-stream series (bounded by http.stream_metrics).")

    // The HTTP server itself.
    static let storeReadFailures = MetricFamily(
        .counter, "http_store_read_failures_total", "Reads of the database for /metrics that failed.")
    static let unauthorized = MetricFamily(
        .counter, "http_unauthorized_total", "Requests refused for missing or wrong basic-auth credentials.")

    /// Every family barnnd can export, for documentation and the dashboard check.
    public static let all: [MetricFamily] = [
        ingestMessages, ingestReadings, ingestDuplicates, ingestRejects, observations, gaps, ticks, tickDuration,
        busySeconds, forecasts, streamsActive, evictions, driftAlarms, uptime, snapshotAge, modelVersion, modelStreams,
        modelLastTraining, trainings, promotions, queueDepth, intakeStalled, intakeStalls, storageRows,
        storageBatches, storageRowsLost, storagePendingRows, mqttConnected, mqttReceived, mqttPublished,
        mqttPublishFailures, mqttConnects, streamCoverage, streamCRPS, streamScored, streamMetricsStreams,
        storeReadFailures, unauthorized,
    ]
}
