/// One JSONL row of the scorer's format (`shared/eval/PROTOCOL.md` §5): a stream's forecast at one origin, arrays
/// over steps 1…H per quantile level.
struct BacktestForecastLine {
    var dataset: String
    var stream: String
    var originTimestamp: String
    var levels: [Double]
    /// Quantiles [H][K].
    var quantiles: [[Float]]

    /// The JSON text (one line, no newline). Floats print in their shortest round-trip form.
    var json: String {
        var text = "{\"dataset\":\(Self.quoted(dataset)),\"stream\":\(Self.quoted(stream)),"
        text += "\"origin_timestamp\":\"\(originTimestamp)\",\"quantiles\":{"
        for (k, level) in levels.enumerated() {
            if k > 0 { text += "," }
            text += "\"\(level)\":["
            text += quantiles.map { "\($0[k])" }.joined(separator: ",")
            text += "]"
        }
        text += "}}"
        return text
    }

    static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
