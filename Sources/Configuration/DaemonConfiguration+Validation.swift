import Formats
import MQTT

extension DaemonConfiguration {
    /// Every problem in this configuration; empty when the daemon can start with it.
    ///
    /// Problems carry TOML key paths (`mqtt.port`, `rules[1].stream`) but no lines; the TOML loader adds those.
    public func validate() -> [ConfigurationError.Problem] {
        var problems: [ConfigurationError.Problem] = []
        validateMQTT(into: &problems)
        validateStorage(into: &problems)
        for name in modelGroupNames {
            validate(models[name]!, path: "models.\(name)", name: name, into: &problems)
        }
        validateRules(into: &problems)
        validatePublish(into: &problems)
        validateEngineAndLogging(into: &problems)
        validateHomeAssistant(into: &problems)
        validateHTTP(into: &problems)
        return problems
    }

    /// Throws ``ConfigurationError`` when ``validate()`` finds anything.
    public func validated() throws(ConfigurationError) -> DaemonConfiguration {
        let problems = validate()
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        return self
    }

    private func validateMQTT(into problems: inout [ConfigurationError.Problem]) {
        if mqtt.host.isEmpty { problems.append(.init(.invalidValue, "mqtt.host", "must not be empty")) }
        check(mqtt.port, in: 1...65535, "mqtt.port", &problems)
        if mqtt.clientID.isEmpty || mqtt.clientID.utf8.contains(0) || mqtt.clientID.utf8.count > 65535 {
            problems.append(.init(.invalidValue, "mqtt.client_id", "must be 1–65535 bytes without NUL"))
        }
        let keepalive = mqtt.keepalive.totalSeconds
        if keepalive != 0 && !(5...65535).contains(keepalive) {
            problems.append(.init(.outOfRange, "mqtt.keepalive", "must be 0 (off) or between 5s and 65535s"))
        }
        if mqtt.sessionExpiry.totalSeconds > Double(UInt32.max) {
            problems.append(.init(.outOfRange, "mqtt.session_expiry", "must be at most 4294967295s"))
        }
        if mqtt.passwordFile != nil && mqtt.username == nil {
            problems.append(.init(.missingKey, "mqtt.username", "password_file is set, so username is required"))
        }
        if mqtt.tls.enabled && mqtt.tls.caFile == nil && mqtt.tls.caDirectory == nil {
            problems.append(.init(.missingKey, "mqtt.tls", "TLS needs ca_file or ca_dir"))
        }
        if (mqtt.tls.certFile == nil) != (mqtt.tls.keyFile == nil) {
            let key = mqtt.tls.certFile == nil ? "mqtt.tls.cert_file" : "mqtt.tls.key_file"
            problems.append(.init(.missingKey, key, "cert_file and key_file must be given together"))
        }
        do throws(TopicFilter.ValidationError) {
            try TopicFilter.validateTopicName(mqtt.statusTopic)
        } catch {
            problems.append(.init(.invalidValue, "mqtt.status_topic", "not a valid topic name: \(error)"))
        }
        check(mqtt.receiveMaximum, in: 1...65535, "mqtt.receive_maximum", &problems)
        if mqtt.reconnectMinDelay <= .zero {
            problems.append(.init(.outOfRange, "mqtt.reconnect_min_delay", "must be positive"))
        }
        if mqtt.reconnectMaxDelay < mqtt.reconnectMinDelay {
            problems.append(.init(.outOfRange, "mqtt.reconnect_max_delay", "must be at least reconnect_min_delay"))
        }
    }

    private func validateStorage(into problems: inout [ConfigurationError.Problem]) {
        if storage.path.isEmpty { problems.append(.init(.invalidValue, "storage.path", "must not be empty")) }
        check(storage.batchRows, in: 1...1_000_000, "storage.batch_rows", &problems)
        check(storage.maxPendingRows, in: 1000...100_000_000, "storage.max_pending_rows", &problems)
        check(storage.cacheMiB, in: 1...65536, "storage.cache_mib", &problems)
        if storage.maxPendingRows < storage.batchRows {
            problems.append(.init(.outOfRange, "storage.max_pending_rows", "must be at least batch_rows"))
        }
        if storage.batchInterval <= .zero {
            problems.append(.init(.outOfRange, "storage.batch_interval", "must be positive"))
        }
    }

    private func validate(
        _ group: ModelGroup, path: String, name: String, into problems: inout [ConfigurationError.Problem]
    ) {
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0 == "_" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
        }
        if name.isEmpty || !allowed {
            problems.append(.init(.invalidValue, path, "model group names use only letters, digits, '_' and '-'"))
        }
        check(group.hiddenSize, in: 1...4096, "\(path).hidden_size", &problems)
        check(group.paths, in: 1...100_000, "\(path).paths", &problems)
        check(group.horizon, in: 1...10_000, "\(path).horizon", &problems)
        if group.quantiles.isEmpty {
            problems.append(.init(.invalidValue, "\(path).quantiles", "needs at least one level"))
        }
        for level in group.quantiles where !(level > 0 && level < 1) {
            problems.append(.init(.outOfRange, "\(path).quantiles", "level \(level) is not in (0, 1)"))
        }
        if zip(group.quantiles, group.quantiles.dropFirst()).contains(where: { $0 >= $1 }) {
            problems.append(.init(.invalidValue, "\(path).quantiles", "levels must be strictly increasing"))
        }
        check(group.season, in: 1...100_000, "\(path).season", &problems)
        check(group.levelWindow, in: 0...1_000_000, "\(path).level_window", &problems)
        if group.studentDegrees != 0 {
            check(group.studentDegrees, in: 3...100, "\(path).student_t_degrees", &problems)
        }
        if !(group.dropoutRate > 0 && group.dropoutRate < 1) {
            problems.append(.init(.outOfRange, "\(path).dropout_rate", "\(group.dropoutRate) is not in (0, 1)"))
        }
        check(group.trainingSteps, in: 10...1_000_000, "\(path).training_steps", &problems)
        if group.sgldParticles != 0 { check(group.sgldParticles, in: 1...1024, "\(path).sgld_particles", &problems) }
        if !(group.sgldStepSize >= 0 && group.sgldStepSize < 1) {
            problems.append(
                .init(.outOfRange, "\(path).sgld_step_size", "\(group.sgldStepSize) is not 0 (chosen) or in (0, 1)"))
        }
        check(group.forecastEvery, in: 1...1_000_000, "\(path).forecast_every", &problems)
        check(group.minHistory, in: 1...10_000_000, "\(path).min_history", &problems)
        if group.contextLength < group.minHistory {
            problems.append(.init(.outOfRange, "\(path).context_length", "must be at least min_history"))
        }
        let retrain = group.retrain
        if retrain.every <= .zero {
            problems.append(.init(.outOfRange, "\(path).retrain.every", "must be positive"))
        }
        if retrain.driftDelay < .zero {
            problems.append(.init(.outOfRange, "\(path).retrain.drift_delay", "must not be negative"))
        }
        if retrain.history <= .zero {
            problems.append(.init(.outOfRange, "\(path).retrain.history", "must be positive"))
        }
        if !(retrain.validationFraction > 0 && retrain.validationFraction < 1) {
            problems.append(.init(.outOfRange, "\(path).retrain.validation_fraction", "must be in (0, 1)"))
        }
        check(
            retrain.keepLast, in: DaemonConfiguration.RetrainSettings.keepLastRange, "\(path).retrain.keep_last",
            &problems)
        if !(retrain.promotionTolerance >= 0 && retrain.promotionTolerance <= 1) {
            problems.append(.init(.outOfRange, "\(path).retrain.promotion_tolerance", "must be in [0, 1]"))
        }
        check(group.calibration.window, in: 1...10_000_000, "\(path).calibration.window", &problems)
        if !(group.calibration.rate > 0 && group.calibration.rate < 1) {
            problems.append(.init(.outOfRange, "\(path).calibration.rate", "must be in (0, 1)"))
        }
    }

    private func validateRules(into problems: inout [ConfigurationError.Problem]) {
        if rules.isEmpty {
            problems.append(.init(.missingKey, "rules", "at least one [[rules]] entry is needed"))
        }
        var seen: [String: Int] = [:]
        for (index, rule) in rules.enumerated() {
            let path = "rules[\(index)]"
            if rule.name.isEmpty {
                problems.append(.init(.invalidValue, "\(path).name", "must not be empty"))
            } else if let first = seen[rule.name] {
                problems.append(
                    .init(.duplicate, "\(path).name", "'\(rule.name)' is already the name of rules[\(first)]"))
            } else {
                seen[rule.name] = index
            }
            var wildcards: Int?
            do throws(TopicFilter.ValidationError) {
                wildcards = try TopicFilter(rule.topic).wildcardCount
            } catch {
                problems.append(.init(.invalidValue, "\(path).topic", "not a valid topic filter: \(error)"))
            }
            if let wildcards {
                do throws(StreamIDTemplate.ParseError) {
                    _ = try StreamIDTemplate(rule.stream, wildcards: wildcards)
                } catch {
                    problems.append(.init(.invalidValue, "\(path).stream", error.description))
                }
            }
            check(rule.qos, in: 0...2, "\(path).qos", &problems)
            validate(rule.payload, path: "\(path).payload", into: &problems)
            if case .every(let duration) = rule.cadence, duration <= .zero {
                problems.append(.init(.outOfRange, "\(path).cadence", "must be \"event\" or a positive duration"))
            }
            validateHomeAssistant(rule, path: path, into: &problems)
            if models[rule.model] == nil {
                let known = modelGroupNames.joined(separator: ", ")
                problems.append(
                    .init(.unknownReference, "\(path).model", "no model group '\(rule.model)' (defined: \(known))"))
            }
        }
    }

    private func validate(
        _ payload: PayloadSettings, path: String, into problems: inout [ConfigurationError.Problem]
    ) {
        if payload.format == .json {
            if let valuePath = payload.valuePath {
                do throws(JSONPath.ParseError) { _ = try JSONPath(valuePath) } catch {
                    problems.append(.init(.invalidValue, "\(path).value_path", error.description))
                }
            } else {
                problems.append(.init(.missingKey, "\(path).value_path", "format \"json\" needs value_path"))
            }
            if let timePath = payload.timePath {
                do throws(JSONPath.ParseError) { _ = try JSONPath(timePath) } catch {
                    problems.append(.init(.invalidValue, "\(path).time_path", error.description))
                }
            }
        } else {
            if payload.valuePath != nil {
                problems.append(.init(.invalidValue, "\(path).value_path", "only applies to format \"json\""))
            }
            if payload.timePath != nil {
                problems.append(.init(.invalidValue, "\(path).time_path", "only applies to format \"json\""))
            }
        }
    }

    private func validatePublish(into problems: inout [ConfigurationError.Problem]) {
        validateTopicTemplate(publish.topic, "publish.topic", allowEmpty: false, &problems)
        validateTopicTemplate(publish.scalarTopic, "publish.scalar_topic", allowEmpty: true, &problems)
        check(publish.qos, in: 0...2, "publish.qos", &problems)
        if publish.healthInterval <= .zero {
            problems.append(.init(.outOfRange, "publish.health_interval", "must be positive"))
        }
    }

    private func validateTopicTemplate(
        _ template: String, _ key: String, allowEmpty: Bool, _ problems: inout [ConfigurationError.Problem]
    ) {
        if template.isEmpty && allowEmpty { return }
        guard template.contains("{stream}") else {
            problems.append(.init(.invalidValue, key, "must contain {stream}"))
            return
        }
        let sample = template.replacing("{stream}", with: "s")
        if sample.contains("{") || sample.contains("}") {
            problems.append(.init(.invalidValue, key, "only the placeholder {stream} is allowed"))
            return
        }
        do throws(TopicFilter.ValidationError) {
            try TopicFilter.validateTopicName(sample)
        } catch {
            problems.append(.init(.invalidValue, key, "not a valid topic name: \(error)"))
        }
    }

    private func validateEngineAndLogging(into problems: inout [ConfigurationError.Problem]) {
        check(engine.maxStreams, in: 1...10_000_000, "engine.max_streams", &problems)
        if engine.stateSaveInterval <= .zero {
            problems.append(.init(.outOfRange, "engine.state_save_interval", "must be positive"))
        }
        // 268435455 is the largest MQTT packet (variable byte integer limit).
        check(engine.maxPayloadBytes, in: 1...268_435_455, "engine.max_payload_bytes", &problems)
        check(engine.samplingThreads, in: 0...256, "engine.sampling_threads", &problems)
    }

    private func validateHomeAssistant(
        _ rule: Rule, path: String, into problems: inout [ConfigurationError.Problem]
    ) {
        if let unit = rule.unit,
            unit.isEmpty || unit.utf8.count > 64 || unit.unicodeScalars.contains(where: { $0.value < 0x20 })
        {
            problems.append(.init(.invalidValue, "\(path).unit", "must be 1–64 bytes without control characters"))
        }
        if let deviceClass = rule.deviceClass, !Self.homeAssistantDeviceClasses.contains(deviceClass) {
            let suggestion = deviceClass.nearest(among: Self.homeAssistantDeviceClasses.sorted())
            problems.append(
                .init(
                    .invalidValue, "\(path).device_class",
                    "'\(deviceClass)' is not a Home Assistant sensor device class"
                        + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")))
        }
    }

    private func validateHomeAssistant(into problems: inout [ConfigurationError.Problem]) {
        let settings = homeAssistant
        do throws(TopicFilter.ValidationError) {
            try TopicFilter.validateTopicName(settings.discoveryPrefix + "/status")
        } catch {
            problems.append(
                .init(.invalidValue, "homeassistant.discovery_prefix", "not a valid topic prefix: \(error)"))
        }
        validateTopicTemplate(settings.attributesTopic, "homeassistant.attributes_topic", allowEmpty: false, &problems)
        if settings.removeAfter < .zero {
            problems.append(.init(.outOfRange, "homeassistant.remove_after", "must not be negative"))
        }
        if settings.enabled && publish.scalarTopic.isEmpty {
            problems.append(
                .init(
                    .invalidValue, "publish.scalar_topic",
                    "Home Assistant reads its state here; it must not be empty while homeassistant.enabled is true"))
        }
    }

    private func check(
        _ value: Int, in range: ClosedRange<Int>, _ key: String, _ problems: inout [ConfigurationError.Problem]
    ) {
        if !range.contains(value) {
            problems.append(.init(.outOfRange, key, "\(value) is not in \(range.lowerBound)...\(range.upperBound)"))
        }
    }
}
