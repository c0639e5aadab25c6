public import HTTPServer
public import Hummingbird
import Inspection

/// The web view and its API as pages of barnnd's HTTP server, reading the server's lazily opened read-only Store.
public struct WebViewRoutes: HTTPRouteProvider {
    /// How often the pages ask for new data.
    public let refreshInterval: Duration

    /// Pages that refresh every `refreshInterval`.
    public init(refreshInterval: Duration = .seconds(2)) { self.refreshInterval = refreshInterval }

    /// Adds `/`, `/stream`, `/assets/…` and `/api/…` to `router`.
    public func addRoutes(to router: Router<BasicRequestContext>, resources: HTTPResources) {
        WebView(
            openStore: { () throws(InspectionError) in try resources.store() }, refreshInterval: refreshInterval,
            logger: resources.logger
        )
        .addRoutes(to: router)
    }
}
