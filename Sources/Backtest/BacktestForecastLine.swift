import Formats

/// One JSONL row of the scorer's format (`shared/eval/PROTOCOL.md` §5): a stream's forecast at one origin, arrays
/// over steps 1…H per quantile level.
struct BacktestForecastLine {
    var dataset: String
    var stream: String
    var originTimestamp: String
    var levels: [Double]
    /// Quantiles [H][K].
    var quantiles: [[Float]]

    /// The JSON text (one line, no newline). Numbers print in Swift's shortest round-trip form (`12.0`), so lines
    /// stay byte-identical to earlier backtests.
    var json: String {
        var writer = JSONWriter(numberStyle: .swift)
        writer.object { line in
            line.key("dataset")
            line.string(dataset)
            line.key("stream")
            line.string(stream)
            line.key("origin_timestamp")
            line.string(originTimestamp)
            line.key("quantiles")
            line.object { byLevel in
                for (k, level) in levels.enumerated() {
                    byLevel.key("\(level)")
                    byLevel.array { steps in
                        for step in quantiles { steps.number(step[k]) }
                    }
                }
            }
        }
        return writer.text
    }
}
