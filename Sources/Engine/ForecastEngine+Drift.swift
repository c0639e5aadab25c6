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
            "\"\(state.feedback.drift.intervals[index].coverage)\":\(Self.jsonNumber(value))"
        }
        let detail =
            "{\"change\":\"\(alarm.change.rawValue)\",\"version\":\(version),\"window_n\":\(window?.count ?? 0),"
            + "\"crps\":\(Self.jsonNumber(window?.crps)),\"mae\":\(Self.jsonNumber(window?.meanAbsoluteError)),"
            + "\"mean_standardized_residual\":\(Self.jsonNumber(window?.meanStandardizedResidual)),"
            + "\"coverage\":{\(coverage.joined(separator: ","))}}"
        output.writes.append(
            .event(
                EventRecord(
                    timeUs: Self.microseconds(alarm.time), kind: "drift_alarm", model: state.group, stream: state.id,
                    detailJSON: detail)))
        let message =
            "{\"stream\":\(Self.jsonString(state.id)),\"time\":\"\(UTCTimestamp.format(alarm.time))\","
            + "\"model\":{\"name\":\(Self.jsonString(state.group)),\"version\":\(version)},"
            + String(detail.dropFirst())
        output.publications.append(
            Publication(
                topic: Self.driftTopic.replacingOccurrences(of: "{stream}", with: state.id),
                payload: Array(message.utf8), qos: .atLeastOnce, retain: false))
        if let group = groups[state.group], group.driftAlarmAt == nil { group.driftAlarmAt = alarm.time }
        logger.info("drift alarm", metadata: ["stream.id": "\(state.id)", "drift.change": "\(alarm.change)"])
    }

    /// A JSON number, or null when absent or not finite.
    static func jsonNumber(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return "\(value)"
    }
}
