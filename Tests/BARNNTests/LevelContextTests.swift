import Foundation
import Testing

@testable import BARNN

/// The level context: its moving average against the closed form, its scale, and that a checkpoint records it.
@Suite struct LevelContextTests {
    @Test func aStepChangeDecaysGeometrically() {
        // m starts at 0 (the mean of the first W zeros); after a jump to D the k-th deviation is D·(1 − 1/W)^k.
        let w = 10, d = 4.0
        var context = LevelContext(window: w, startingFrom: [Float](repeating: 0, count: w))
        for k in 0..<30 {
            let deviation = context.observe(d) ?? .nan
            #expect(abs(deviation - d * pow(1 - 1 / Double(w), Double(k))) < 1e-12, "k = \(k)")
        }
    }

    @Test func theAverageStartsAtTheMeanOfTheFirstWindowAndSkipsMissingValues() {
        let context = LevelContext(window: 3, startingFrom: [.nan, 1, 2, .nan, 6, 100])
        #expect(context.mean == 3)
        #expect(LevelContext(window: 3, startingFrom: [.nan]).mean == nil)
        let inputs = LevelContext.inputs(values: [1, .nan, 1], window: 2, scale: SeriesScale(scale: 1))
        #expect(inputs == [0, 0, 0])
    }

    @Test func theLevelScaleIsTheRootMeanSquareDeviation() {
        // ±1 around 0 with a long window: the average stays near 0, every deviation is close to ±1.
        let values = (0..<400).map { Float($0 % 2 == 0 ? 1 : -1) }
        let scale = SeriesScale(fitting: values, levelWindow: 1000)
        #expect(abs(scale.levelScale - 1) < 0.01, "\(scale.levelScale)")
        #expect(SeriesScale(fitting: values).levelScale == 1)  // no level context: not fitted
        #expect(scale.input(forLevelDeviation: 1e9) == LevelContext.inputClip)
    }

    @Test func aTrendingSeriesSettlesToAConstantDeviation() {
        // y = a·t: the average lags by a·(W − 1), so the deviation from the one before tends to a·W: a trend looks
        // like a constant offset, not like a series leaving its range.
        let a = 0.5, w = 20
        var context = LevelContext(window: w, mean: 0)
        var last = 0.0
        for t in 1...400 { last = context.observe(a * Double(t)) ?? .nan }
        #expect(abs(last - a * Double(w)) < 1e-6, "\(last)")
    }

    @Test func theTrainerShortensTheWindowToAQuarterOfTheTrainingPart() {
        let series = [TrainingSeries(values: [Float](repeating: 0, count: 500), timeFeatures: [])]
        var options = TrainingOptions()
        options.validationFraction = 0.2
        let c = BARNNTrainer.fitted(BARNNConfiguration(levelWindow: 168), series: series, options: options)
        #expect(c.levelWindow == 100)
        #expect(
            BARNNTrainer.fitted(BARNNConfiguration(levelWindow: 50), series: series, options: options).levelWindow == 50
        )
        #expect(
            BARNNTrainer.fitted(BARNNConfiguration(levelWindow: 0), series: series, options: options).levelWindow == 0)
    }

    @Test func theLevelContextIsTheInputAfterTheTimeFeatures() {
        let c = BARNNConfiguration(hiddenSize: 4, levelWindow: 24)
        #expect(c.inputSize == 2 + c.timeFeatures + 1 && c.levelInputColumn == 2 + c.timeFeatures)
        #expect(BARNNConfiguration(hiddenSize: 4, levelWindow: 0).inputSize == 2 + c.timeFeatures)
    }

    @Test func stepFeedsTheLevelContextOfEachObservation() {
        let c = BARNNConfiguration(hiddenSize: 6, embeddingSize: 3, alphaWidth: 4, levelWindow: 4)
        let model = BARNNModel(configuration: c, seed: 5)
        let ws = BARNNWorkspace(configuration: c)
        let values: [Float] = [1, 2, 3, 10, .nan, 4]
        let scale = SeriesScale(scale: 1, levelScale: 2)
        var state = RecurrentState(hiddenSize: c.hiddenSize, scale: scale)
        state.levelMean = 2
        var batch = RecurrentBatch([state], hiddenSize: c.hiddenSize)
        var reference = LevelContext(window: 4, mean: 2)
        for y in values {
            model.step(&batch, observations: [y], timeFeatures: [Float](repeating: 0, count: 4), workspace: ws)
            if y.isFinite {
                let d = reference.observe(Double(y))!
                #expect(batch.pendingLevel[0] == scale.input(forLevelDeviation: d))
                #expect(batch.levelMean[0] == reference.mean!)
            } else {
                #expect(batch.pendingLevel[0] == 0)  // a gap feeds no level, and does not move the average
                #expect(batch.levelMean[0] == reference.mean!)
            }
        }
    }

    @Test func aCheckpointRecordsTheLevelWindowAndTheCalendar() throws {
        let c = BARNNConfiguration(
            hiddenSize: 8, embeddingSize: 4, alphaWidth: 6, levelWindow: 72,
            calendar: CalendarFeatures([.seasonIndex(period: 18), .dayOfWeek]), studentDegrees: 5)
        let model = BARNNModel(configuration: c, seed: 3)
        let decoded = try Checkpoint.decode(Checkpoint.encode(model))
        #expect(decoded.configuration == c)
        #expect(decoded.parameters == model.parameters)
    }

    @Test func aVersionOneCheckpointLoadsWithoutLevelContextOnHourAndWeek() throws {
        let legacy = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6, levelWindow: 0)
        let model = BARNNModel(configuration: legacy, seed: 3)
        let bytes = Checkpoint.encode(
            configuration: legacy, tensors: model.layout.tensors.map { ($0.name, $0.rows, $0.cols) },
            parameters: model.parameters, version: 1)
        // What a group configured with today's defaults expects: the same network, level context on.
        let expected = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6)
        let decoded = try Checkpoint.decode(bytes, expected: expected)
        #expect(decoded.configuration.levelWindow == 0 && decoded.configuration.calendar == .hourAndWeek)
        #expect(decoded.parameters == model.parameters)
    }

    @Test func unknownCalendarCodesAreRefused() {
        let c = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6, calendar: .hourAndWeek)
        var bytes = Checkpoint.encode(BARNNModel(configuration: c, seed: 1))
        // The first component code sits after magic, version, size, 4 dims, β, bound, level window, Student-t
        // degrees and count.
        let offset = 8 + 4 + 4 + 4 * 4 + 4 + 4 + 4 + 4 + 4
        #expect(bytes[offset] == 1)  // the hour of day
        bytes[offset] = 99
        #expect(throws: CheckpointError.invalidHeader("calendar component 99 with period 0")) {
            try Checkpoint.decode(bytes)
        }
    }

    @Test func aStateSavedBeforeTheLevelContextDecodes() throws {
        let json = """
            {"hidden":[0.5,-0.5],"level":3,"pendingInput":0.25,"pendingMissing":false,"lastObserved":true,
             "scale":{"scale":2}}
            """
        let state = try JSONDecoder().decode(RecurrentState.self, from: Data(json.utf8))
        #expect(state.levelMean == nil && state.pendingLevel == 0 && state.scale.levelScale == 1)
        let again = try JSONDecoder().decode(RecurrentState.self, from: JSONEncoder().encode(state))
        #expect(again == state)
    }
}
