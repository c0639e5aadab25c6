import Foundation
import Testing

/// The web view in a real headless Chromium against a real barnnd (its own HTTP server) fed the bundled demo slice:
/// the DOM the scripts built is asserted on, and readings published while the page is open must reach it through the live refresh.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WebViewBrowserTests {
    @Test func pagesShowTheStreamsTheChartAndLiveUpdates() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        func lap(_ what: String) { print("web test: \(what) after \(clock.now - start)") }
        let fixture = try WebViewFixture()
        try await fixture.startDaemon()
        try fixture.replay("demo-slice.csv")
        // Generous: training shares 2 cores with whatever else runs; it takes a few seconds at training_steps = 200 on an idle machine.
        try await fixture.waitUntil(timeout: .seconds(150), "the demo slice stored and a first model trained") {
            try fixture.observationCount() == 3 * 168 && fixture.hasActiveCheckpoint()
        }
        lap("trained")
        try await fixture.useDaemonServer()
        let browser = try ChromiumSession(directory: fixture.directory)

        // The streams: one row per stream, and a search that filters them.
        try browser.open(fixture.baseURL + "/")
        try await browser.waitFor("document.querySelectorAll('#streams tr.stream-row').length === 3", "3 stream rows")
        lap("streams page")
        let names = try browser.evaluate(
            "Array.from(document.querySelectorAll('#streams tr.stream-row')).map(r => r.dataset.stream)")
        #expect(names as? [String] == WebViewFixture.streams)
        try browser.evaluate(
            "(() => { const s = document.getElementById('search'); s.value = 'ELEC'; "
                + "s.dispatchEvent(new Event('input')); })()")
        let shown = try browser.evaluate("document.querySelectorAll('#streams tr.stream-row:not([hidden])').length")
        #expect(shown as? Int == 2)

        // One stream: the fan chart drawn (observations, bands, medians, the latest horizon).
        let stream = "demo/elec/temperature_c"
        try browser.open(fixture.baseURL + "/stream?name=" + stream.replacingOccurrences(of: "/", with: "%2F"))
        try await browser.waitFor(
            "document.querySelectorAll('#chart svg path.observed').length > 0", "the chart's observation line")
        lap("stream page")
        let chart =
            try browser.evaluate(
                "['path.observed', 'path.band', 'path.median', 'g#horizon circle.median-point']"
                    + ".map(s => document.querySelectorAll('#chart svg ' + s).length)") as? [Int] ?? []
        #expect(chart.count == 4 && chart.allSatisfy { $0 >= 1 }, "observed, band, median, horizon: \(chart)")
        #expect(chart.count == 4 && chart[1] >= 3, "the 50/80/90% bands: \(chart)")
        #expect(try browser.evaluate("document.querySelectorAll('#horizon tbody tr').length") as? Int == 6)
        #expect(try browser.evaluate("document.getElementById('stream-name').textContent") as? String == stream)
        #expect(try browser.evaluate("document.getElementById('observations').textContent") as? String == "168")

        // Live: readings published while the page is open reach it without a reload; with them the streams move
        // to the trained model, whose checkpoint and training events the page then lists.
        let before = Int(try browser.evaluate("document.body.dataset.updates") as? String ?? "") ?? 0
        #expect(before >= 1)
        try fixture.replay("demo-slice-live.csv")
        try await browser.waitFor(
            "document.getElementById('observations').textContent === '176' "
                + "&& Number(document.body.dataset.updates) > \(before)",
            "the 8 live readings on the page")
        lap("live update")
        try await browser.waitFor(
            "document.getElementById('model').textContent.startsWith('default v') "
                + "&& document.querySelectorAll('#checkpoints tbody tr').length > 0 "
                + "&& document.querySelectorAll('#events tbody tr').length > 0",
            "the trained model, its checkpoint and events")
        #expect(try browser.evaluate("document.querySelectorAll('#chart svg path.observed').length") as? Int ?? 0 >= 1)

        let png = try browser.screenshot()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        try png.write(to: fixture.directory.appendingPathComponent("stream.png"))
        // Scripts/web-screenshot.sh asks for a copy for the README.
        if let path = ProcessInfo.processInfo.environment["BARNND_WEB_SCREENSHOT"], !path.isEmpty {
            try png.write(to: URL(fileURLWithPath: path))
        }

        try browser.open(fixture.baseURL + "/")
        try await browser.waitFor(
            "Array.from(document.querySelectorAll('#streams tr.stream-row td:nth-child(4)'))"
                + ".every(c => c.textContent.startsWith('default v'))",
            "every stream served by the trained model")

        // Stream names come from MQTT topics: markup in one is shown as text and links carry it encoded.
        let hostile = "x<img src=x onerror=alert(1)>/t"
        try fixture.publish("sensors/" + hostile, "1.5")
        try await browser.waitFor(
            "document.querySelectorAll('#streams tr.stream-row').length === 4", "the stream with markup in its name")
        #expect(try browser.evaluate("document.querySelectorAll('img').length") as? Int == 0)
        let link = "document.querySelector('#streams tr.stream-row:last-child a')"
        #expect(try browser.evaluate("\(link).textContent") as? String == hostile)
        #expect(
            try browser.evaluate("\(link).getAttribute('href')") as? String
                == "/stream?name=x%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%2Ft")
        lap("done")
        fixture.stopDaemon()
    }
}
