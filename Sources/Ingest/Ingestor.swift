public import Configuration
import Formats

/// Turns MQTT messages into stream readings, or rejects: topic rule → stream id, payload → (time, value).
///
/// Pure and `Sendable`: no I/O, no clock (the arrival time is an argument), so the MQTT thread, the engine or a
/// test can call it. Rules are tried in configuration order; the first whose filter matches handles the message.
/// Ordering against a stream's earlier steps (`out_of_order`, `duplicate_timestamp`) and cadence bucketing are
/// the engine's job: the ingestor sees one message at a time.
public struct Ingestor: Sendable {
    /// A message's outcome: readings for the engine, rejects for the `rejects` table.
    ///
    /// A SenML pack may give both; other formats give exactly one reading or one reject.
    public struct Output: Sendable, Equatable {
        /// Accepted readings, in payload order.
        public var readings: [StreamReading] = []
        /// Rejected message or records.
        public var rejects: [IngestReject] = []
    }

    /// The compiled rules, in configuration order.
    public let rules: [TopicRule]
    /// Payloads larger than this many bytes are rejected unread.
    public let maxPayloadBytes: Int
    /// Payload times later than arrival plus this many seconds are rejected.
    public let maxFutureSkew: Double

    /// Creates an ingestor from compiled rules and limits.
    public init(rules: [TopicRule], maxPayloadBytes: Int, maxFutureSkew: Duration) {
        self.rules = rules
        self.maxPayloadBytes = maxPayloadBytes
        self.maxFutureSkew = maxFutureSkew.totalSeconds
    }

    /// Creates an ingestor for a configuration; throws every problem if the configuration is invalid.
    public init(configuration: DaemonConfiguration) throws(ConfigurationError) {
        let valid = try configuration.validated()
        var rules: [TopicRule] = []
        for rule in valid.rules { rules.append(try TopicRule(rule)) }
        self.init(
            rules: rules, maxPayloadBytes: valid.engine.maxPayloadBytes, maxFutureSkew: valid.engine.maxFutureSkew)
    }

    /// Handles one message that arrived at `arrivalTime` (seconds since the Unix epoch).
    public func ingest(topic: String, payload: [UInt8], arrivalTime: Double) -> Output {
        func rejected(_ rejection: Rejection, rule: TopicRule?) -> IngestReject {
            IngestReject(
                reason: rejection.reason, detail: rejection.detail, topic: topic, rule: rule?.name,
                excerpt: PayloadExcerpt.make(of: payload, limit: IngestReject.excerptLimit), arrivalTime: arrivalTime)
        }
        var output = Output()
        guard let (ruleIndex, rule, captures) = matchingRule(for: topic) else {
            output.rejects.append(rejected(Rejection(.noMatchingRule, "no rule's topic filter matches"), rule: nil))
            return output
        }
        guard payload.count <= maxPayloadBytes else {
            let detail = "payload is \(payload.count) bytes, over engine.max_payload_bytes = \(maxPayloadBytes)"
            output.rejects.append(rejected(Rejection(.oversized, detail), rule: rule))
            return output
        }
        let decoded = rule.decoder.decode(payload, arrivalTime: arrivalTime)
        output.rejects = decoded.rejections.map { rejected($0, rule: rule) }
        for reading in decoded.readings {
            let id = rule.streamID(captures: captures, topic: topic, name: reading.name)
            // At the Store's resolution from here on, so the engine never tells apart two times the Store merges.
            let time = UTCTimestamp.roundedToMicroseconds(reading.time ?? arrivalTime)
            switch id {
            case .failure(let rejection):
                output.rejects.append(rejected(rejection, rule: rule))
            case .success where time > arrivalTime + maxFutureSkew:
                let ahead = time - arrivalTime
                // Payload times can be any finite Double: only small ones are printed as whole seconds.
                let seconds = ahead < 1e12 ? "\(Int(ahead.rounded()))" : "\(ahead)"
                let detail = "time is \(seconds)s after arrival, over engine.max_future_skew"
                output.rejects.append(rejected(Rejection(.futureTimestamp, detail), rule: rule))
            case .success(let streamID):
                output.readings.append(
                    StreamReading(
                        streamID: streamID, time: time, value: reading.value, rule: ruleIndex,
                        timeFromPayload: reading.time != nil, unit: reading.unit))
            }
        }
        return output
    }

    private func matchingRule(for topic: String) -> (Int, TopicRule, [String])? {
        for (index, rule) in rules.enumerated() {
            if let captures = rule.match(topic) { return (index, rule, captures) }
        }
        return nil
    }
}
