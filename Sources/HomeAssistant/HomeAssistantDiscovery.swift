public import Configuration
public import Engine
import MQTT

/// Home Assistant MQTT discovery for one barnnd instance: which streams are announced, and what to publish.
///
/// It does no I/O and has one owner (the engine thread's loop), like the engine. Each forecast yields its retained
/// attribute payload at once (superseded by the next, like the forecast itself). Discovery configs are queued
/// instead: once per stream after start, again when its unit changes and for every stream on Home Assistant's
/// birth message, and an empty retained config once a stream has gone `remove_after` without a forecast.
/// ``drain(limit:publish:)`` hands at most `limit` of them to the client per call, so a birth message with 10 000
/// streams never holds the engine, and a refused publish (the client's outgoing queue full) stays first in line.
/// The queue holds stream ids, not payloads, and each stream at most once per kind.
public struct HomeAssistantDiscovery {
    private enum Entry: Hashable {
        case config(String)
        case removal(String)
    }

    private struct Entity {
        var unit: HomeAssistantUnit
        var lastForecast: Double
    }

    /// What it did so far.
    public private(set) var counters = HomeAssistantCounters()
    private let settings: DaemonConfiguration.HomeAssistantSettings
    private let instance: DiscoveryConfig.Instance
    private let scalarTopic: String
    private let qos: QoS
    private var entities: [String: Entity] = [:]
    private var queue: [Entry] = []
    private var head = 0
    private var queued: Set<Entry> = []

    /// Discovery for `configuration` (its `[homeassistant]`, `[publish]` and `[mqtt]` sections) by barnnd
    /// `softwareVersion`.
    public init(configuration: DaemonConfiguration, softwareVersion: String) {
        settings = configuration.homeAssistant
        instance = DiscoveryConfig.Instance(
            clientID: configuration.mqtt.clientID, statusTopic: configuration.mqtt.statusTopic,
            softwareVersion: softwareVersion, supportURL: configuration.homeAssistant.supportURL)
        scalarTopic = configuration.publish.scalarTopic
        qos = QoS(rawValue: Int32(configuration.publish.qos)) ?? .atLeastOnce
    }

    /// Where Home Assistant announces itself.
    public var birthTopic: String { settings.discoveryPrefix + "/status" }

    /// Configs and removals waiting to be published.
    public var pendingCount: Int { queue.count - head }

    /// The attribute publications for `forecasts`, issued at `now` (Unix seconds); queues the config of every
    /// stream not announced yet or whose unit changed.
    public mutating func issued(_ forecasts: [IssuedStreamForecast], now: Double) -> [Publication] {
        var publications: [Publication] = []
        publications.reserveCapacity(forecasts.count)
        for forecast in forecasts {
            let unit = HomeAssistantUnit(
                ruleUnit: forecast.unit, ruleDeviceClass: forecast.deviceClass, senmlUnit: forecast.senmlUnit)
            let previous = entities.updateValue(Entity(unit: unit, lastForecast: now), forKey: forecast.stream)
            if previous?.unit != unit { enqueue(.config(forecast.stream)) }
            if let payload = ForecastAttributes.json(forecast.payload) {
                counters.attributesBuilt += 1
                publications.append(
                    Publication(
                        topic: attributesTopic(forecast.stream), payload: payload, qos: qos, retain: true))
            }
        }
        counters.entities = entities.count
        return publications
    }

    /// Handles a message on ``birthTopic``: `online` queues every announced stream's config again (Home Assistant
    /// restarted and forgot them, or lost its retained copies). Returns how many were queued.
    @discardableResult
    public mutating func birthMessage(_ payload: [UInt8]) -> Int {
        guard payload == Array("online".utf8) else { return 0 }
        counters.birthMessages += 1
        let before = pendingCount
        for stream in entities.keys.sorted() { enqueue(.config(stream)) }
        return pendingCount - before
    }

    /// Queues the removal of every stream without a forecast for `homeassistant.remove_after` before `now`;
    /// returns the streams removed.
    @discardableResult
    public mutating func sweep(now: Double) -> [String] {
        let limit = settings.removeAfter.totalSeconds
        guard limit > 0 else { return [] }
        let idle = entities.filter { now - $0.value.lastForecast > limit }.keys.sorted()
        for stream in idle {
            entities[stream] = nil
            // A config still queued is moot now; one queued after a return must not be taken for it.
            queued.remove(.config(stream))
            enqueue(.removal(stream))
        }
        counters.entities = entities.count
        return idle
    }

    /// Hands up to `limit` queued configs and removals to `publish`, in order; one it refuses (it throws) stays first
    /// in the queue for the next call, which then starts with it. Returns how many were handed over.
    public mutating func drain(limit: Int, publish: (Publication) throws -> Void) -> Int {
        var handed = 0
        while handed < limit, head < queue.count {
            let entry = queue[head]
            if let publications = self.publications(for: entry) {
                do {
                    for publication in publications { try publish(publication) }
                } catch {
                    counters.publishesDeferred += 1
                    break
                }
                switch entry {
                case .config: counters.configsPublished += 1
                case .removal: counters.removalsPublished += 1
                }
                handed += 1
            }
            queued.remove(entry)
            head += 1
        }
        // Compacted once the consumed part is the larger half, so the queue's memory follows what is pending.
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        counters.pending = pendingCount
        return handed
    }

    private mutating func enqueue(_ entry: Entry) {
        if queued.insert(entry).inserted { queue.append(entry) }
        counters.pending = pendingCount
    }

    /// The messages of `entry`; `nil` when it is moot (a config of a stream removed since it was queued).
    private func publications(for entry: Entry) -> [Publication]? {
        switch entry {
        case .config(let stream):
            guard let entity = entities[stream] else { return nil }
            let config = self.config(stream, unit: entity.unit)
            return [
                Publication(
                    topic: config.topic(prefix: settings.discoveryPrefix), payload: config.json(), qos: qos,
                    retain: true)
            ]
        case .removal(let stream):
            let uniqueID = HomeAssistantIdentifier.uniqueID(clientID: instance.clientID, stream: stream)
            // The empty retained config removes the entity; the empty attributes clear the broker's retained copy.
            return [
                Publication(
                    topic: DiscoveryConfig.topic(prefix: settings.discoveryPrefix, uniqueID: uniqueID), payload: [],
                    qos: qos, retain: true),
                Publication(topic: attributesTopic(stream), payload: [], qos: qos, retain: true),
            ]
        }
    }

    /// The discovery config of `stream` with `unit`.
    public func config(_ stream: String, unit: HomeAssistantUnit) -> DiscoveryConfig {
        DiscoveryConfig(
            stream: stream, uniqueID: HomeAssistantIdentifier.uniqueID(clientID: instance.clientID, stream: stream),
            stateTopic: scalarTopic.replacing("{stream}", with: stream),
            attributesTopic: attributesTopic(stream), unit: unit, instance: instance)
    }

    private func attributesTopic(_ stream: String) -> String {
        settings.attributesTopic.replacing("{stream}", with: stream)
    }
}
