import Sampling
import Testing

@testable import Forecasting

/// The one-buffer pending forecasts against the forecasts they replace, each holding rows of its own.
@Suite struct PendingForecastsTests {
    /// The forecasts kept one array each (as before the buffer): issue appends or replaces the last, an observation
    /// scores step h of the forecast h back or passes it, then opens a slot.
    struct Reference {
        let horizon: Int
        var issued: [IssuedForecast?] = []

        func scoring(step h: Int) -> (model: [Double], raw: [Double], published: [Double], keptMedian: Bool)? {
            let index = issued.count - h
            guard index >= 0, let forecast = issued[index], let model = forecast.modelRow(step: h),
                let raw = forecast.rawRow(step: h)
            else { return nil }
            return (model, raw, forecast.published, forecast.keptMedian)
        }

        /// Drops the rows of steps 1…h of the forecast at `index` and its published row, into a new forecast.
        mutating func pass(step h: Int, at index: Int) {
            guard let forecast = issued[index] else { return }
            let held = forecast.heldSteps
            let first = min(max(h + 1, held.lowerBound), held.upperBound)
            var rows: [UInt16] = []
            for step in first..<held.upperBound { rows += forecast.heldWords(step: step) }
            issued[index] = IssuedForecast(
                steps: forecast.steps, levels: forecast.levels, first: first, held: rows, floor: forecast.floor,
                published: [], keptMedian: forecast.keptMedian)
        }

        mutating func observe(scoring: Bool) {
            for h in stride(from: 1, through: min(horizon, issued.count), by: 1)
            where !scoring || self.scoring(step: h) != nil {
                pass(step: h, at: issued.count - h)
            }
            issued.append(nil)
            if issued.count > horizon { issued.removeFirst(issued.count - horizon) }
        }

        mutating func issue(_ forecast: IssuedForecast) {
            if issued.isEmpty { issued.append(forecast) } else { issued[issued.count - 1] = forecast }
        }
    }

    /// 3,000 random observations (a tenth missing) and issues (skipped a fifth of the time, repeated a tenth) at
    /// H 1, 5 and 12: every step reads the same rows, and the saved forms are equal.
    @Test(arguments: [1, 5, 12])
    func scoresTheSameRowsAsForecastsWithRowsOfTheirOwn(horizon: Int) {
        let k = 3
        var generator = SplitMix64(seed: UInt64(horizon))
        func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
        var pending = PendingForecasts(horizon: horizon, levelCount: k)
        var reference = Reference(horizon: horizon)
        for _ in 0..<3000 {
            let present = uniform() > 0.1
            for h in stride(from: 1, through: min(horizon, pending.count), by: 1) {
                let got = pending.scoring(step: h), expected = reference.scoring(step: h)
                #expect(got?.model == expected?.model && got?.raw == expected?.raw)
                #expect(got?.published == expected?.published && got?.keptMedian == expected?.keptMedian)
                if !present || got != nil { pending.markScored(step: h) }
            }
            reference.observe(scoring: present)
            pending.advance()
            let issues = uniform() < 0.2 ? 0 : (uniform() < 0.1 ? 2 : 1)
            for _ in 0..<issues {
                let model = (0..<horizon).map { _ in (0..<k).map { _ in uniform() * 10 - 5 } }
                let raw = model.map { row in row.map { $0 + uniform() } }
                let published = raw[0].sorted()
                let kept = uniform() < 0.3
                pending.issue(model: model, raw: raw, published: published, keptMedian: kept)
                reference.issue(IssuedForecast(model: model, raw: raw, published: published, keptMedian: kept))
            }
            #expect(pending.issued == reference.issued)
        }
    }

    /// The buffer is sized once for H(H+1)/2 rows, at the first forecast: issuing and scoring never grow it, and a
    /// stream that has not forecast yet (an idle one) holds none.
    @Test func theBufferIsAllocatedOnceAtTheFirstForecast() {
        let horizon = 12, k = 7
        var pending = PendingForecasts(horizon: horizon, levelCount: k)
        for h in 1...horizon {
            pending.markScored(step: h)
            pending.advance()
        }
        #expect(pending.rowCapacity == 0)
        let model = Array(repeating: Array(repeating: 1.0, count: k), count: horizon)
        pending.issue(model: model, raw: model, published: model[0], keptMedian: false)
        let capacity = pending.rowCapacity
        #expect(capacity >= horizon * (horizon + 1) / 2 * (3 + k))
        for _ in 0..<100 {
            for h in stride(from: 1, through: min(horizon, pending.count), by: 1) { pending.markScored(step: h) }
            pending.advance()
            pending.issue(model: model, raw: model, published: model[0], keptMedian: false)
            #expect(pending.rowCapacity == capacity)
        }
        #expect(pending.heldRowCount == horizon * (horizon + 1) / 2)
    }

    /// A state saved before passed rows were dropped (every step of every forecast) restores with only the rows a
    /// later observation can score: steps from each forecast's age on.
    @Test func restoringDropsTheRowsNoObservationCanScore() {
        let row = [1.0, 2.0]
        let full = IssuedForecast(
            model: Array(repeating: row, count: 3), raw: Array(repeating: row, count: 3), published: row)
        let pending = PendingForecasts(horizon: 3, levelCount: 2, issued: [full, full, full])
        #expect(pending.issued.map { $0?.heldSteps } == [3..<4, 2..<4, 1..<4])
        #expect(pending.issued.map { $0?.published.isEmpty } == [true, true, false])
        #expect(pending.heldRowCount == 6)
    }
}
