import Synchronization

/// A snapshot of everything the client counts since it was created; monotonic except ``queuedMessages``.
public struct MQTTCounters: Sendable, Hashable {
    /// Messages copied out of libmosquitto and handed to the incoming queue.
    public var messagesReceived: UInt64 = 0
    /// Messages discarded inside barnnd: those still queued when the client was released without its
    /// ``MosquittoClient/messages`` being drained. A slow consumer never causes it (it stalls the broker).
    public var messagesDropped: UInt64 = 0
    /// Times libmosquitto's thread had to wait because the incoming queue was full (backpressure engaged).
    public var consumerStalls: UInt64 = 0
    /// Messages in the incoming queue at the time of the snapshot.
    public var queuedMessages: UInt64 = 0
    /// Publishes completed: PUBACK/PUBCOMP received for QoS 1/2, written to the socket for QoS 0.
    public var messagesPublished: UInt64 = 0
    /// Publishes that failed: invalid topic, QoS 0 while offline, or an error from libmosquitto.
    public var publishFailures: UInt64 = 0
    /// Publishes refused because ``MQTTConfiguration/outgoingQueueCapacity`` messages awaited acknowledgement;
    /// the caller still holds them and may retry.
    public var publishQueueFull: UInt64 = 0
    /// QoS 1/2 publishes accepted while offline; libmosquitto resends them after reconnecting.
    public var publishesDeferred: UInt64 = 0
    /// CONNACKs that accepted us.
    public var connects: UInt64 = 0
    /// Connections lost or refused after which the client scheduled a reconnect.
    public var reconnects: UInt64 = 0
    /// Subscribe requests sent because a CONNACK reported no session present.
    public var resubscribes: UInt64 = 0
    /// Filters the broker granted in a SUBACK (counted again after every resubscribe).
    public var subscriptionsGranted: UInt64 = 0
    /// Filters the broker refused in a SUBACK.
    public var subscribeFailures: UInt64 = 0
    /// Calls of the ``MQTTConfiguration/beforeAcknowledge`` hook that threw; each was retried, the message not
    /// acknowledged meanwhile.
    public var beforeAcknowledgeFailures: UInt64 = 0
    /// Messages left unacknowledged at a stop because their hook kept failing; the broker redelivers them.
    public var acknowledgementsWithheld: UInt64 = 0

    /// All zero.
    public init() {}
}

/// The live counters behind ``MQTTCounters``: lock-free, written from any thread.
final class CounterSet: Sendable {
    let messagesReceived = Atomic<UInt64>(0)
    let messagesDropped = Atomic<UInt64>(0)
    let consumerStalls = Atomic<UInt64>(0)
    let messagesPublished = Atomic<UInt64>(0)
    let publishFailures = Atomic<UInt64>(0)
    let publishQueueFull = Atomic<UInt64>(0)
    let publishesDeferred = Atomic<UInt64>(0)
    let connects = Atomic<UInt64>(0)
    let reconnects = Atomic<UInt64>(0)
    let resubscribes = Atomic<UInt64>(0)
    let subscriptionsGranted = Atomic<UInt64>(0)
    let subscribeFailures = Atomic<UInt64>(0)
    let beforeAcknowledgeFailures = Atomic<UInt64>(0)
    let acknowledgementsWithheld = Atomic<UInt64>(0)

    func snapshot(queued: Int) -> MQTTCounters {
        var counters = MQTTCounters()
        counters.messagesReceived = messagesReceived.load(ordering: .relaxed)
        counters.messagesDropped = messagesDropped.load(ordering: .relaxed)
        counters.consumerStalls = consumerStalls.load(ordering: .relaxed)
        counters.queuedMessages = UInt64(queued)
        counters.messagesPublished = messagesPublished.load(ordering: .relaxed)
        counters.publishFailures = publishFailures.load(ordering: .relaxed)
        counters.publishQueueFull = publishQueueFull.load(ordering: .relaxed)
        counters.publishesDeferred = publishesDeferred.load(ordering: .relaxed)
        counters.connects = connects.load(ordering: .relaxed)
        counters.reconnects = reconnects.load(ordering: .relaxed)
        counters.resubscribes = resubscribes.load(ordering: .relaxed)
        counters.subscriptionsGranted = subscriptionsGranted.load(ordering: .relaxed)
        counters.subscribeFailures = subscribeFailures.load(ordering: .relaxed)
        counters.beforeAcknowledgeFailures = beforeAcknowledgeFailures.load(ordering: .relaxed)
        counters.acknowledgementsWithheld = acknowledgementsWithheld.load(ordering: .relaxed)
        return counters
    }
}

extension Atomic where Value == UInt64 {
    func increment(by amount: UInt64 = 1) { _ = add(amount, ordering: .relaxed) }
}
