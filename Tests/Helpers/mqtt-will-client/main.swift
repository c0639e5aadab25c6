// A client that connects with a retained `offline` last will, prints `connected`, and waits to be killed.
// The last-will test starts it as a child process and sends it SIGKILL.
// Usage: mqtt-will-client PORT CLIENT_ID STATUS_TOPIC
import Glibc
import Logging
import MQTT

let arguments = CommandLine.arguments
guard arguments.count == 4, let port = Int(arguments[1]) else {
    _ = write(2, "usage: mqtt-will-client PORT CLIENT_ID STATUS_TOPIC\n", 52)
    exit(2)
}
var configuration = MQTTConfiguration(host: "127.0.0.1", port: port, clientID: arguments[2])
configuration.status = .init(topic: arguments[3])
let client = try MosquittoClient(configuration: configuration, logger: Logger(label: "mqtt-will-client"))
client.start()
try await client.waitUntilConnected(timeout: .seconds(10))
while client.pendingPublishes > 0 { try await Task.sleep(for: .milliseconds(5)) }
// Unbuffered, so the parent sees the line while we are still alive.
_ = write(1, "connected\n", 10)
while true { try await Task.sleep(for: .seconds(3600)) }
