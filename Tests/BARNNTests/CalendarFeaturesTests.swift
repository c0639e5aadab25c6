import Foundation
import Testing

@testable import BARNN

/// Calendar features: phases against the clock, the day of year against Foundation's Gregorian calendar, and the
/// components chosen for each cadence.
@Suite struct CalendarFeaturesTests {
    static let monday2024 = 1_704_067_200.0  // 2024-01-01 00:00 UTC, a Monday

    @Test func phasesFollowTheClock() {
        let t = Self.monday2024 + 6 * 3600
        #expect(abs(CalendarComponent.hourOfDay.phase(unixTime: t, index: 0) - 0.25) < 1e-12)
        #expect(abs(CalendarComponent.dayOfWeek.phase(unixTime: Self.monday2024, index: 0)) < 1e-12)
        #expect(
            abs(CalendarComponent.dayOfWeek.phase(unixTime: Self.monday2024 + 3.5 * 86_400, index: 0) - 0.5) < 1e-12)
        #expect(CalendarComponent.dayOfYear.phase(unixTime: Self.monday2024, index: 0) == 0)
        // 2024 is a leap year: 1 March is day 60 of 366.
        let march = Self.monday2024 + 60 * 86_400
        #expect(abs(CalendarComponent.dayOfYear.phase(unixTime: march, index: 0) - 60.0 / 366) < 1e-12)
        #expect(CalendarComponent.seasonIndex(period: 18).phase(unixTime: 0, index: 19) == 1.0 / 18)
        #expect(CalendarComponent.seasonIndex(period: 18).phase(unixTime: 0, index: -1) == 17.0 / 18)
    }

    @Test func dayOfYearMatchesTheGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // Every 37th day from 1800 to 2200 (leap rules of 1900, 2000 and 2100 included) and the days around them.
        for days in stride(from: -62_000, through: 84_000, by: 37) {
            for offset in [0, 1] {
                let z = days + offset
                let date = Date(timeIntervalSince1970: Double(z) * 86_400)
                let expected = calendar.ordinality(of: .day, in: .year, for: date)! - 1
                let year = calendar.component(.year, from: date)
                let (y, d) = CalendarComponent.yearAndDay(daysSinceEpoch: z)
                #expect(y == year && d == expected, "day \(z): \(y)-\(d) vs \(year)-\(expected)")
            }
        }
    }

    @Test func writesSinCosPairsAndZeroFillsAWiderRow() {
        let features = CalendarFeatures([.hourOfDay])
        var row = [Float](repeating: 9, count: 4)
        row.withUnsafeMutableBufferPointer {
            features.write(unixTime: Self.monday2024 + 6 * 3600, index: 0, into: $0.baseAddress!, width: 4)
        }
        #expect(abs(row[0] - 1) < 1e-6 && abs(row[1]) < 1e-6 && row[2] == 0 && row[3] == 0)
    }

    @Test func theComponentsFollowTheCadence() {
        let half = CalendarFeatures.forCadence(stepSeconds: 1800, season: 48, irregular: false)
        #expect(half.components == [.hourOfDay, .dayOfWeek])
        let business = CalendarFeatures.forCadence(stepSeconds: 1800, season: 18, irregular: true)
        #expect(business.components == [.seasonIndex(period: 18), .dayOfWeek])
        // An irregular clock without a season has no index phase to offer: the clock's hour stays.
        #expect(CalendarFeatures.forCadence(stepSeconds: 1800, season: 1, irregular: true) == half)
        let daily = CalendarFeatures.forCadence(stepSeconds: 86_400, season: 1, irregular: false)
        #expect(daily.components == [.dayOfWeek, .dayOfYear])
        let monthly = CalendarFeatures.forCadence(stepSeconds: 30 * 86_400, season: 12, irregular: false)
        #expect(monthly.components == [.dayOfYear, .seasonIndex(period: 12)])
        #expect(CalendarFeatures.forCadence(stepSeconds: .nan, season: 1, irregular: false) == .hourAndWeek)
        for features in [half, business, daily, monthly] { #expect(features.count == 4) }
    }

    @Test func theCadenceIsTheMedianIntervalAndSkipsAreNoticed() {
        let regular = (0..<500).map { Double($0) * 1800 }
        var withGaps = regular
        for k in stride(from: 50, to: 500, by: 100) { for i in k..<500 { withGaps[i] += 7200 } }
        #expect(CalendarFeatures.cadence(of: regular) == (1800, false))
        #expect(CalendarFeatures.cadence(of: withGaps).irregular == false)  // 5 gaps in 500 are not a skipping clock
        // 08:00–16:30 every 30 minutes: one jump of 15.5 h in every 18 intervals.
        var business: [Double] = []
        for day in 0..<30 { for k in 0..<18 { business.append(Double(day) * 86_400 + 8 * 3600 + Double(k) * 1800) } }
        let cadence = CalendarFeatures.cadence(of: business)
        #expect(cadence.stepSeconds == 1800 && cadence.irregular)
        #expect(CalendarFeatures.cadence(of: [5]).stepSeconds.isNaN)
    }
}
