import Formats
import Foundation

/// The small JSON texts the schema keeps (quantile levels, coverage per level, PIT bins), written in Swift's number
/// form so the text is stable (`[0.05,0.5,0.95]` is also the `quantile_levels` unique key) and read with
/// `JSONDecoder`.
enum JSONText {
    static func array(_ values: [Double]) -> String {
        var writer = JSONWriter(numberStyle: .swift)
        writer.array { writer in
            for value in values { writer.number(value) }
        }
        return writer.text
    }

    static func array(_ values: [Int]) -> String {
        var writer = JSONWriter(numberStyle: .swift)
        writer.array { writer in
            for value in values { writer.integer(value) }
        }
        return writer.text
    }

    /// `{"0.9":0.88,…}`: levels as keys so `json_extract(coverage, '$."0.9"')` works in `sqlite3`.
    static func object(_ pairs: [DriftRecord.LevelValue]) -> String {
        LevelValues(pairs).jsonText(numberStyle: .swift)
    }

    static func decodeDoubles(_ text: String) -> [Double] {
        (try? JSONDecoder().decode([Double?].self, from: Data(text.utf8)))?.map { $0 ?? .nan } ?? []
    }

    static func decodeInts(_ text: String) -> [Int] {
        (try? JSONDecoder().decode([Int].self, from: Data(text.utf8))) ?? []
    }

    static func decodeLevelValues(_ text: String) -> [DriftRecord.LevelValue] {
        (try? JSONDecoder().decode(LevelValues.self, from: Data(text.utf8)))?.pairs ?? []
    }
}
