import Sampling
import Testing

@testable import Forecasting

/// The 8-bit codes pending forecasts are kept in: close enough for scoring, exact where an outcome can tie.
@Suite struct RowPairCodesTests {
    static func roundTrip(model: [Double], raw: [Double], floor: Double = 0) -> (model: [Double], raw: [Double]) {
        var words: [UInt16] = []
        RowPairCodes.append(model: model, raw: raw, floor: floor, to: &words)
        #expect(words.count == RowPairCodes.length(levels: model.count))
        return RowPairCodes.decode(words, at: 0, levels: model.count, floor: Float(floor))
    }

    /// 4,000 random row pairs at levels from 10⁻⁶ to 10⁹ and spreads from 10⁻⁴ to 10⁴ of the level: every value
    /// comes back within a 124th of the row pair's largest distance from the anchor (the model's middle quantile),
    /// and on average within a 248th (codes round to nearest, and the unit is less than twice the least that fits).
    @Test func valuesComeBackWithinAHundredTwentyFourthOfTheSpread() {
        var generator = SplitMix64(seed: 7)
        func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
        var largest = 0.0
        var total = 0.0
        var count = 0
        for case let (level, relativeSpread) in [(1e-6, 1e-4), (1.0, 1.0), (1e3, 1e-2), (1e9, 1e-4), (5.0, 1e4)] {
            for _ in 0..<800 {
                let k = 7
                let model = (0..<k).map { _ in level * (1 + relativeSpread * (2 * uniform() - 1)) }.sorted()
                let raw = model.map { $0 + level * relativeSpread * (uniform() - 0.5) }
                let decoded = Self.roundTrip(model: model, raw: raw, floor: -1)
                let anchor = Double(Float(model[k / 2]))
                let spread = (model + raw).map { abs($0 - anchor) }.max()!
                for (value, back) in zip(model + raw, decoded.model + decoded.raw) {
                    let error = abs(back - value)
                    #expect(error <= spread / 124, "\(value) came back as \(back)")
                    largest = max(largest, error / spread)
                    total += error / spread
                    count += 1
                }
            }
        }
        // Lossy, but by far less than a quantile's Monte Carlo error.
        #expect(largest > 1e-4 && largest <= 1 / 124.0)
        #expect(total / Double(count) < 1 / 248.0, "mean error \(total / Double(count)) of the spread")
    }

    /// The floor, the anchor, and every value on the unit's grid (integers while the rows span less than 124)
    /// come back exactly, and so do NaN and the infinities.
    @Test func tiesComeBackExactly() {
        let counts = Self.roundTrip(model: [0, 1, 3, 7, 12, 30, 31], raw: [0, 2, 3, 8, 12.5, 29.5, 40])
        #expect(counts.model == [0, 1, 3, 7, 12, 30, 31])
        #expect(counts.raw == [0, 2, 3, 8, 12.5, 29.5, 40])
        let wide = Self.roundTrip(model: [0, 20, 60, 100, 118, 120], raw: [-23, 20, 61, 99, 118, 223])
        #expect(wide.model == [0, 20, 60, 100, 118, 120] && wide.raw == [-23, 20, 61, 99, 118, 223])
        // 0.3 is not on a power-of-two grid about 0.3 as a Float, nor is the floor 0.1: both exact.
        let floored = Self.roundTrip(model: [-2, -1, 0.3, 1, 2], raw: [0.1, 0.1, 0.3, 1.4, 2.7], floor: 0.1)
        #expect(floored.raw[0] == Double(Float(0.1)) && floored.raw[1] == Double(Float(0.1)))
        #expect(floored.model[2] == Double(Float(0.3)) && floored.raw[2] == Double(Float(0.3)))
        let special = Self.roundTrip(model: [.nan, .infinity, 5], raw: [-.infinity, 4, .nan])
        #expect(special.model[0].isNaN && special.model[1] == .infinity && special.raw[0] == -.infinity)
        #expect(special.raw[2].isNaN && special.model[2] == 5 && special.raw[1] == 4)
        let flat = Self.roundTrip(model: [2.2, 2.2, 2.2], raw: [2.2, 2.2, 2.2])
        #expect(flat.raw == flat.model && Set(flat.model).count == 1 && abs(flat.model[0] - 2.2) < 1e-9)
    }

    /// A stream whose outcomes sit on its floor (0 at night) with lower quantiles raised to it, through the whole
    /// feedback loop: those levels' offsets do not move, as with `Float` rows. Without the floor's code the raised
    /// quantiles came back a few millionths off 0 (the anchor, 0.3 as a `Float`, puts 0 off the grid) and every
    /// zero counted as a hit. (Tracking: its offsets start at 0, so the model's lower quantiles stay below the
    /// floor; ACI's window offsets land a quantile on 0 only by exact arithmetic, see `ConformalCalibratorTests`.)
    @Test func outcomesOnTheFloorLeaveItsLevelsAlone() throws {
        let method = ConformalCalibrator.Method.quantileTracking(rate: 0.02)
        let levels = try QuantileLevels([0.05, 0.25, 0.5, 0.75, 0.95])
        let calibrator = ConformalCalibrator(
            levels: levels, horizon: 1, configuration: .init(method: method, window: 200, minimumCount: 1))
        var feedback = ForecastFeedback(
            calibrator: calibrator, drift: DriftMonitor(levels: levels, configuration: .init(windowLength: 50)))
        for i in 0..<300 {
            _ = feedback.score(Observation(t: Double(i) * 60, value: 0))
            _ = feedback.issue([[-2, -1, 0.3, 1, 2]], floor: 0)
        }
        let start = calibrator.parameters(step: 0), parameter = feedback.calibrator.parameters(step: 0)
        #expect(parameter[0] == start[0] && parameter[1] == start[1], "\(parameter)")
        #expect(parameter[4] < start[4])
    }
}
