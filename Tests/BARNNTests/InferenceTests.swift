import Foundation
import Testing

@testable import BARNN

@Suite struct InferenceTests {
    let c = BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6)
    var model: BARNNModel { BARNNModel(configuration: c, seed: 12) }

    func context(_ seed: Int, length: Int = 30) -> [Float] {
        (0..<length).map { Float(sin(Double($0) / 3 + Double(seed)) + 0.01 * Double($0)) }
    }

    func features(_ count: Int, from start: Int = 0) -> [Float] {
        CalendarFeatures.hourAndWeek.features(unixTimes: (start..<(start + count)).map { Double($0) * 3600 })
    }

    func warmBatch(_ model: BARNNModel, streams: Int, ws: BARNNWorkspace) -> RecurrentBatch {
        let states = (0..<streams).map { s in
            model.warmUp(values: context(s), timeFeatures: features(30), scale: SeriesScale(scale: 0.3), workspace: ws)
        }
        return RecurrentBatch(states, hiddenSize: c.hiddenSize)
    }

    @Test func sameSeedGivesIdenticalSamplesAndDifferentSeedsDiffer() {
        let m = model, ws = BARNNWorkspace(configuration: c)
        let batch = warmBatch(m, streams: 3, ws: ws)
        let tf = (0..<3).flatMap { _ in features(6, from: 30) }
        func run(_ seed: UInt64) -> BARNNForecast {
            var rng = SeededRNG(seed: seed)
            return m.sample(
                batch, paths: 16, horizon: 6, timeFeatures: tf, levels: [0.1, 0.5, 0.9], rng: &rng, workspace: ws)
        }
        let a = run(1), b = run(1), other = run(2)
        #expect(a.mean.map(\.bitPattern) == b.mean.map(\.bitPattern))
        #expect(a.quantiles.map(\.bitPattern) == b.quantiles.map(\.bitPattern))
        #expect(a.mean != other.mean)
        // A fresh workspace must not change anything either.
        var rng = SeededRNG(seed: 1)
        let fresh = m.sample(
            batch, paths: 16, horizon: 6, timeFeatures: tf, levels: [0.1, 0.5, 0.9], rng: &rng,
            workspace: BARNNWorkspace(configuration: c))
        #expect(fresh == a)
    }

    /// 20 streams × 32 paths span three chunks of streams; the output must not depend on the thread count.
    @Test func samplesDoNotDependOnTheThreadCount() {
        let m = model, ws = BARNNWorkspace(configuration: c)
        let batch = warmBatch(m, streams: 20, ws: ws)
        let tf = (0..<20).flatMap { _ in features(4, from: 30) }
        func run(threads: Int) -> BARNNForecast {
            var rng = SeededRNG(seed: 8)
            return m.sample(
                batch, paths: 32, horizon: 4, timeFeatures: tf, levels: [0.05, 0.95], threads: threads, rng: &rng,
                workspace: ws)
        }
        let one = run(threads: 1), two = run(threads: 2), three = run(threads: 3)
        #expect(one == two && one == three)
        #expect(one.mean[0] != one.mean[4 * 19], "streams must not share draws")
    }

    @Test func quantilesAreOrderedAndBracketTheMean() {
        let m = model, ws = BARNNWorkspace(configuration: c)
        let batch = warmBatch(m, streams: 2, ws: ws)
        var rng = SeededRNG(seed: 3)
        let f = m.sample(
            batch, paths: 64, horizon: 5, timeFeatures: (0..<2).flatMap { _ in features(5, from: 30) },
            levels: [0.05, 0.5, 0.95], rng: &rng, workspace: ws)
        for s in 0..<2 {
            for h in 0..<5 {
                let q = (0..<3).map { f.quantile(stream: s, step: h, level: $0) }
                #expect(q[0] <= q[1] && q[1] <= q[2])
                #expect(q[0] <= f.mean(stream: s, step: h) && f.mean(stream: s, step: h) <= q[2])
            }
        }
    }

    @Test func pathsSortAscending() {
        var values: [Float] = [5, 1, 4, 2, 3]
        values.withUnsafeMutableBufferPointer { Quantiles.sortInPlace($0.baseAddress!, count: 5) }
        #expect(values == [1, 2, 3, 4, 5])
        var many = (0..<200).map { Float((($0 * 37) % 200)) }
        many.withUnsafeMutableBufferPointer { Quantiles.sortInPlace($0.baseAddress!, count: 200) }
        #expect(many == (0..<200).map(Float.init))
    }

    @Test func mapPassEqualsTheNoiseFreeMeanPath() {
        let m = model, ws = BARNNWorkspace(configuration: c)
        let batch = warmBatch(m, streams: 2, ws: ws)
        let tf = (0..<2).flatMap { _ in features(4, from: 30) }
        let map = m.mapForecast(batch, horizon: 4, timeFeatures: tf, levels: [0.5], workspace: ws)
        var rng = SeededRNG(seed: 1)
        let noiseFree = m.sample(
            batch, paths: 1, horizon: 4, timeFeatures: tf, levels: [0.5],
            options: SamplingOptions(weightNoise: false, aleatoricNoise: false), rng: &rng, workspace: ws)
        #expect(map.mean == noiseFree.mean)
        for s in 0..<2 {
            for h in 0..<4 {
                #expect(abs(map.quantile(stream: s, step: h, level: 0) - map.mean(stream: s, step: h)) < 1e-9)
            }
        }
    }

    @Test func batchedStepMatchesOneStreamAtATime() {
        let m = model, ws = BARNNWorkspace(configuration: c)
        var batch = warmBatch(m, streams: 3, ws: ws)
        var singles = (0..<3).map { RecurrentBatch([batch[$0]], hiddenSize: c.hiddenSize) }
        let tf = features(1, from: 30)
        let observations: [Float] = [0.4, .nan, -1.2]
        m.step(&batch, observations: observations, timeFeatures: (0..<3).flatMap { _ in tf }, workspace: ws)
        for s in 0..<3 {
            m.step(&singles[s], observations: [observations[s]], timeFeatures: tf, workspace: ws)
            let a = batch[s], b = singles[s][0]
            let diff = zip(a.hidden, b.hidden).map { abs($0 - $1) }.max()!
            #expect(diff < 1e-6, "stream \(s): maxdiff \(diff)")
            #expect(a.pendingMissing == b.pendingMissing && a.lastObserved == b.lastObserved)
            #expect(abs(a.level! - b.level!) < 1e-5)
        }
    }

    @Test func warmUpEqualsStepByStep() {
        let m = model, ws = BARNNWorkspace(configuration: c)
        let values = context(1, length: 12)
        let tf = features(12)
        let warmed = m.warmUp(values: values, timeFeatures: tf, scale: SeriesScale(scale: 0.3), workspace: ws)
        // Warm-up starts the level context's average at the mean of the first W values; stepping from scratch
        // starts it there too, so both see the same inputs.
        var fresh = RecurrentState(hiddenSize: c.hiddenSize, scale: SeriesScale(scale: 0.3))
        fresh.levelMean = LevelContext(window: c.levelWindow, startingFrom: values).mean
        var batch = RecurrentBatch([fresh], hiddenSize: c.hiddenSize)
        for t in 0..<12 {
            m.step(&batch, observations: [values[t]], timeFeatures: Array(tf[(t * 4)..<(t * 4 + 4)]), workspace: ws)
        }
        #expect(batch[0] == warmed)
        #expect(warmed.level == Double(values[11]))
        #expect(abs(warmed.pendingInput - Float((Double(values[11]) - Double(values[10])) / 0.3)) < 1e-5)
    }

    /// A gap advances the level by the model's own mean and flags the following inputs as missing.
    @Test func missingObservationsAreImputedAndFlagged() throws {
        let m = model, ws = BARNNWorkspace(configuration: c)
        var batch = warmBatch(m, streams: 1, ws: ws)
        let before = batch[0]
        let tf = features(1, from: 30)
        m.step(&batch, observations: [.nan], timeFeatures: tf, workspace: ws)
        let afterGap = batch[0]
        #expect(afterGap.pendingMissing && !afterGap.lastObserved && afterGap.pendingInput == 0)
        let imputed = try #require(afterGap.level)
        #expect(imputed.isFinite && afterGap.level != before.level)
        #expect(afterGap.hidden != before.hidden)
        // Its mean increment is exactly what the noise-free MAP pass predicts one step ahead.
        let map = m.mapForecast(
            RecurrentBatch([before], hiddenSize: c.hiddenSize), horizon: 1, timeFeatures: tf, workspace: ws)
        #expect(abs(map.mean(stream: 0, step: 0) - imputed) < 1e-5)
        m.step(&batch, observations: [2], timeFeatures: features(1, from: 31), workspace: ws)
        let resumed = batch[0]
        #expect(resumed.level == 2 && resumed.lastObserved)
        #expect(resumed.pendingMissing, "the increment across a gap is missing, as in training")
        m.step(&batch, observations: [2.3], timeFeatures: features(1, from: 32), workspace: ws)
        #expect(!batch[0].pendingMissing && abs(batch[0].pendingInput - 1) < 1e-5)
    }

    @Test func firstObservationHasNoIncrement() {
        let m = model, ws = BARNNWorkspace(configuration: c)
        var batch = RecurrentBatch(
            [RecurrentState(hiddenSize: c.hiddenSize, scale: SeriesScale(scale: 1))], hiddenSize: c.hiddenSize)
        m.step(&batch, observations: [10], timeFeatures: features(1), workspace: ws)
        #expect(batch[0].level == 10 && batch[0].pendingMissing)
    }

    @Test func freshStateRoundTripsThroughJSON() throws {
        let fresh = RecurrentState(hiddenSize: 3, scale: SeriesScale(scale: 2))
        let data = try JSONEncoder().encode(fresh)
        #expect(try JSONDecoder().decode(RecurrentState.self, from: data) == fresh)
        #expect(RecurrentBatch([fresh], hiddenSize: 3)[0] == fresh)
    }

    /// The hidden state and the seasonal window are saved as packed text of their bits: bit-exact with NaN where a
    /// value is missing, under half the size of a list of numbers; lists saved before still decode, and damaged text
    /// is an error.
    @Test func hiddenStateAndSeasonalWindowAreSavedPacked() throws {
        var state = RecurrentState(hiddenSize: 64, scale: SeriesScale(scale: 2), seasonalLag: 3)
        state.hidden = (0..<64).map { Float($0) * 0.137 - 4.1 }
        state.recent = [1.5, .nan, -2e300]
        let data = try JSONEncoder().encode(state)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((object["hidden"] as? String)?.count == 344)
        #expect(object["recent"] is String)
        let decoded = try JSONDecoder().decode(RecurrentState.self, from: data)
        #expect(decoded.hidden.map(\.bitPattern) == state.hidden.map(\.bitPattern))
        #expect(decoded.recent.map(\.bitPattern) == state.recent.map(\.bitPattern))
        #expect(data.count < 700)
        var list = object
        list["hidden"] = state.hidden.map(Double.init)
        list["recent"] = [1.5, 2.5, 3.5]
        let legacy = try JSONDecoder().decode(
            RecurrentState.self, from: JSONSerialization.data(withJSONObject: list))
        #expect(legacy.hidden == state.hidden && legacy.recent == [1.5, 2.5, 3.5])
        var damaged = object
        damaged["hidden"] = "not base64!"
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RecurrentState.self, from: JSONSerialization.data(withJSONObject: damaged))
        }
    }
}

@Suite struct ScaleAndFeatureTests {
    @Test func scaleIsTheStandardDeviationOfIncrements() {
        let values: [Float] = [0, 1, 3, 6, .nan, 7, 9]
        // increments 1, 2, 3, 2 (those touching the gap are skipped): mean 2, sample std √(2/3)
        #expect(abs(SeriesScale(fitting: values).scale - Float((2.0 / 3).squareRoot())) < 1e-6)
        #expect(SeriesScale(fitting: [5, 5, 5, 5]).scale > 0)
        #expect(SeriesScale(scale: .nan).scale == 1)
        #expect(SeriesScale(scale: 2).input(forIncrement: 1e9) == SeriesScale.inputClip)
    }

    @Test func timeFeaturesEncodeHourAndWeekday() {
        // 1970-01-05 00:00 UTC was a Monday: day and week phases are both 0.
        let monday = CalendarFeatures.hourAndWeek.features(unixTimes: [4 * 86_400])
        #expect(abs(monday[0]) < 1e-6 && abs(monday[1] - 1) < 1e-6)
        #expect(abs(monday[2]) < 1e-6 && abs(monday[3] - 1) < 1e-6)
        // 06:00 is a quarter day: sin = 1.
        let six = CalendarFeatures.hourAndWeek.features(unixTimes: [4 * 86_400 + 6 * 3600])
        #expect(abs(six[0] - 1) < 1e-6 && abs(six[1]) < 1e-6)
        #expect(CalendarFeatures.hourAndWeek.count == 4)
    }
}
