package import Formats
import Foundation

/// An event's detail, one case per ``EventKind``: writers build these, the `detail` column holds their JSON, and
/// readers decode the same types, so a field cannot be spelled two ways.
package enum EventDetail: Sendable, Equatable, JSONWritable {
    case trainRequested(TrainRequested)
    case trainingStarted(TrainingStarted)
    case trainingSucceeded(TrainingOutcome)
    case trainingRejected(TrainingOutcome)
    case trainingFailed(TrainingFailed)
    case modelActivated(ModelActivated)
    case checkpointActivated(CheckpointActivated)
    case checkpointLoadFailed(CheckpointLoadFailed)
    case driftAlarm(DriftAlarm)
    case eviction(Eviction)
    case shutdown(Shutdown)

    /// The kind the detail is stored under.
    package var kind: EventKind {
        switch self {
        case .trainRequested: .trainRequested
        case .trainingStarted: .trainingStarted
        case .trainingSucceeded: .trainingSucceeded
        case .trainingRejected: .trainingRejected
        case .trainingFailed: .trainingFailed
        case .modelActivated: .modelActivated
        case .checkpointActivated: .checkpointActivated
        case .checkpointLoadFailed: .checkpointLoadFailed
        case .driftAlarm: .driftAlarm
        case .eviction: .eviction
        case .shutdown: .shutdown
        }
    }

    /// Decodes a stored detail of `kind`; nil when the text does not hold that kind's fields.
    package init?(kind: EventKind, json: String) {
        let data = Data(json.utf8)
        func decode<Detail: Decodable>(_ type: Detail.Type) -> Detail? { try? JSONDecoder().decode(type, from: data) }
        let detail: EventDetail? =
            switch kind {
            case .trainRequested: decode(TrainRequested.self).map(Self.trainRequested)
            case .trainingStarted: decode(TrainingStarted.self).map(Self.trainingStarted)
            case .trainingSucceeded: decode(TrainingOutcome.self).map(Self.trainingSucceeded)
            case .trainingRejected: decode(TrainingOutcome.self).map(Self.trainingRejected)
            case .trainingFailed: decode(TrainingFailed.self).map(Self.trainingFailed)
            case .modelActivated: decode(ModelActivated.self).map(Self.modelActivated)
            case .checkpointActivated: decode(CheckpointActivated.self).map(Self.checkpointActivated)
            case .checkpointLoadFailed: decode(CheckpointLoadFailed.self).map(Self.checkpointLoadFailed)
            case .driftAlarm: decode(DriftAlarm.self).map(Self.driftAlarm)
            case .eviction: decode(Eviction.self).map(Self.eviction)
            case .shutdown: decode(Shutdown.self).map(Self.shutdown)
            }
        guard let detail else { return nil }
        self = detail
    }

    /// The train request the event answers or makes, if any.
    package var requestID: String? {
        switch self {
        case .trainRequested(let detail): detail.request
        case .trainingStarted(let detail): detail.request
        case .trainingSucceeded(let detail), .trainingRejected(let detail): detail.request
        case .trainingFailed(let detail): detail.request
        default: nil
        }
    }

    /// What started the training the event is about (`first`, `schedule`, `drift`, `request`), if it is one.
    package var trigger: String? {
        switch self {
        case .trainingStarted(let detail): detail.trigger
        case .trainingSucceeded(let detail), .trainingRejected(let detail): detail.trigger
        case .trainingFailed(let detail): detail.trigger
        default: nil
        }
    }

    package func write(to writer: inout JSONWriter) {
        writer.object { members in writeMembers(to: &members) }
    }

    /// The detail's fields without braces, so a message can carry them after its own (the drift alarm's).
    package func writeMembers(to writer: inout JSONWriter) {
        switch self {
        case .trainRequested(let detail): detail.writeMembers(to: &writer)
        case .trainingStarted(let detail): detail.writeMembers(to: &writer)
        case .trainingSucceeded(let detail), .trainingRejected(let detail): detail.writeMembers(to: &writer)
        case .trainingFailed(let detail): detail.writeMembers(to: &writer)
        case .modelActivated(let detail): detail.writeMembers(to: &writer)
        case .checkpointActivated(let detail): detail.writeMembers(to: &writer)
        case .checkpointLoadFailed(let detail): detail.writeMembers(to: &writer)
        case .driftAlarm(let detail): detail.writeMembers(to: &writer)
        case .eviction(let detail): detail.writeMembers(to: &writer)
        case .shutdown(let detail): detail.writeMembers(to: &writer)
        }
    }
}

extension EventRecord {
    /// A record of `detail`, its JSON in the number style event details have always used.
    package init(timeUs: Int64, model: String? = nil, stream: String? = nil, detail: EventDetail) {
        self.init(
            timeUs: timeUs, kind: detail.kind.rawValue, model: model, stream: stream,
            detailJSON: detail.jsonText(numberStyle: .swift))
    }

    /// The typed detail; nil for a kind this version does not write or a detail it cannot read.
    package var detail: EventDetail? {
        EventKind(rawValue: kind).flatMap { EventDetail(kind: $0, json: detailJSON) }
    }
}

extension JSONWriter {
    /// The key a `Decodable` reads the next value under, so writing and reading share one spelling.
    package mutating func key(_ codingKey: some CodingKey) { key(codingKey.stringValue) }
}

extension KeyedDecodingContainer {
    /// A number the writer may have stored as `null` (it was not finite): NaN then.
    func decodeNumber<Number: BinaryFloatingPoint & Decodable>(_ type: Number.Type, forKey key: Key) throws -> Number {
        try decodeIfPresent(type, forKey: key) ?? .nan
    }
}
