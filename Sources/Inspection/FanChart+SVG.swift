import Foundation

extension FanChart {
    /// Colours: blue for forecasts issued for past times, orange for the latest horizon, black observations.
    static let issuedColor = "#1f5fa8"
    static let horizonColor = "#d9700f"
    /// Band opacity from wide (90%) to narrow (50%): overlapping bands darken toward the centre.
    static let bandOpacity: [String] = ["0.30", "0.22", "0.16"]

    /// The chart as an SVG document, `width`×`height` pixels.
    public func svg(width: Int = 800, height: Int = 460) -> String {
        let left = 72.0
        let right = Double(width) - 24
        let top = 48.0
        let legendRows = (legendEntries.count + 1) / 2 + (missingBands.isEmpty ? 0 : 1)
        // Below the plot: tick labels, dates, the axis title, then the legend rows.
        let bottom = Double(height) - 66 - 18 * Double(legendRows)
        let frame = Frame(
            range: timeRange, values: valueRange, left: left, right: right, top: top, bottom: bottom)

        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(width)" height="\(height)" \
            viewBox="0 0 \(width) \(height)" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">

            """
        let title = "\(stream): observations and \(step)-step-ahead forecasts"
        svg += "<title>\(Self.escaped(title))</title>\n"
        svg += "<rect width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        svg += "<text x=\"\(left)\" y=\"24\" font-size=\"15\" font-weight=\"bold\">\(Self.escaped(title))</text>\n"
        svg += axes(frame)
        svg += bandsAndCenter(issued, id: "issued", color: Self.issuedColor, dashed: false, frame: frame)
        if !horizon.isEmpty {
            if let origin = horizonOriginUs {
                let x = Self.f(frame.x(origin))
                svg +=
                    "<line id=\"latest-issue\" x1=\"\(x)\" y1=\"\(Self.f(top))\" x2=\"\(x)\" y2=\"\(Self.f(bottom))\" "
                svg += "stroke=\"#777777\" stroke-dasharray=\"3 3\"/>\n"
            }
            svg += bandsAndCenter(horizon, id: "horizon", color: Self.horizonColor, dashed: true, frame: frame)
        }
        svg += observationsGroup(frame)
        svg += legend(left: left, top: bottom + 60)
        svg += "</svg>\n"
        return svg
    }

    /// Maps data to pixels.
    struct Frame {
        var range: (Int64, Int64)
        var values: (Double, Double)
        var left, right, top, bottom: Double

        func x(_ tUs: Int64) -> Double {
            let span = Double(range.1 - range.0)
            return span <= 0 ? (left + right) / 2 : left + (right - left) * Double(tUs - range.0) / span
        }

        func y(_ value: Double) -> Double {
            let span = values.1 - values.0
            return span <= 0 ? (top + bottom) / 2 : bottom - (bottom - top) * (value - values.0) / span
        }
    }

    var timeRange: (Int64, Int64) {
        let times =
            observations.map(\.tUs) + issued.map(\.tUs) + horizon.map(\.tUs)
        guard let low = times.min(), let high = times.max() else { return (0, 1) }
        return low == high ? (low - 60_000_000, high + 60_000_000) : (low, high)
    }

    var valueRange: (Double, Double) {
        var values = observations.compactMap(\.value)
        for point in issued + horizon {
            values.append(point.center)
            for bounds in point.bands.compactMap({ $0 }) { values += [bounds.lower, bounds.upper] }
        }
        values = values.filter(\.isFinite)
        guard let low = values.min(), let high = values.max() else { return (0, 1) }
        let pad = max((high - low) * 0.05, abs(high) * 1e-6, 1e-9)
        let ticks = ChartAxis.valueTicks(low: low - pad, high: high + pad).ticks
        return (min(low - pad, ticks.first ?? low), max(high + pad, ticks.last ?? high))
    }

    private func axes(_ frame: Frame) -> String {
        var svg = "<g id=\"axes\" stroke-width=\"1\">\n"
        let (low, high) = frame.values
        let ticks = ChartAxis.valueTicks(low: low, high: high)
        for value in ticks.ticks {
            let y = Self.f(frame.y(value))
            svg += "<line x1=\"\(Self.f(frame.left))\" y1=\"\(y)\" x2=\"\(Self.f(frame.right))\" y2=\"\(y)\" "
            svg += "stroke=\"#e4e4e4\"/>\n"
            svg += "<text x=\"\(Self.f(frame.left - 6))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">"
            svg += String(format: "%.\(ticks.decimals)f", value) + "</text>\n"
        }
        for tick in ChartAxis.timeTicks(fromUs: frame.range.0, toUs: frame.range.1) {
            let x = Self.f(frame.x(tick.tUs))
            svg += "<line x1=\"\(x)\" y1=\"\(Self.f(frame.top))\" x2=\"\(x)\" y2=\"\(Self.f(frame.bottom))\" "
            svg += "stroke=\"#eeeeee\"/>\n"
            svg += "<line x1=\"\(x)\" y1=\"\(Self.f(frame.bottom))\" x2=\"\(x)\" y2=\"\(Self.f(frame.bottom + 5))\" "
            svg += "stroke=\"#333333\"/>\n"
            svg += "<text x=\"\(x)\" y=\"\(Self.f(frame.bottom + 18))\" text-anchor=\"middle\">\(tick.label)</text>\n"
            if let date = tick.date {
                svg += "<text x=\"\(x)\" y=\"\(Self.f(frame.bottom + 32))\" text-anchor=\"middle\" fill=\"#555555\">"
                svg += "\(date)</text>\n"
            }
        }
        svg +=
            "<rect x=\"\(Self.f(frame.left))\" y=\"\(Self.f(frame.top))\" width=\"\(Self.f(frame.right - frame.left))\" "
        svg += "height=\"\(Self.f(frame.bottom - frame.top))\" fill=\"none\" stroke=\"#333333\"/>\n"
        svg += "<text x=\"\(Self.f((frame.left + frame.right) / 2))\" y=\"\(Self.f(frame.bottom + 50))\" "
        svg += "text-anchor=\"middle\">time (UTC)</text>\n"
        let midY = Self.f((frame.top + frame.bottom) / 2)
        svg += "<text x=\"18\" y=\"\(midY)\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(midY))\">"
        svg += Self.escaped(units ?? "value") + "</text>\n"
        svg += "</g>\n"
        return svg
    }

    /// The stream's usual spacing: the median gap between observations (between `points` when fewer than two
    /// observations are drawn).
    func usualGap(_ points: [Point]) -> Int64 {
        let times = observations.count >= 2 ? observations.map(\.tUs) : points.map(\.tUs)
        guard times.count >= 2 else { return 1 }
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }.sorted()
        return max(1, gaps[gaps.count / 2])
    }

    /// Runs of consecutive points: a gap longer than twice the usual spacing starts a new run, so missing
    /// forecasts show as breaks instead of straight lines across them.
    static func runs(_ points: [Point], usualGap: Int64) -> [[Point]] {
        guard let first = points.first else { return [] }
        var runs: [[Point]] = [[first]]
        for (previous, point) in zip(points, points.dropFirst()) {
            if point.tUs - previous.tUs > 2 * usualGap { runs.append([]) }
            runs[runs.count - 1].append(point)
        }
        return runs
    }

    private func bandsAndCenter(_ points: [Point], id: String, color: String, dashed: Bool, frame: Frame) -> String {
        var svg = "<g id=\"\(id)\">\n"
        let gap = usualGap(points)
        // Wide bands first so the narrow ones sit on top.
        for index in ForecastBands.standard.indices.reversed() {
            let coverage = ForecastBands.standard[index].coverage
            let name = ValueText.level(coverage * 100)
            for run in Self.runs(points, usualGap: gap) {
                for segment in Self.split(run, by: { $0.bands[index] != nil }) {
                    if segment.count == 1, let bounds = segment[0].bands[index] {
                        // A lone forecast has no area to fill: draw its interval as a bar.
                        let top = frame.y(bounds.upper)
                        svg += "<rect class=\"band band-\(name)\" x=\"\(Self.f(frame.x(segment[0].tUs) - 3))\" "
                        svg += "y=\"\(Self.f(top))\" width=\"6\" height=\"\(Self.f(frame.y(bounds.lower) - top))\" "
                        svg += "fill=\"\(color)\" fill-opacity=\"\(Self.bandOpacity[2 - index])\"/>\n"
                        continue
                    }
                    let upper = segment.map { (frame.x($0.tUs), frame.y($0.bands[index]!.upper)) }
                    let lower = segment.reversed().map { (frame.x($0.tUs), frame.y($0.bands[index]!.lower)) }
                    svg += "<path class=\"band band-\(name)\" d=\"\(Self.path(upper + lower, closed: true))\" "
                    svg += "fill=\"\(color)\" fill-opacity=\"\(Self.bandOpacity[2 - index])\" stroke=\"none\"/>\n"
                }
            }
        }
        for run in Self.runs(points, usualGap: gap) {
            let line = run.map { (frame.x($0.tUs), frame.y($0.center)) }
            svg += "<path class=\"median\" d=\"\(Self.path(line, closed: false))\" fill=\"none\" stroke=\"\(color)\" "
            svg += "stroke-width=\"1.6\"\(dashed ? " stroke-dasharray=\"6 3\"" : "")/>\n"
        }
        // The horizon is short (often one step) and lone forecasts draw no line: mark those medians.
        let marked = dashed ? points : Self.runs(points, usualGap: gap).filter { $0.count == 1 }.flatMap { $0 }
        for point in marked {
            svg += "<circle class=\"median-point\" cx=\"\(Self.f(frame.x(point.tUs)))\" "
            svg += "cy=\"\(Self.f(frame.y(point.center)))\" r=\"2.5\" fill=\"\(color)\"/>\n"
        }
        svg += "</g>\n"
        return svg
    }

    private func observationsGroup(_ frame: Frame) -> String {
        var svg = "<g id=\"observations\">\n"
        var run: [(Double, Double)] = []
        func flush() {
            if run.count > 1 {
                svg += "<path class=\"observed\" d=\"\(Self.path(run, closed: false))\" fill=\"none\" "
                svg += "stroke=\"#111111\" stroke-width=\"1.3\"/>\n"
            }
            run.removeAll()
        }
        for observation in observations {
            if let value = observation.value, value.isFinite {
                run.append((frame.x(observation.tUs), frame.y(value)))
            } else {
                flush()
            }
        }
        flush()
        if observations.count <= 300 {
            for observation in observations {
                guard let value = observation.value, value.isFinite else { continue }
                svg += "<circle class=\"observation\" cx=\"\(Self.f(frame.x(observation.tUs)))\" "
                svg += "cy=\"\(Self.f(frame.y(value)))\" r=\"2\" fill=\"#111111\"/>\n"
            }
        }
        svg += "</g>\n"
        return svg
    }

    /// The legend's swatches and labels, in reading order.
    private var legendEntries: [(swatch: String, label: String)] {
        var entries: [(swatch: String, label: String)] = []
        func line(_ color: String, dashed: Bool) -> String {
            "<line x1=\"0\" y1=\"6\" x2=\"22\" y2=\"6\" stroke=\"\(color)\" stroke-width=\"2\""
                + (dashed ? " stroke-dasharray=\"6 3\"" : "") + "/>"
        }
        entries.append((line("#111111", dashed: false), "observed"))
        entries.append(
            (line(Self.issuedColor, dashed: false), "median, issued \(step) step\(step == 1 ? "" : "s") earlier"))
        let missing = missingBands
        let stored = ForecastBands.standard.indices.filter { !missing.contains(ForecastBands.standard[$0].coverage) }
        for index in stored {
            let band = ForecastBands.standard[index]
            // A band's visible shade is its own fill over every wider band's fill, so the swatch stacks them too.
            let swatch = stored.filter { $0 >= index }.map { layer in
                "<rect x=\"0\" y=\"0\" width=\"22\" height=\"12\" fill=\"\(Self.issuedColor)\" "
                    + "fill-opacity=\"\(Self.bandOpacity[2 - layer])\"/>"
            }.joined()
            entries.append(
                (
                    swatch,
                    "\(ValueText.percent(band.coverage)) band (\(ValueText.level(band.lower))–\(ValueText.level(band.upper)))"
                ))
        }
        if let issuedAt = latestIssuedAtUs, !horizon.isEmpty {
            entries.append(
                (line(Self.horizonColor, dashed: true), "latest forecast, issued \(ValueText.shortTime(issuedAt))"))
        }
        return entries
    }

    private func legend(left: Double, top: Double) -> String {
        let entries = legendEntries
        let missing = missingBands
        var svg = "<g id=\"legend\">\n"
        let columnWidth = 340.0
        for (index, entry) in entries.enumerated() {
            let x = left + Double(index % 2) * columnWidth
            let y = top + Double(index / 2) * 18
            svg += "<g class=\"legend-entry\" transform=\"translate(\(Self.f(x)) \(Self.f(y)))\">"
            svg += entry.swatch
            svg += "<text x=\"30\" y=\"10\">\(Self.escaped(entry.label))</text></g>\n"
        }
        // Bands that cannot be drawn are named on their own line, so nobody reads their absence as "no spread".
        if !missing.isEmpty {
            let names = missing.map { coverage -> String in
                let band = ForecastBands.standard.first { $0.coverage == coverage }!
                return "\(ValueText.percent(coverage)) (\(ValueText.level(band.lower))/\(ValueText.level(band.upper)))"
            }
            let y = top + Double((entries.count + 1) / 2) * 18 + 10
            svg += "<text class=\"legend-note\" x=\"\(Self.f(left))\" y=\"\(Self.f(y))\" fill=\"#555555\">"
            svg += "not shown, quantile levels not stored: \(names.joined(separator: ", "))</text>\n"
        }
        svg += "</g>\n"
        return svg
    }

    static func split(_ points: [Point], by include: (Point) -> Bool) -> [[Point]] {
        var segments: [[Point]] = []
        var current: [Point] = []
        for point in points {
            if include(point) {
                current.append(point)
            } else if !current.isEmpty {
                segments.append(current)
                current = []
            }
        }
        if !current.isEmpty { segments.append(current) }
        return segments
    }

    static func path(_ points: [(Double, Double)], closed: Bool) -> String {
        var text = ""
        for (index, point) in points.enumerated() {
            text += (index == 0 ? "M" : " L") + f(point.0) + " " + f(point.1)
        }
        return closed ? text + " Z" : text
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
