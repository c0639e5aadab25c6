public import Logging
public import MQTT

extension MosquittoBroker {
    /// A client configuration for this broker's plain listener with test-friendly timings: reconnect after
    /// 50…500 ms, keepalive 10 s.
    public func configuration(
        clientID: String, subscriptions: [MQTTConfiguration.Subscription] = []
    )
        -> MQTTConfiguration
    {
        var configuration = MQTTConfiguration(host: "127.0.0.1", port: port, clientID: clientID)
        configuration.keepAlive = 10
        configuration.subscriptions = subscriptions
        configuration.reconnect = .init(initial: .milliseconds(50), maximum: .milliseconds(500))
        return configuration
    }
}

extension Logger {
    /// A logger that discards everything, for tests that assert on counters and state instead.
    public static let quiet = Logger(label: "barnnd.test") { _ in SwiftLogNoOpLogHandler() }
}
