extension DaemonConfiguration {
    /// How a message payload is read.
    public enum PayloadFormat: String, Sendable, CaseIterable {
        /// A bare decimal number in UTF-8 (`21.5`), surrounding whitespace ignored.
        case number
        /// A JSON document; the value is found at `value_path`, the time at the optional `time_path`.
        case json
        /// A SenML pack (RFC 8428, JSON); each record is a reading, its name extends the stream id.
        case senml
    }

    /// The unit of an epoch time given as a JSON number.
    public enum TimeUnit: String, Sendable, CaseIterable {
        case s, ms, us, ns

        /// Units per second; dividing by it (rather than multiplying by its inverse) keeps `1767225600123` ms
        /// exactly `1767225600.123` s.
        public var perSecond: Double {
            switch self {
            case .s: 1
            case .ms: 1e3
            case .us: 1e6
            case .ns: 1e9
            }
        }
    }

    /// How the readings that fall into one cadence bucket become one step.
    public enum Aggregate: String, Sendable, CaseIterable {
        case mean, last, sum, min, max
    }

    /// When a stream takes a step.
    public enum Cadence: Sendable, Hashable, CustomStringConvertible {
        /// Every reading is a step.
        case event
        /// One step per bucket of this length (aligned to the Unix epoch); empty buckets are missing steps.
        case every(Duration)

        public var description: String {
            switch self {
            case .event: "event"
            case .every(let duration): duration.configurationString
            }
        }
    }

    /// The payload section of a rule (`[rules.payload]`).
    public struct PayloadSettings: Sendable, Equatable {
        /// The format. The default is `number`.
        public var format = PayloadFormat.number
        /// JSON only, required: where the value is, `a.b[0].c`. The default is `nil`.
        public var valuePath: String?
        /// JSON only, optional: where the time is (ISO-8601 string with offset, or epoch number in `timeUnit`).
        /// Absent from a message, the arrival time is used. The default is `nil`.
        public var timePath: String?
        /// Unit of a numeric time at `timePath`. The default is seconds.
        public var timeUnit = TimeUnit.s

        /// Creates the defaults.
        public init() {}
    }

    /// A subscription rule (`[[rules]]`): which topics feed which streams, and how.
    public struct Rule: Sendable, Equatable {
        /// Unique name, used in logs and rejects. The default is `sensors`.
        public var name = "sensors"
        /// MQTT topic filter to subscribe to (`+` one level, `#` the rest). The default is `sensors/+/+`.
        public var topic = "sensors/+/+"
        /// Stream id template: `{1}`, `{2}`, … are the filter's wildcard levels in order, `{topic}` the whole
        /// topic, `{name}` a SenML record's name (appended as `/name` when the template lacks `{name}`).
        /// The default is `{1}/{2}`.
        public var stream = "{1}/{2}"
        /// Subscription QoS, 0–2. The default is 1, so the broker queues messages while barnnd is down.
        public var qos = 1
        /// How payloads are read.
        public var payload = PayloadSettings()
        /// When a stream takes a step. The default is `event`.
        public var cadence = Cadence.event
        /// How a bucket's readings combine (duration cadences only). The default is `mean`.
        public var aggregate = Aggregate.mean
        /// Name of the model group serving the rule's streams. The default is `default`.
        public var model = "default"
        /// Unit of the rule's streams as Home Assistant shows it (`°C`); `nil` takes a SenML record's `u` where
        /// barnnd knows it. The default is `nil`.
        public var unit: String?
        /// Home Assistant sensor device class of the rule's streams (`temperature`); `nil` takes a SenML
        /// record's `u` where barnnd knows it. The default is `nil`.
        public var deviceClass: String?

        /// Creates the defaults.
        public init() {}

        /// The second default rule: SenML packs on `senml/<device>`, one stream `<device>/<record name>` per record,
        /// each reading at its own time (what `barnnd replay --format senml` sends).
        public static var senml: Rule {
            var rule = Rule()
            rule.name = "senml"
            rule.topic = "senml/+"
            rule.stream = "{1}/{name}"
            rule.payload.format = .senml
            return rule
        }
    }
}
