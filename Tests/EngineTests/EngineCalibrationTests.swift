import EngineTestKit
import Forecasting
import Testing

@testable import Configuration
@testable import Engine

@Suite struct EngineCalibrationTests {
    @Test(arguments: [DaemonConfiguration.CalibrationMethod.none, .rolling, .aci])
    func everyCalibrationMethodServesForecasts(method: DaemonConfiguration.CalibrationMethod) throws {
        let fixture = try EngineFixture()
        var configuration = EngineFixture.configuration(horizon: 3)
        configuration.models["default"]!.calibration.method = method
        configuration.models["default"]!.calibration.window = 50
        let engine = try fixture.engine(configuration)
        let outputs = EngineFixture.feed(engine, streams: ["a"], steps: 0..<80)
        #expect(outputs.last?.forecastIssues.count == 1)
        let issued = try #require(engine.streams["a"]?.feedback.issued.last ?? nil)
        if method == .none {
            #expect(issued.raw == issued.model)
            // Published as `Float`s, kept as 8-bit row-pair codes: equal within half the codes' unit (a 124th of the
            // spread) and the `Float`'s rounding.
            let spread = issued.model[0].map { abs($0 - issued.model[0][1]) }.max()!
            #expect(
                zip(issued.published, issued.model[0]).allSatisfy { abs($0 - $1) <= spread / 124 + abs($1) * 1e-6 })
        } else {
            // After 50+ scored outcomes the conformal offsets move the model's quantiles.
            #expect(issued.raw != issued.model)
        }
        #expect(engine.streams["a"]?.feedback.calibrator.coverage.count == 50)
    }
}
