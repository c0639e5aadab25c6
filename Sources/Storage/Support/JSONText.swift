import Foundation

/// The small JSON texts the schema keeps (quantile levels, coverage per level, PIT bins), written by hand so the
/// text is stable (`[0.05,0.5,0.95]` is also the `quantile_levels` unique key) and read with `JSONDecoder`.
enum JSONText {
    static func array(_ values: [Double]) -> String {
        "[" + values.map(number).joined(separator: ",") + "]"
    }

    static func array(_ values: [Int]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }

    /// `{"0.9":0.88,…}`: levels as keys so `json_extract(coverage, '$."0.9"')` works in `sqlite3`.
    static func object(_ pairs: [DriftRecord.LevelValue]) -> String {
        "{" + pairs.map { "\"\($0.level)\":\(number($0.value))" }.joined(separator: ",") + "}"
    }

    static func decodeDoubles(_ text: String) -> [Double] {
        (try? JSONDecoder().decode([Double?].self, from: Data(text.utf8)))?.map { $0 ?? .nan } ?? []
    }

    static func decodeInts(_ text: String) -> [Int] {
        (try? JSONDecoder().decode([Int].self, from: Data(text.utf8))) ?? []
    }

    static func decodeLevelValues(_ text: String) -> [DriftRecord.LevelValue] {
        guard let object = try? JSONDecoder().decode([String: Double?].self, from: Data(text.utf8)) else { return [] }
        return object.compactMap { key, value in
            Double(key).map { DriftRecord.LevelValue(level: $0, value: value ?? .nan) }
        }.sorted { $0.level < $1.level }
    }

    /// JSON has no NaN or infinity: those become `null`.
    private static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }
}
