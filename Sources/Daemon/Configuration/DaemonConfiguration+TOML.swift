import TOMLKit

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
        let bytes = try readFile(path)
        guard let source = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(problems: [.init(.unreadableFile, "", "the file is not valid UTF-8")])
        }
        return try DaemonConfiguration(toml: source)
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
        if let problem = Self.malformedTableHeader(in: source) ?? Self.closingBraceWhereAValueBelongs(in: source) {
            throw ConfigurationError(problems: [problem])
        }
        let document: TOMLTable
        do {
            document = try TOMLTable(string: source)
        } catch let error as TOMLParseError {
            throw ConfigurationError(problems: [.init(.syntax, "", error.description, line: error.source.begin.line)])
        } catch {
            throw ConfigurationError(problems: [.init(.syntax, "", "\(error)")])
        }
        let collected = TOMLTableReader.Problems()
        var configuration = DaemonConfiguration()
        configuration.readSections(TOMLTableReader(document, path: "", problems: collected))
        let index = TOMLLineIndex(source: source)
        var problems = collected.list + configuration.validate()
        for position in problems.indices where problems[position].line == nil {
            problems[position].line = index.line(for: problems[position].keyPath)
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

    /// Finds a table header whose key starts with a character no key can start with (`[,a]`).
    ///
    /// toml++ (inside TOMLKit) asserts on such a header instead of reporting it: an abort in debug builds and
    /// undefined behaviour in release builds. So these headers are refused here, before the text reaches it.
    static func malformedTableHeader(in source: String) -> ConfigurationError.Problem? {
        var inMultilineString: [UInt8]? = nil
        for (offset, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(line.utf8)
            // Skip the inside of multi-line strings, where a line may legitimately start with '['.
            var index = 0
            while index + 2 < bytes.count {
                let triple = Array(bytes[index..<index + 3])
                if triple == [UInt8](repeating: UInt8(ascii: "\""), count: 3)
                    || triple == [UInt8](repeating: UInt8(ascii: "'"), count: 3)
                {
                    inMultilineString = inMultilineString == nil ? triple : (inMultilineString == triple ? nil : triple)
                    index += 3
                } else {
                    index += 1
                }
            }
            if inMultilineString != nil { continue }
            var position = bytes.firstIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") } ?? bytes.count
            guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else { continue }
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "[") { position += 1 }
            while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t")
            {
                position += 1
            }
            // A header cut off at the end of the line trips the same assertion.
            let first = position < bytes.count ? bytes[position] : UInt8(ascii: "\n")
            let startsKey =
                (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z"))
                || (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z"))
                || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
                || first == UInt8(ascii: "_") || first == UInt8(ascii: "-") || first == UInt8(ascii: "\"")
                || first == UInt8(ascii: "'") || first == UInt8(ascii: "]")
            if !startsKey {
                return .init(
                    .syntax, "", "table header must start with a key (a letter, digit, '_', '-' or a quote)",
                    line: offset + 1)
            }
        }
        return nil
    }

    /// Finds a `}` right after `[` or `,` (blanks and comments between), outside strings and comments.
    ///
    /// No valid TOML has that sequence (inline tables allow no trailing comma), and toml++ asserts on it inside an
    /// array (`[1, }2]`) instead of reporting it, like the headers of ``malformedTableHeader(in:)``.
    static func closingBraceWhereAValueBelongs(in source: String) -> ConfigurationError.Problem? {
        let bytes = Array(source.utf8)
        let quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'"), newline = UInt8(ascii: "\n")
        var line = 1
        var expectingValue = false
        var index = 0
        func isTriple(_ byte: UInt8, at position: Int) -> Bool {
            position + 2 < bytes.count && bytes[position + 1] == byte && bytes[position + 2] == byte
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case newline:
                line += 1
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != newline { index += 1 }
            case quote, apostrophe:
                expectingValue = false
                let multiline = isTriple(byte, at: index)
                index += multiline ? 3 : 1
                while index < bytes.count {
                    if bytes[index] == newline { line += 1 }
                    if byte == quote, bytes[index] == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if bytes[index] == byte, !multiline || isTriple(byte, at: index) {
                        index += multiline ? 3 : 1
                        break
                    }
                    if !multiline, bytes[index] == newline { break }
                    index += 1
                }
            case UInt8(ascii: "}") where expectingValue:
                return .init(.syntax, "", "'}' where a value or key belongs", line: line)
            case UInt8(ascii: "["), UInt8(ascii: ","):
                expectingValue = true
                index += 1
            default:
                expectingValue = false
                index += 1
            }
        }
        return nil
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
        table.read("paths", into: &paths)
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
