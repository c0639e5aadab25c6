public import MQTT
import Synchronization

/// What the running daemon looks like from outside, published by the engine thread for readers on other threads
/// (the HTTP server's `/metrics`, `/healthz` and web view): counters, model groups, queue depths, MQTT state.
///
/// A value copied out of the engine loop, so a reader never touches engine state and never waits for the engine.
public struct DaemonSnapshot: Sendable {
    /// The health report as it would be published now; its rates cover the time since the last published one.
    public var health: HealthReport
    /// Unix seconds when the snapshot was taken.
    public var takenAt: Double
    /// The MQTT client's connection state.
    public var mqttState: ConnectionState
    /// Messages waiting in the engine mailbox (between the MQTT client and the engine thread).
    public var mailboxDepth: Int
    /// The mailbox's capacity, past which MQTT intake waits.
    public var mailboxCapacity: Int

    /// Creates a snapshot.
    public init(
        health: HealthReport, takenAt: Double, mqttState: ConnectionState, mailboxDepth: Int, mailboxCapacity: Int
    ) {
        self.health = health
        self.takenAt = takenAt
        self.mqttState = mqttState
        self.mailboxDepth = mailboxDepth
        self.mailboxCapacity = mailboxCapacity
    }

    /// Whether the broker has accepted the connection.
    public var mqttConnected: Bool { mqttState == .connected }
}

/// The latest ``DaemonSnapshot``, replaced whole by the engine thread and read by any thread.
///
/// The lock is held only to swap or copy a reference-counted value, so the engine never waits on a reader.
public final class DaemonSnapshotBox: Sendable {
    private let latest = Mutex<DaemonSnapshot?>(nil)
    private let ticks: (@Sendable (Duration) -> Void)?

    /// An empty box; `tickObserver` (if any) is called on the engine thread with each tick's duration, and must be
    /// cheap (a histogram record).
    public init(tickObserver: (@Sendable (Duration) -> Void)? = nil) {
        self.ticks = tickObserver
    }

    /// The latest snapshot; `nil` until the engine has published one.
    public var snapshot: DaemonSnapshot? { latest.withLock { $0 } }

    /// Replaces the snapshot.
    public func publish(_ snapshot: DaemonSnapshot) {
        latest.withLock { $0 = snapshot }
    }

    /// Records one engine tick's duration.
    public func recordTick(_ duration: Duration) {
        ticks?(duration)
    }
}
