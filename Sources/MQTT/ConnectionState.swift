/// Where a ``MosquittoClient`` stands with its broker.
public enum ConnectionState: Sendable, Equatable {
    /// Opening the socket or waiting for CONNACK.
    case connecting
    /// CONNACK accepted; messages flow.
    case connected
    /// Between attempts; carries why the last one failed.
    case disconnected(MQTTError?)
    /// ``MosquittoClient/close(timeout:)`` ran.
    case closed
}
