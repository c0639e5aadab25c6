import Foundation
public import Hummingbird
public import Inspection
public import Logging
public import Storage
import Synchronization

/// barnnd's live web view and its JSON API, as routes for a Hummingbird router.
///
/// Pages: `/` (the streams) and `/stream?name=…` (one stream's fan chart, latest horizon, events and checkpoints).
/// Both poll the API every `refreshInterval` and redraw when the data changed. Every asset is served from here
/// (``WebAssets``), so the page works with no network beyond barnnd; a Content-Security-Policy keeps it that way.
public struct WebView: Sendable {
    /// The answers behind the API routes.
    public let api: WebAPI
    /// How often the pages ask for new data.
    public let refreshInterval: Duration
    /// Requests served and refused.
    public let counters: WebViewCounters
    let logger: Logger

    /// Serves `store` (opened read-only); `nowUs` is the clock relative times count from.
    public init(
        store: Store, refreshInterval: Duration = .seconds(2), logger: Logger,
        nowUs: @escaping @Sendable () -> Int64 = WebView.clockMicroseconds
    ) {
        self.init(openStore: { store }, refreshInterval: refreshInterval, logger: logger, nowUs: nowUs)
    }

    /// Serves the Store `openStore` returns at each request (e.g. the HTTP server's lazily opened one).
    public init(
        openStore: @escaping @Sendable () throws(InspectionError) -> Store, refreshInterval: Duration = .seconds(2),
        logger: Logger, nowUs: @escaping @Sendable () -> Int64 = WebView.clockMicroseconds
    ) {
        api = WebAPI(openStore: openStore, nowUs: nowUs)
        self.refreshInterval = refreshInterval
        self.logger = logger
        counters = WebViewCounters()
    }

    /// The system clock in µs since the Unix epoch.
    @Sendable public static func clockMicroseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// Adds the pages, the assets and the `/api/` routes to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let refreshMs =
            Int(refreshInterval.components.seconds * 1000)
            + Int(refreshInterval.components.attoseconds / 1_000_000_000_000_000)
        let page = WebAssets.page(refreshMs: max(100, refreshMs))
        router.get("/") { _, _ in self.serve(page, type: "text/html; charset=utf-8", cache: false) }
        router.get("/stream") { _, _ in self.serve(page, type: "text/html; charset=utf-8", cache: false) }
        router.get("/assets/barnnd.css") { _, _ in self.serve(WebAssets.style, type: "text/css; charset=utf-8") }
        router.get("/assets/barnnd.js") { _, _ in
            self.serve(WebAssets.script, type: "text/javascript; charset=utf-8")
        }
        typealias Endpoint = @Sendable (WebAPI, [String: String]) throws(InspectionError) -> WebAPI.Document
        let endpoints: [(String, Endpoint)] = [
            ("streams", { (api, query) throws(InspectionError) in try api.streams(query) }),
            ("history", { (api, query) throws(InspectionError) in try api.history(query) }),
            ("chart.svg", { (api, query) throws(InspectionError) in try api.chart(query) }),
            ("forecast", { (api, query) throws(InspectionError) in try api.forecast(query) }),
            ("events", { (api, query) throws(InspectionError) in try api.events(query) }),
            ("checkpoints", { (api, query) throws(InspectionError) in try api.checkpoints(query) }),
        ]
        for (name, answer) in endpoints {
            router.get("/api/\(name)") { request, _ in
                self.answer(name, query: Self.query(request), answer)
            }
        }
    }

    /// The query parameters, percent-decoded; a repeated name keeps its first value.
    static func query(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where query[String(key)] == nil {
            query[String(key)] = String(value)
        }
        return query
    }

    func answer(
        _ name: String, query: [String: String],
        _ body: (WebAPI, [String: String]) throws(InspectionError) -> WebAPI.Document
    ) -> Response {
        do {
            let document = try body(api, query)
            counters.record(.served)
            return serve(document.body, type: document.contentType, cache: false)
        } catch {
            let status: HTTPResponse.Status
            switch error.code {
            case .unknownStream: status = .notFound
            case .invalidArgument: status = .badRequest
            case .lockedDatabase: status = .serviceUnavailable
            default: status = .internalServerError
            }
            if status == .badRequest || status == .notFound {
                counters.record(.refused)
                logger.notice("web: refused /api/\(name): \(error.message)")
            } else {
                counters.record(.failed)
                logger.error("web: /api/\(name) failed: \(error.message)")
            }
            let text = JSONOutput.object([("error", .string(error.message))]).rendered()
            return serve(text, type: WebAPI.json, status: status, cache: false)
        }
    }

    func serve(_ text: String, type: String, status: HTTPResponse.Status = .ok, cache: Bool = true) -> Response {
        var headers: HTTPFields = [:]
        headers[.contentType] = type
        headers[.cacheControl] = cache ? "max-age=300" : "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        // Nothing but barnnd itself: no CDN, no inline script, no third-party connection.
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// What the web view answered, for logs and metrics.
public final class WebViewCounters: Sendable {
    /// A snapshot of the counts.
    public struct Snapshot: Sendable, Equatable {
        /// API answers sent.
        public var served = 0
        /// API requests refused for bad input (an unknown stream, a bad parameter).
        public var refused = 0
        /// API requests that failed on the database.
        public var failed = 0
    }

    enum Outcome { case served, refused, failed }

    private let state = Mutex(Snapshot())

    /// Starts at zero.
    public init() {}

    /// The counts so far.
    public var snapshot: Snapshot { state.withLock { $0 } }

    func record(_ outcome: Outcome) {
        state.withLock { counts in
            switch outcome {
            case .served: counts.served += 1
            case .refused: counts.refused += 1
            case .failed: counts.failed += 1
            }
        }
    }
}
