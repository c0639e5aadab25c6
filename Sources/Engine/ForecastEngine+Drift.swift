import Forecasting
import Formats
import Foundation
import Logging
import MQTT
import Storage

extension ForecastEngine {
    /// Topic of drift alarms; `{stream}` is the stream id.
    static let driftTopic = "barnnd/drift/{stream}"

    /// Records a drift alarm: a `drift_alarm` event, a JSON message on `barnnd/drift/{stream}` (QoS 1, not
    /// retained: an alarm is news, not state), and a pending retrain of the stream's group (acted on by
    /// `startTrainings` when `retrain.drift_trigger` is on and the cooldown allows).
    func recordDriftAlarm(_ alarm: DriftAlarm, state: StreamState, into output: inout EngineOutput) {
        _counters.driftAlarms += 1
        let version = groups[state.group]?.version ?? 0
        let window = state.feedback.drift.openWindow
        let coverage = (window?.coverage ?? []).enumerated().map { index, value in
            DriftRecord.LevelValue(level: state.feedback.drift.intervals[index].coverage, value: value)
        }
        let detail = EventDetail.DriftAlarm(
            change: alarm.change.rawValue, version: version, windowN: window?.count ?? 0, crps: window?.crps,
            mae: window?.meanAbsoluteError, meanStandardizedResidual: window?.meanStandardizedResidual,
            coverage: LevelValues(coverage))
        output.writes.append(
            Self.eventRow(
                at: alarm.time, model: state.group, stream: state.id,
                detail: .driftAlarm(detail)))
        // The message leads with what a subscriber needs to route it, then carries the event's own fields.
        var message = JSONWriter(numberStyle: .swift)
        message.object { message in
            message.key("stream")
            message.string(state.id)
            message.key("time")
            message.string(UTCTimestamp.format(alarm.time))
            message.key("model")
            message.object { model in
                model.key("name")
                model.string(state.group)
                model.key("version")
                model.integer(version)
            }
            EventDetail.driftAlarm(detail).writeMembers(to: &message)
        }
        output.publications.append(
            Publication(
                topic: Self.driftTopic.replacingOccurrences(of: "{stream}", with: state.id),
                payload: message.bytes, qos: .atLeastOnce, retain: false))
        if let group = groups[state.group], group.driftAlarmAt == nil { group.driftAlarmAt = alarm.time }
        logger.info("drift alarm", metadata: ["stream.id": "\(state.id)", "drift.change": "\(alarm.change)"])
    }

}
