import TOML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loading from `barnnd.toml`: the only place that knows the file's keys.
///
/// Keys are snake_case. Every problem is gathered: syntax, unknown keys (with a suggestion), wrong types, bad
/// durations and choices, then everything ``validate()`` finds, each with its key path and, where it can be located,
/// its line.
extension DaemonConfiguration {
    /// Loads and validates the file at `path`.
    public static func load(contentsOf path: String) throws(ConfigurationError) -> DaemonConfiguration {
        try DaemonConfiguration(tomlBytes: try readFile(path))
    }

    /// The file's bytes; an error names the system's reason (`No such file or directory`, `Permission denied`).
    private static func readFile(_ path: String) throws(ConfigurationError) -> [UInt8] {
        func failure() -> ConfigurationError {
            ConfigurationError(problems: [
                .init(.unreadableFile, "", "cannot read the file: \(String(cString: strerror(errno)))")
            ])
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw failure() }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure()
            }
            if count == 0 { return bytes }
            // A configuration file is small; refuse anything absurd rather than read it all.
            guard bytes.count + count <= 16 << 20 else {
                throw ConfigurationError(problems: [.init(.unreadableFile, "", "the file is larger than 16 MiB")])
            }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Parses and validates TOML text; throws with every problem found.
    public init(toml source: String) throws(ConfigurationError) {
        try self.init(tomlBytes: Array(source.utf8))
    }

    /// Parses and validates a TOML file's bytes (UTF-8 is checked by the parser, which locates a bad sequence).
    public init(tomlBytes bytes: [UInt8]) throws(ConfigurationError) {
        let document: TOMLTable
        do {
            document = try TOMLParser.parse(bytes)
        } catch {
            throw ConfigurationError(problems: [
                .init(.syntax, "", "column \(error.column): \(error.message)", line: error.line)
            ])
        }
        let collected = TOMLTableReader.Problems()
        var configuration = DaemonConfiguration()
        configuration.readSections(TOMLTableReader(document, path: "", problems: collected))
        var problems = collected.list + configuration.validate()
        for position in problems.indices where problems[position].line == nil {
            problems[position].line = collected.line(for: problems[position].keyPath)
        }
        guard problems.isEmpty else {
            // Stable sort: file order, problems without a line last.
            let ordered = problems.enumerated().sorted {
                ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset)
            }
            throw ConfigurationError(problems: ordered.map(\.element))
        }
        self = configuration
    }

    private mutating func readSections(_ root: TOMLTableReader) {
        if let table = root.table("mqtt") { mqtt.read(table) }
        if let table = root.table("storage") { storage.read(table) }
        if let table = root.table("models") {
            models = [:]
            for name in table.allKeys() {
                guard let groupTable = table.table(name) else { continue }
                var group = ModelGroup()
                group.read(groupTable)
                models[name] = group
            }
            if models.isEmpty { root.report(.missingKey, "models", "define at least one model group") }
        }
        if let tables = root.tableArray("rules") {
            rules = tables.map { table in
                var rule = Rule()
                rule.read(table)
                return rule
            }
        }
        if let table = root.table("publish") { publish.read(table) }
        if let table = root.table("engine") { engine.read(table) }
        if let table = root.table("logging") { logging.read(table) }
        if let table = root.table("homeassistant") { homeAssistant.read(table) }
        if let table = root.table("http") { http.read(table) }
        root.finish()
    }
}

extension DaemonConfiguration.MQTTSettings {
    fileprivate mutating func read(_ table: TOMLTableReader) {
        table.read("host", into: &host)
        table.read("port", into: &port)
        table.read("client_id", into: &clientID)
        table.read("keepalive", into: &keepalive)
        table.read("protocol", into: &protocolVersion)
        table.read("clean_start", into: &cleanStart)
        table.read("session_expiry", into: &sessionExpiry)
        table.read("username", into: &username)
        table.read("password_file", into: &passwordFile)
        if let tlsTable = table.table("tls") {
            tlsTable.read("enabled", into: &tls.enabled)
            tlsTable.read("ca_file", into: &tls.caFile)
            tlsTable.read("ca_dir", into: &tls.caDirectory)
            tlsTable.read("cert_file", into: &tls.certFile)
            tlsTable.read("key_file", into: &tls.keyFile)
            tlsTable.read("insecure", into: &tls.insecure)
            tlsTable.finish()
        }
        table.read("status_topic", into: &statusTopic)
        table.read("receive_maximum", into: &receiveMaximum)
        table.read("reconnect_min_delay", into: &reconnectMinDelay)
        table.read("reconnect_max_delay", into: &reconnectMaxDelay)
        table.finish()
    }
}

extension DaemonConfiguration.StorageSettings {
    fileprivate mutating func read(_ table: TOMLTableReader) {
        table.read("path", into: &path)
        table.read("batch_rows", into: &batchRows)
        table.read("batch_interval", into: &batchInterval)
        table.read("max_pending_rows", into: &maxPendingRows)
        table.read("cache_mib", into: &cacheMiB)
        if let retentionTable = table.table("retention") {
            retentionTable.read("observations", into: &retention.observations)
            retentionTable.read("forecasts", into: &retention.forecasts)
            retentionTable.read("drift", into: &retention.drift)
            retentionTable.read("events", into: &retention.events)
            retentionTable.read("rejects", into: &retention.rejects)
            retentionTable.finish()
        }
        table.finish()
    }
}

extension DaemonConfiguration.ModelGroup {
    fileprivate mutating func read(_ table: TOMLTableReader) {
        table.read("hidden_size", into: &hiddenSize)
        table.read("level_window", into: &levelWindow)
        table.read("calendar", into: &calendar)
        table.read("seasonal_input", into: &seasonalInput)
        table.read("student_t_degrees", into: &studentDegrees)
        table.read("posterior", into: &posterior)
        table.read("dropout_rate", into: &dropoutRate)
        table.read("training_steps", into: &trainingSteps)
        table.read("sgld_particles", into: &sgldParticles)
        table.read("sgld_step_size", into: &sgldStepSize)
        table.read("paths", into: &paths)
        table.read("sampling_antithetic", into: &samplingAntithetic)
        table.read("horizon", into: &horizon)
        table.read("quantiles", into: &quantiles)
        table.read("forecast_every", into: &forecastEvery)
        table.read("min_history", into: &minHistory)
        table.read("context_length", into: &contextLength)
        table.read("season", into: &season)
        table.read("seed", into: &seed)
        if let retrainTable = table.table("retrain") {
            retrainTable.read("every", into: &retrain.every)
            retrainTable.readString("window", into: &retrain.window) {
                (text: String) throws(TOMLTableReader.ChoiceError) -> DaemonConfiguration.TimeWindow? in
                if text.isEmpty { return nil }
                guard let window = DaemonConfiguration.TimeWindow(parsing: text) else {
                    throw .init(description: "'\(text)' is not a UTC window \"HH:MM-HH:MM\" (or \"\" for any time)")
                }
                return window
            }
            retrainTable.read("history", into: &retrain.history)
            retrainTable.read("drift_trigger", into: &retrain.driftTrigger)
            retrainTable.read("drift_delay", into: &retrain.driftDelay)
            retrainTable.read("cooldown", into: &retrain.cooldown)
            retrainTable.read("validation_fraction", into: &retrain.validationFraction)
            retrainTable.read("keep_last", into: &retrain.keepLast)
            retrainTable.read("promotion_tolerance", into: &retrain.promotionTolerance)
            retrainTable.read("warm_start", into: &retrain.warmStart)
            retrainTable.finish()
        }
        if let calibrationTable = table.table("calibration") {
            calibrationTable.read("method", into: &calibration.method)
            calibrationTable.read("window", into: &calibration.window)
            calibrationTable.read("rate", into: &calibration.rate)
            calibrationTable.read("keep_median", into: &calibration.keepMedian)
            calibrationTable.read("pool", into: &calibration.pool)
            calibrationTable.finish()
        }
        table.finish()
    }
}

extension DaemonConfiguration.Rule {
    fileprivate mutating func read(_ table: TOMLTableReader) {
        table.read("name", into: &name, required: true)
        table.read("topic", into: &topic, required: true)
        table.read("stream", into: &stream, required: true)
        table.read("qos", into: &qos)
        if let payloadTable = table.table("payload") {
            payloadTable.read("format", into: &payload.format)
            payloadTable.read("value_path", into: &payload.valuePath)
            payloadTable.read("time_path", into: &payload.timePath)
            payloadTable.read("time_unit", into: &payload.timeUnit)
            payloadTable.finish()
        }
        table.readString("cadence", into: &cadence) {
            (text: String) throws(Duration.ParseError) -> DaemonConfiguration.Cadence in
            text == "event" ? .event : .every(try Duration(configurationString: text))
        }
        table.read("aggregate", into: &aggregate)
        table.read("model", into: &model)
        table.read("unit", into: &unit)
        table.read("device_class", into: &deviceClass)
        table.finish()
    }
}

extension DaemonConfiguration.PublishSettings {
    fileprivate mutating func read(_ table: TOMLTableReader) {
        table.read("topic", into: &topic)
        table.read("qos", into: &qos)
        table.read("retain", into: &retain)
        table.read("scalar_topic", into: &scalarTopic)
        table.read("health_interval", into: &healthInterval)
        table.finish()
    }
}

extension DaemonConfiguration.EngineSettings {
    fileprivate mutating func read(_ table: TOMLTableReader) {
        table.read("max_streams", into: &maxStreams)
        table.read("state_save_interval", into: &stateSaveInterval)
        table.read("max_payload_bytes", into: &maxPayloadBytes)
        table.read("max_future_skew", into: &maxFutureSkew)
        table.read("sampling_threads", into: &samplingThreads)
        table.finish()
    }
}

extension DaemonConfiguration.LoggingSettings {
    fileprivate mutating func read(_ table: TOMLTableReader) {
        table.read("level", into: &level)
        table.read("repeated_error_interval", into: &repeatedErrorInterval)
        table.finish()
    }
}

extension DaemonConfiguration.HomeAssistantSettings {
    fileprivate mutating func read(_ table: TOMLTableReader) {
        table.read("enabled", into: &enabled)
        table.read("discovery_prefix", into: &discoveryPrefix)
        table.read("attributes_topic", into: &attributesTopic)
        table.read("remove_after", into: &removeAfter)
        table.read("support_url", into: &supportURL)
        table.finish()
    }
}

extension DaemonConfiguration.HTTPSettings {
    fileprivate mutating func read(_ table: TOMLTableReader) {
        table.read("listen", into: &listen)
        table.read("username", into: &username)
        table.read("password_file", into: &passwordFile)
        table.read("stream_metrics", into: &streamMetrics)
        table.finish()
    }
}
