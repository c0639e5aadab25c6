public import Hummingbird

/// Something that serves pages on barnnd's HTTP server besides `/metrics` and `/healthz` (the web view's `/`,
/// `/api/…` and `/assets/…`).
///
/// Providers are handed to ``BarnndHTTPServer/init(settings:resources:metrics:routes:logger:)`` and asked once,
/// before the server starts, to add their routes; basic authentication (when configured) already covers them.
/// Handlers read ``HTTPResources`` (the engine's latest snapshot, the read-only Store), never engine state.
public protocol HTTPRouteProvider: Sendable {
    /// Adds the provider's routes to `router`.
    func addRoutes(to router: Router<BasicRequestContext>, resources: HTTPResources)
}
