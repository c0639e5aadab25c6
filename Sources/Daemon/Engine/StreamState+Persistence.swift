import BARNN
import Forecasting
import Foundation
import Storage

extension StreamState {
    /// The three opaque blobs of a `stream_states` row, as JSON: `hidden` holds BARNN's recurrent state, `normaliser`
    /// the resampler, context, fallback and step counts (BARNN's scale lives in the recurrent state), `calibrator`
    /// the conformal calibrator, drift monitor and pending issued forecasts.
    struct Parts: Codable {
        struct Hidden: Codable {
            var recurrent: RecurrentState?
        }
        struct Normaliser: Codable {
            var group: String
            var ruleIndex: Int
            var resampler: Resampler
            var context: RingBuffer<Observation>
            var fallback: SeasonalNaiveForecaster
            var steps: Int
            var presentSteps: Int
            var stepsSinceForecast: Int
            var lastT: Double?
            var lastSeen: Double
        }
        struct Calibration: Codable {
            var calibrator: ConformalCalibrator
            var drift: DriftMonitor
            var issued: [Issued?]
        }
        var hidden: Hidden
        var normaliser: Normaliser
        var calibration: Calibration
    }

    /// The state as a `stream_states` row; `checkpointID` is the model the hidden state belongs to.
    func record(checkpointID: Int64?, savedAt: Double) throws -> StreamStateRecord {
        let encoder = JSONEncoder()
        // A level before the first observation is NaN, which plain JSON cannot carry.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let hidden = try encoder.encode(Parts.Hidden(recurrent: recurrent))
        let normaliser = try encoder.encode(
            Parts.Normaliser(
                group: group, ruleIndex: ruleIndex, resampler: resampler, context: context, fallback: fallback,
                steps: steps, presentSteps: presentSteps, stepsSinceForecast: stepsSinceForecast, lastT: lastT,
                lastSeen: lastSeen))
        let calibration = try encoder.encode(Parts.Calibration(calibrator: calibrator, drift: drift, issued: issued))
        return StreamStateRecord(
            stream: id, checkpointID: recurrent == nil ? nil : checkpointID,
            tMs: lastT.map(ForecastEngine.milliseconds) ?? Int64.min, savedAtMs: ForecastEngine.milliseconds(savedAt),
            hidden: [UInt8](hidden), normaliser: [UInt8](normaliser), calibrator: [UInt8](calibration))
    }

    /// Decodes a saved row's parts.
    /// - Throws: `DecodingError` when a blob is not a state this engine wrote.
    static func parts(of record: StreamStateRecord) throws -> Parts {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Parts(
            hidden: try decoder.decode(Parts.Hidden.self, from: Data(record.hidden)),
            normaliser: try decoder.decode(Parts.Normaliser.self, from: Data(record.normaliser)),
            calibration: try decoder.decode(Parts.Calibration.self, from: Data(record.calibrator)))
    }
}
