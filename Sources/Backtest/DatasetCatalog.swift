public import Foundation

/// The per-dataset protocol constants of `shared/data/datasets.json`: seasonal period m and horizon H.
public struct DatasetCatalog: Sendable, Equatable {
    /// One dataset's constants.
    public struct Entry: Sendable, Equatable {
        /// Seasonal period m in steps (1 = none).
        public var season: Int
        /// Horizon H in index steps.
        public var horizon: Int

        /// Creates an entry.
        public init(season: Int, horizon: Int) {
            self.season = season
            self.horizon = horizon
        }
    }

    /// Entries by dataset name.
    public var entries: [String: Entry]

    /// Parses the JSON object `{name: {"m": Int, "H": Int, ...}}`; datasets without both keys are skipped.
    public init(json: Data) throws(BacktestError) {
        guard let object = try? JSONSerialization.jsonObject(with: json), let top = object as? [String: Any] else {
            throw .catalog("not a JSON object")
        }
        var entries: [String: Entry] = [:]
        for (name, value) in top {
            guard let fields = value as? [String: Any], let m = (fields["m"] as? NSNumber)?.intValue,
                let h = (fields["H"] as? NSNumber)?.intValue, m >= 1, h >= 1
            else { continue }
            entries[name] = Entry(season: m, horizon: h)
        }
        self.entries = entries
    }

    /// The catalog next to a data file (`<dir>/datasets.json`), if there is a readable one.
    public static func beside(csvPath: String) -> DatasetCatalog? {
        let url = URL(fileURLWithPath: csvPath).deletingLastPathComponent().appendingPathComponent("datasets.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? DatasetCatalog(json: data)
    }
}
