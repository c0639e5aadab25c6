import Foundation
import Testing

@testable import Forecasting

@Suite struct ForecastFeedbackMedianTests {
    /// A calibrator that has learnt that every outcome is 0.3 moves every level to 0.3; with `keepMedian` the model's
    /// median (0) is published with the other four levels corrected exactly as without it.
    @Test func keepMedianPublishesTheModelMedianAndCorrectsTheOtherLevels() throws {
        let levels = try QuantileLevels([0.05, 0.25, 0.5, 0.75, 0.95])
        let model = [[-2.0, -0.5, 0, 0.5, 2]]
        var calibrator = ConformalCalibrator(
            levels: levels, horizon: 1, configuration: .init(method: .rollingWindow, window: 50, minimumCount: 5))
        for _ in 0..<50 { try calibrator.update(step: 1, quantiles: model[0], outcome: 0.3) }
        let feedback = ForecastFeedback(
            calibrator: calibrator, drift: DriftMonitor(levels: levels, configuration: .init(windowLength: 50)))
        var corrected = feedback
        var kept = feedback
        let all = corrected.issue(model, keepMedian: false).quantiles[0]
        let median = kept.issue(model, keepMedian: true).quantiles[0]
        // Every score is 0.3 − qₖ over width 4: the rolling offsets (stored as Float) put every level at 0.3.
        #expect(all.allSatisfy { abs($0 - 0.3) < 1e-6 }, "\(all)")
        // The kept median (0) is crossed by the corrected 0.05 and 0.25 levels, so sorting puts it first.
        #expect(median[0] == 0, "\(median)")
        #expect(median.dropFirst().allSatisfy { abs($0 - 0.3) < 1e-6 }, "\(median)")
        // What the calibrator will learn from is the row as issued, with the model median in it.
        #expect(kept.issued.last??.raw[0][2] == 0)
        #expect(corrected.issued.last??.raw[0][2] != 0)
    }

    /// While the median is kept its ACI level is held (its scores are still recorded), so a median the calibrator
    /// did not publish cannot run its effective level to the end of the range; turned off later, the median
    /// starts at its nominal level on the recent scores.
    @Test func aKeptMedianHoldsItsLevelAndStartsFromItWhenCorrectedAgain() throws {
        let levels = try QuantileLevels([0.05, 0.5, 0.95])
        let model = [[-2.0, 0, 2]]
        var feedback = ForecastFeedback(
            calibrator: ConformalCalibrator(
                levels: levels, horizon: 1,
                configuration: .init(method: .adaptive(gamma: 0.05), window: 100, minimumCount: 5)),
            drift: DriftMonitor(levels: levels, configuration: .init(windowLength: 50)))
        var t = 0.0
        for i in 0..<400 {
            _ = feedback.score(Observation(t: t, value: 0.3 + 0.2 * sin(Double(i))))
            _ = feedback.issue(model, keepMedian: true)
            t += 1
        }
        // Every outcome was above the kept median: without the hold each would raise its level by γ/2.
        #expect(feedback.calibrator.parameters(step: 0)[1] == 0.5)
        #expect(feedback.calibrator.parameters(step: 0)[0] != 0.05)
        // The median's scores are 0.3 + 0.2 sin(i) over width 4, so its window's median is near 0.3/4.
        let corrected = feedback.issue(model, keepMedian: false).quantiles[0][1]
        #expect(abs(corrected - 0.3) < 0.05, "\(corrected)")
    }

    /// Small offsets that do not cross it leave the median in its place, and `calibrate: false` ignores the flag.
    @Test func aMedianThatIsNotCrossedStaysAtItsLevel() throws {
        let levels = try QuantileLevels([0.1, 0.5, 0.9])
        let model = [[-1.0, 0, 1]]
        var calibrator = ConformalCalibrator(
            levels: levels, horizon: 1, configuration: .init(method: .quantileTracking(rate: 0.05), window: 20))
        for _ in 0..<4 { try calibrator.update(step: 1, quantiles: model[0], outcome: 5) }
        var feedback = ForecastFeedback(
            calibrator: calibrator, drift: DriftMonitor(levels: levels, configuration: .init(windowLength: 20)))
        let published = feedback.issue(model, keepMedian: true).quantiles[0]
        #expect(published[1] == 0)
        #expect(published[0] > -1 && published[2] > 1, "\(published)")
        var uncalibrated = feedback
        #expect(uncalibrated.issue(model, calibrate: false, keepMedian: true).quantiles == model)
    }
}
