import Formats
import Foundation
import Testing

@testable import Forecasting

/// A stream's pending forecasts saved as one archive come back bit for bit, smaller than saved one by one, and a
/// damaged archive is a decoding error.
@Suite struct PendingForecastArchiveTests {
    /// What a stream at H 12, K 7 holds after many steps: forecast i (oldest first) has scored i steps and holds
    /// the rest; a quantile fan widening with the step, the raw rows the model's shifted, a floor at 0 met by the low
    /// levels of one step, NaN and infinities where a model failed, one slot without a forecast.
    static func pending(horizon: Int = 12) -> [IssuedForecast?] {
        let offsets = [-1.64, -1.28, -0.67, 0, 0.67, 1.28, 1.64]
        return (0..<horizon).map { age -> IssuedForecast? in
            if age == 3 { return nil }
            var model: [[Double]] = []
            var raw: [[Double]] = []
            for step in 1...horizon {
                guard step > horizon - 1 - age else {
                    model.append([])
                    raw.append([])
                    continue
                }
                let centre = 20 + sin(Double(age + step) / 3)
                let width = 0.4 * Double(step).squareRoot()
                var row = offsets.map { centre + $0 * width }
                var shifted = row.enumerated().map { $1 + 0.03 * Double($0 - 3) * width }
                if age == 5 && step == horizon { row[0] = 0; shifted[0] = 0 }
                if age == 7 && step == horizon { row[6] = .nan; shifted[5] = .infinity; shifted[6] = -.infinity }
                model.append(row)
                raw.append(shifted)
            }
            let published = age == horizon - 1 ? raw.last!.sorted() : []
            return IssuedForecast(model: model, raw: raw, published: published, keptMedian: age % 2 == 0)
        }
    }

    @Test func anArchiveRoundTripsBitExactly() throws {
        let issued = Self.pending()
        let archive = try #require(PendingForecastArchive(issued))
        let data = try JSONEncoder().encode(archive)
        let back = try JSONDecoder().decode(PendingForecastArchive.self, from: data)
        #expect(back.issued == issued)
        for (restored, original) in zip(back.issued, issued) {
            #expect(
                restored?.model.flatMap { $0 }.map(\.bitPattern) == original?.model.flatMap { $0 }.map(\.bitPattern))
            #expect(restored?.raw.flatMap { $0 }.map(\.bitPattern) == original?.raw.flatMap { $0 }.map(\.bitPattern))
            #expect(restored?.published == original?.published && restored?.keptMedian == original?.keptMedian)
        }
        // A floor other than 0, forecasts without levels and an empty list.
        let floored = IssuedForecast(
            model: [[1, 2], [3, 4]], raw: [[1.5, 2], [3, 4.5]], published: [1, 2], floor: 1)
        let levelless = IssuedForecast(model: [[], []], raw: [[], []], published: [])
        for list in [[floored, nil, levelless], [], [levelless]] {
            let restored = try JSONDecoder().decode(
                PendingForecastArchive.self, from: JSONEncoder().encode(try #require(PendingForecastArchive(list))))
            #expect(restored.issued == list)
        }
    }

    /// The archive's rows deflate to less than the same forecasts saved one by one and deflated (the saved state's
    /// deflate runs over both): 74 row pairs at H 12, K 7, 785 bytes against 900 (a tenth less at least).
    @Test func anArchiveIsSmallerThanTheForecastsSavedOneByOne() throws {
        let issued = Self.pending()
        let archive = Deflate.compress([UInt8](try JSONEncoder().encode(try #require(PendingForecastArchive(issued)))))
        let list = Deflate.compress([UInt8](try JSONEncoder().encode(issued)))
        #expect(archive.count * 10 < list.count * 9, "\(archive.count) bytes against \(list.count)")
    }

    /// Forecasts of different K cannot share one block: no archive (the caller saves the list).
    @Test func forecastsOfDifferentLevelsHaveNoArchive() {
        let seven = IssuedForecast(
            model: [Array(repeating: 1, count: 7)], raw: [Array(repeating: 1, count: 7)], published: [])
        let three = IssuedForecast(model: [[1, 2, 3]], raw: [[1, 2, 3]], published: [])
        #expect(PendingForecastArchive([seven, three]) == nil)
        #expect(PendingForecastArchive([seven, nil, seven]) != nil)
    }

    /// Damage to the block or to a header's claims is a decoding error, never a misread or a trap; the decoder's
    /// limits bound what a header may claim.
    @Test func aDamagedArchiveIsADecodingError() throws {
        let data = try JSONEncoder().encode(try #require(PendingForecastArchive(Self.pending())))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try #require(object["rows"] as? String)
        var forecasts = try #require(object["forecasts"] as? [Any])
        var newest = try #require(forecasts.last as? [String: Any])
        func decodes(_ edit: (inout [String: Any]) -> Void, limits: IssuedForecast.Limits? = nil) -> Bool {
            var copy = object
            edit(&copy)
            let decoder = JSONDecoder()
            if let limits { decoder.userInfo[IssuedForecast.limitsKey] = limits }
            guard let data = try? JSONSerialization.data(withJSONObject: copy) else { return false }
            return (try? decoder.decode(PendingForecastArchive.self, from: data)) != nil
        }
        #expect(decodes { _ in })
        #expect(!decodes { $0["rows"] = "" })
        #expect(!decodes { $0["rows"] = String(rows.dropLast(4)) })
        #expect(!decodes { $0["rows"] = ScalarPacking.pack(Deflate.compress([1, 2, 3])) })
        let flipped = rows.prefix(12) + (rows.dropFirst(12).first == "A" ? "B" : "A") + rows.dropFirst(13)
        #expect(!decodes { $0["rows"] = String(flipped) })
        newest["held"] = 13
        forecasts[forecasts.count - 1] = newest
        #expect(!decodes { $0["forecasts"] = forecasts })
        #expect(!decodes({ _ in }, limits: IssuedForecast.Limits(steps: 11, levels: 7)))
        #expect(!decodes({ _ in }, limits: IssuedForecast.Limits(steps: 12, levels: 6)))
        #expect(decodes({ _ in }, limits: IssuedForecast.Limits(steps: 12, levels: 7)))
    }
}
