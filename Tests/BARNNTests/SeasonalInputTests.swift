import Foundation
import Testing

@testable import BARNN

/// The seasonal-naive input: its closed form, and that training, the per-observation step and the sampled paths
/// (from the observed season, then from the path's own values) feed the same numbers.
@Suite struct SeasonalInputTests {
    let c = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6, levelWindow: 5, seasonalLag: 3)

    func features(_ count: Int, from start: Int = 0) -> [Float] {
        CalendarFeatures.hourAndWeek.features(unixTimes: (start..<(start + count)).map { Double($0) * 3600 })
    }

    @Test func theInputIsWhatSeasonalNaiveForecastsAsTheNextIncrement() {
        let values: [Float] = [1, 4, 2, 3, .nan, 5, 9, 6]
        let inputs = SeasonalInput.inputs(values: values, lag: 3, scale: SeriesScale(scale: 2))
        // t = 3: (y0 − y2)/2; t = 4: (y1 − y3)/2; t = 5: y4 is missing; t = 6: (y3 − y5)/2; t = 7: y4 again.
        #expect(inputs == [0, 0, 0, -0.5, 0.5, 0, -1, 0])
        #expect(SeasonalInput.inputs(values: [0, 0, 0, 1e9], lag: 1, scale: SeriesScale(scale: 1))[3] == 0)
        #expect(
            SeasonalInput.input(seasonAgo: 1e9, previous: 0, scale: SeriesScale(scale: 1)) == SeriesScale.inputClip)
    }

    @Test func theSeasonalInputIsTheLastColumn() {
        #expect(c.inputSize == 2 + c.timeFeatures + 2 && c.seasonalInputColumn == c.levelInputColumn + 1)
        let noLevel = BARNNConfiguration(hiddenSize: 8, levelWindow: 0, seasonalLag: 24)
        #expect(noLevel.inputSize == 2 + noLevel.timeFeatures + 1 && noLevel.seasonalInputColumn == 2 + 4)
        #expect(!BARNNConfiguration().hasSeasonalInput)
    }

    /// Training's input rows and the step's pending inputs agree observation by observation, gaps included.
    @Test func theStepFeedsWhatTrainingReads() {
        let model = BARNNModel(configuration: c, seed: 4)
        let ws = BARNNWorkspace(configuration: c)
        let values: [Float] = [3, 1, 4, 1, 5, .nan, 2, 6, 5, 3, 5, 8, .nan, .nan, 9, 7]
        let scale = SeriesScale(scale: 1.5, levelScale: 2)
        let extra = BARNNTrainer.extraInputs(values: values, configuration: c, scale: scale)
        var state = RecurrentState(hiddenSize: c.hiddenSize, scale: scale, seasonalLag: 3)
        state.levelMean = LevelContext(window: c.levelWindow, startingFrom: values).mean
        var batch = RecurrentBatch([state], hiddenSize: c.hiddenSize, seasonalLag: 3)
        for t in 0..<(values.count - 1) {
            model.step(&batch, observations: [values[t]], timeFeatures: features(1, from: t), workspace: ws)
            // After y_t the pending inputs are those of the step that predicts y_{t+1}: row t + 1.
            #expect(batch.pendingLevel[0] == extra[(t + 1) * 2], "level, t = \(t)")
            #expect(batch.pendingSeasonal[0] == extra[(t + 1) * 2 + 1], "seasonal, t = \(t)")
        }
    }

    /// The noise-free path fed back as observations reproduces itself: every input a path computes for itself (the
    /// season ago from history for the first m steps, from its own values after) is the one the step computes.
    @Test func aPathReadsTheObservedSeasonThenItsOwnValues() {
        let model = BARNNModel(configuration: c, seed: 9)
        let ws = BARNNWorkspace(configuration: c)
        let history: [Float] = (0..<40).map { t in
            let phase = Double(t) * 2 * Double.pi / 3
            return Float(2 * sin(phase) + 0.05 * Double(t))
        }
        let start = model.warmUp(
            values: history, timeFeatures: features(40), scale: SeriesScale(scale: 0.8, levelScale: 1.5),
            workspace: ws)
        let horizon = 8
        let batch = RecurrentBatch([start], hiddenSize: c.hiddenSize, seasonalLag: 3)
        let path = model.mapForecast(batch, horizon: horizon, timeFeatures: features(horizon, from: 40), workspace: ws)
        var stepped = batch
        for k in 1..<horizon {
            model.step(
                &stepped, observations: [Float(path.mean[k - 1])], timeFeatures: features(1, from: 40 + k - 1),
                workspace: ws)
            let next = model.mapForecast(stepped, horizon: 1, timeFeatures: features(1, from: 40 + k), workspace: ws)
            let increment = path.mean[k] - path.mean[k - 1]
            #expect(abs((next.mean[0] - path.mean[k - 1]) - increment) < 1e-4, "step \(k)")
        }
        // The input matters: the same model without the observed season forecasts something else.
        var blind = start
        blind.recent = [.nan, .nan, .nan]
        blind.pendingSeasonal = 0
        let other = model.mapForecast(
            RecurrentBatch([blind], hiddenSize: c.hiddenSize, seasonalLag: 3), horizon: horizon,
            timeFeatures: features(horizon, from: 40), workspace: ws)
        #expect(other.mean != path.mean)
    }

    @Test func aBatchPadsOrTrimsRecentValuesSavedForAnotherPeriod() {
        var state = RecurrentState(hiddenSize: 2, scale: SeriesScale(scale: 1), seasonalLag: 2)
        state.recent = [1, 2]
        state.pendingSeasonal = 0.5
        let longer = RecurrentBatch([state], hiddenSize: 2, seasonalLag: 4)
        #expect(longer.recent.prefix(2).allSatisfy(\.isNaN) && Array(longer.recent.suffix(2)) == [1, 2])
        #expect(longer.pendingSeasonal == [0])
        let shorter = RecurrentBatch([state], hiddenSize: 2, seasonalLag: 1)
        #expect(shorter.recent == [2] && shorter[0].recent == [2])
        let same = RecurrentBatch([state], hiddenSize: 2, seasonalLag: 2)
        #expect(same[0] == state)
    }

    @Test func aStateSavedBeforeTheSeasonalInputDecodesWithoutOne() throws {
        let legacy = #"""
            {"hidden":[0,0],"level":1,"pendingInput":0,"pendingMissing":false,"lastObserved":true,
             "scale":{"scale":1,"levelScale":1},"levelMean":1,"pendingLevel":0}
            """#
        let state = try JSONDecoder().decode(RecurrentState.self, from: Data(legacy.utf8))
        #expect(state.recent.isEmpty && state.pendingSeasonal == 0)
    }

    @Test func aCheckpointRecordsThePeriodAndOlderOnesHaveNone() throws {
        let model = BARNNModel(configuration: c, seed: 3)
        let bytes = Checkpoint.encode(model)
        #expect(bytes[8] == 4)  // the format version, little-endian
        let decoded = try Checkpoint.decode(bytes)
        #expect(decoded.configuration == c && decoded.parameters == model.parameters)
        let plain = BARNNModel(
            configuration: BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6), seed: 3)
        let old = Checkpoint.encode(plain)
        #expect(old[8] == 2)  // without the input, still the format older builds read
        #expect(try Checkpoint.decode(old).configuration.seasonalLag == 0)
        var huge = c
        huge.seasonalLag = Checkpoint.maximumSeasonalLag + 1
        let refused = Checkpoint.encode(
            configuration: huge, tensors: model.layout.tensors.map { ($0.name, $0.rows, $0.cols) },
            parameters: model.parameters, version: 4)
        #expect(throws: CheckpointError.self) { try Checkpoint.decode(refused) }
    }

    /// A trained model with the input learns to lean on it where the series repeats with period m.
    @Test func trainingUsesTheInputOnAPeriodicSeries() throws {
        // A period-5 pattern with a slowly changing amplitude and noise: the calendar cannot see period 5.
        var rng = SeededRNG(seed: 3)
        var noise = [Float](repeating: 0, count: 600)
        noise.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        let pattern: [Float] = [0, 3, -1, 4, -2]
        let values = (0..<600).map { t -> Float in
            pattern[t % 5] * (1 + 0.3 * Float(sin(Double(t) / 80))) + 0.2 * noise[t]
        }
        let tf = features(600)
        var options = TrainingTests.shortOptions(steps: 300, evaluateEvery: 25)
        options.learningRate = 1e-2
        options.warmupSteps = 20
        options.patience = 6
        func best(lag: Int) throws -> Float {
            let configuration = BARNNConfiguration(
                hiddenSize: 12, embeddingSize: 6, alphaWidth: 8, levelWindow: 0, seasonalLag: lag)
            let (_, report) = try BARNNTrainer.train(
                series: [TrainingSeries(values: values, timeFeatures: tf)], configuration: configuration,
                options: options)
            return try #require(report.validationNLL.min())
        }
        let with = try best(lag: 5), without = try best(lag: 0)
        #expect(with < without - 0.1, "with \(with), without \(without)")
    }
}
