import Testing

@testable import Inspection

/// Axis ticks of the fan chart: round values and round UTC times, never too many.
@Suite struct InspectionChartAxisTests {
    @Test func valueTicksAreRoundAndCoverTheRange() {
        let (ticks, decimals) = ChartAxis.valueTicks(low: 17.3, high: 24.1)
        #expect(ticks == [18, 20, 22, 24])
        #expect(decimals == 0)
        let small = ChartAxis.valueTicks(low: 0.012, high: 0.047)
        #expect(small.ticks.count >= 3 && small.ticks.count <= 8)
        #expect(small.decimals == 2)  // 0.02, 0.03, 0.04
        #expect(small.ticks.allSatisfy { $0 >= 0.012 - 1e-12 && $0 <= 0.047 + 1e-12 })
    }

    static let spans: [(Int64, String)] = [
        (3_600_000_000, "1 hour"), (86_400_000_000, "1 day"), (30 * 86_400_000_000, "1 month"),
        (12 * 365 * 86_400_000_000, "12 years"),
    ]

    @Test(arguments: spans)
    func timeTicksStayFewAndRound(_ span: Int64, _ label: String) {
        let start: Int64 = 1_389_000_000_000_000 + 123_456_789  // 2014-01-06, off any round time
        let ticks = ChartAxis.timeTicks(fromUs: start, toUs: start + span)
        #expect((2...8).contains(ticks.count), "\(label): \(ticks.count) ticks")
        #expect(ticks.allSatisfy { $0.tUs >= start && $0.tUs <= start + span })
        #expect(ticks.allSatisfy { $0.tUs % 60_000_000 == 0 }, "\(label)")
        #expect(ticks.first?.date != nil, "the first tick names its date")
    }
}
