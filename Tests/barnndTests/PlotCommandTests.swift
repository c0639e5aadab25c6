import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `barnnd plot`: a well-formed SVG fan chart with the observations and the stored bands, PNG through rsvg-convert.
@Suite struct PlotCommandTests {
    /// The elements of an SVG document with their attributes and the text inside `<text>`.
    final class SVGElements: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var texts: [String] = []
        private var text: String?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements.append((elementName, attributes))
            if elementName == "text" { text = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text? += string }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            if elementName == "text", let text {
                texts.append(text)
                self.text = nil
            }
        }

        /// Elements whose `class` list contains `name`.
        func classed(_ name: String) -> [[String: String]] {
            elements.filter { ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(name)) }
                .map(\.attributes)
        }
    }

    /// Parses `path` with Foundation's XMLParser; fails the test if it is not well-formed.
    func parse(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> SVGElements {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let parser = XMLParser(data: data)
        let elements = SVGElements()
        parser.delegate = elements
        #expect(
            parser.parse(), "not well-formed: \(String(describing: parser.parserError))", sourceLocation: sourceLocation
        )
        #expect(elements.elements.first?.name == "svg", sourceLocation: sourceLocation)
        return elements
    }

    func plot(
        _ arguments: [String], fixture: InspectionFixture, environment: [String: String] = [:]
    ) throws
        -> BarnndProcess.Result
    {
        try BarnndProcess.run(["plot"] + arguments + ["--database", fixture.path], environment: environment)
    }

    @Test func fanChartHoldsTheObservationsTheBandsAndTheHorizon() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let out = fixture.directory + "/t1.svg"
        let result = try plot(["lab/t1", "--since", "today", "--out", out, "--units", "°C"], fixture: fixture)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "wrote \(out): 12 observations, 12 forecasts, 3-step horizon\n")
        let svg = try parse(out)
        #expect(svg.classed("observation").count == 12)
        #expect(svg.classed("observed").count == 1)
        for band in ["band-50", "band-80", "band-90"] {
            // One band over the issued forecasts, one over the latest horizon.
            #expect(svg.classed(band).count == 2, "\(band)")
        }
        #expect(svg.classed("median").count == 2)
        #expect(svg.classed("median-point").count == 3)
        #expect(svg.elements.contains { $0.attributes["id"] == "latest-issue" })
        #expect(svg.texts.contains("°C"))
        #expect(svg.texts.contains("time (UTC)"))
        #expect(svg.texts.contains("2026-05-01"))
        #expect(svg.texts.contains("90% band (0.05–0.95)"))
        #expect(svg.texts.contains("latest forecast, issued 2026-05-01 11:00"))
        // The observed line visits every observation: 12 points, the first at the left edge.
        let path = try #require(svg.classed("observed").first?["d"])
        #expect(path.split(separator: "L").count == 12)
        #expect(path.hasPrefix("M72.0 "))
    }

    @Test func bandsWhoseLevelsAreNotStoredAreNamedInTheLegend() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let out = fixture.directory + "/t2.svg"
        let result = try plot(["lab/t2", "--since", "today", "--out", out], fixture: fixture)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasSuffix("(no 50%, 90% band: levels not stored)\n"))
        let svg = try parse(out)
        #expect(svg.classed("band-50").isEmpty)
        #expect(svg.classed("band-90").isEmpty)
        #expect(svg.classed("band-80").count == 2)
        #expect(svg.texts.contains("not shown, quantile levels not stored: 50% (0.25/0.75), 90% (0.05/0.95)"))
        #expect(svg.texts.contains("value"))
    }

    @Test func pngWithoutTheConverterNamesThePackage() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let out = fixture.directory + "/t1.png"
        let result = try plot(["lab/t1", "--out", out], fixture: fixture, environment: ["PATH": "/nonexistent"])
        #expect(result.status == 69)
        #expect(
            result.standardError
                == "barnnd: PNG output needs rsvg-convert, which is not installed (Debian/Ubuntu: apt install "
                + "librsvg2-bin); or write an .svg file\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func pngIsConvertedByRsvgConvert() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let out = fixture.directory + "/t1.png"
        let result = try plot(["lab/t1", "--out", out], fixture: fixture)
        #expect(result.status == 0, "\(result.standardError) (is librsvg2-bin installed?)")
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    }

    @Test func outputOtherThanSVGOrPNGIsRefused() throws {
        let result = try BarnndProcess.run(["plot", "x", "--out", "chart.pdf", "--database", "/nonexistent"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--out must end in .svg or .png"))
    }

    /// The README's example chart is this fixture's `lab/t1`; regenerate with BARNND_UPDATE_GOLDEN=1.
    @Test func readmeExampleChartIsCurrent() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let out = fixture.directory + "/example.svg"
        let result = try plot(["lab/t1", "--since", "today", "--out", out, "--units", "°C"], fixture: fixture)
        #expect(result.status == 0, "\(result.standardError)")
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        let docs = BarnndProcess.repository.appendingPathComponent("docs/fan-chart-example.svg")
        if ProcessInfo.processInfo.environment["BARNND_UPDATE_GOLDEN"] == "1" {
            try svg.write(to: docs, atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOf: docs, encoding: .utf8) == svg)
    }
}

/// Windows that hold little: an old window leaves today's horizon out, a lone forecast still shows.
@Suite struct PlotWindowTests {
    @Test func aWindowFarBeforeTheLatestForecastLeavesTheHorizonOut() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let out = fixture.directory + "/early.svg"
        let result = try BarnndProcess.run([
            "plot", "lab/t1", "--since", "2026-05-01T00:00:00Z", "--until", "2026-05-01T03:00:00Z", "--out", out,
            "--database", fixture.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            result.standardOutput == "wrote \(out): 4 observations, 3 forecasts, no latest horizon in this window\n")
        let svg = try PlotCommandTests().parse(out)
        #expect(!svg.elements.contains { $0.attributes["id"] == "horizon" })
        #expect(!svg.texts.contains { $0.hasPrefix("latest forecast") })
        // The time axis spans the window's data only: 00:00 to 03:00.
        #expect(svg.texts.contains("00:00") && svg.texts.contains("03:00") && !svg.texts.contains("12:00"))
    }

    @Test func aLoneForecastIsDrawnAsABarAndAPoint() async throws {
        let fixture = try InspectionFixture()
        try await fixture.fill()
        let out = fixture.directory + "/lone.svg"
        let result = try BarnndProcess.run([
            "plot", "lab/t2", "--since", "2026-05-01T03:00:00Z", "--until", "2026-05-01T03:00:00Z", "--out", out,
            "--database", fixture.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let svg = try PlotCommandTests().parse(out)
        let bars = svg.elements.filter { $0.name == "rect" && $0.attributes["class"] == "band band-80" }
        #expect(bars.count == 1)
        #expect(svg.classed("median-point").count == 1)
    }
}
