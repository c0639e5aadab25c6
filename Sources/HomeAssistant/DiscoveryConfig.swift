import Formats

/// One stream's Home Assistant `sensor` discovery config: what goes, retained, to
/// `<prefix>/sensor/<unique_id>/config`.
///
/// Per-component discovery (one config per entity) works on every Home Assistant version with MQTT discovery;
/// device-based discovery is newer. Keys keep this order so a republished config is byte-identical.
public struct DiscoveryConfig: Sendable, Equatable {
    /// Who publishes: the barnnd instance, its status topic and version.
    public struct Instance: Sendable, Equatable {
        /// The MQTT client id (`mqtt.client_id`), which names the device.
        public var clientID: String
        /// barnnd's retained `online`/`offline` topic (`mqtt.status_topic`; `offline` is its last will).
        public var statusTopic: String
        /// barnnd's version, shown as the device's and the origin's `sw_version`.
        public var softwareVersion: String
        /// `origin.support_url`; empty leaves it out.
        public var supportURL: String

        /// Creates an instance description.
        public init(clientID: String, statusTopic: String, softwareVersion: String, supportURL: String = "") {
            self.clientID = clientID
            self.statusTopic = statusTopic
            self.softwareVersion = softwareVersion
            self.supportURL = supportURL
        }
    }

    /// The stream id.
    public var stream: String
    /// The entity's `unique_id`, also the discovery topic's `<object_id>` level.
    public var uniqueID: String
    /// Where the next-step median is published as a bare number (`publish.scalar_topic` expanded).
    public var stateTopic: String
    /// Where the attribute payload is published (`homeassistant.attributes_topic` expanded).
    public var attributesTopic: String
    /// Unit and device class.
    public var unit: HomeAssistantUnit
    /// The publishing instance.
    public var instance: Instance

    /// Creates a config.
    public init(
        stream: String, uniqueID: String, stateTopic: String, attributesTopic: String, unit: HomeAssistantUnit,
        instance: Instance
    ) {
        self.stream = stream
        self.uniqueID = uniqueID
        self.stateTopic = stateTopic
        self.attributesTopic = attributesTopic
        self.unit = unit
        self.instance = instance
    }

    /// The config topic under discovery prefix `prefix`.
    public func topic(prefix: String) -> String { Self.topic(prefix: prefix, uniqueID: uniqueID) }

    /// The config topic of the entity `uniqueID` under discovery prefix `prefix`.
    public static func topic(prefix: String, uniqueID: String) -> String {
        "\(prefix)/sensor/\(uniqueID)/config"
    }

    /// The device name: `barnnd`, or `barnnd <client id>` for an instance not called that.
    public var deviceName: String {
        instance.clientID == "barnnd" ? "barnnd" : "barnnd \(instance.clientID)"
    }

    /// The UTF-8 JSON document.
    public func json() -> [UInt8] {
        var out = JSONWriter()
        out.object { out in
            out.key("name")
            out.string("\(stream) forecast")
            out.key("unique_id")
            out.string(uniqueID)
            out.key("state_topic")
            out.string(stateTopic)
            out.key("json_attributes_topic")
            out.string(attributesTopic)
            out.key("availability")
            out.array { out in
                out.object { out in
                    out.key("topic")
                    out.string(instance.statusTopic)
                    out.key("payload_available")
                    out.string("online")
                    out.key("payload_not_available")
                    out.string("offline")
                }
            }
            if let unit = unit.unit {
                out.key("unit_of_measurement")
                out.string(unit)
            }
            if let deviceClass = unit.deviceClass {
                out.key("device_class")
                out.string(deviceClass)
            }
            out.key("state_class")
            out.string("measurement")
            out.key("device")
            out.object { out in
                out.key("identifiers")
                out.array { $0.string(HomeAssistantIdentifier.deviceIdentifier(clientID: instance.clientID)) }
                out.key("name")
                out.string(deviceName)
                out.key("manufacturer")
                out.string("barnnd")
                out.key("model")
                out.string("forecasting daemon")
                out.key("sw_version")
                out.string(instance.softwareVersion)
            }
            out.key("origin")
            out.object { out in
                out.key("name")
                out.string("barnnd")
                out.key("sw_version")
                out.string(instance.softwareVersion)
                if !instance.supportURL.isEmpty {
                    out.key("support_url")
                    out.string(instance.supportURL)
                }
            }
        }
        return out.bytes
    }
}
