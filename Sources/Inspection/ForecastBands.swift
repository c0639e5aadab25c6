/// The central intervals a fan chart and the history table show, found among a forecast's stored levels.
public enum ForecastBands {
    /// The nominal coverages drawn, narrow to wide, with their lower and upper levels.
    public static let standard: [(coverage: Double, lower: Double, upper: Double)] = [
        (0.5, 0.25, 0.75), (0.8, 0.1, 0.9), (0.9, 0.05, 0.95),
    ]

    /// The quantile stored at `level`, or `nil` when that level is not stored.
    public static func quantile(at level: Double, levels: [Double], quantiles: [Float]) -> Double? {
        guard let index = levels.firstIndex(where: { abs($0 - level) < 1e-9 }), index < quantiles.count else {
            return nil
        }
        let value = ValueText.double(quantiles[index])
        return value.isFinite ? value : nil
    }

    /// The bounds of the central `coverage` interval of a standard band, or `nil` when its levels are not stored.
    public static func bounds(
        coverage: Double, levels: [Double], quantiles: [Float]
    ) -> (lower: Double, upper: Double)? {
        guard let band = standard.first(where: { abs($0.coverage - coverage) < 1e-9 }),
            let lower = quantile(at: band.lower, levels: levels, quantiles: quantiles),
            let upper = quantile(at: band.upper, levels: levels, quantiles: quantiles)
        else { return nil }
        return (lower, upper)
    }
}
