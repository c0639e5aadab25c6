public import Configuration
import Dispatch
public import MQTT
import Synchronization

/// The bounded hand-off from the async side (the task draining ``MosquittoClient/messages``, signal handlers) to
/// the engine thread, which waits for it with a timeout so that it still ticks when nothing arrives.
///
/// Overflow policy: ``push(_:)`` suspends while ``capacity`` messages wait, so a slow engine stalls the MQTT
/// consumer, which stalls libmosquitto's thread, which stops acknowledging: the broker queues for us.
public final class EngineMailbox: Sendable {
    /// What the async side asks of the engine thread besides handling messages.
    public enum Command: Sendable {
        /// Apply a new (validated) configuration.
        case reload(DaemonConfiguration)
        /// Handle what is queued, shut the engine down and end the thread.
        case stop
    }

    private struct State {
        var messages: [Message] = []
        var commands: [Command] = []
        var consumerWaiting = false
        var producer: CheckedContinuation<Void, Never>?
    }

    /// Most messages waiting before ``push(_:)`` suspends.
    public let capacity: Int
    private let state = Mutex(State())
    /// Set for good by ``send(_:)`` of `.stop`, so the engine thread can see it while it waits elsewhere (for the
    /// store writer) after it has taken the command.
    private let stopSent = Atomic<Bool>(false)
    /// Wakes the engine thread; a stale signal only causes one early wake-up.
    private let wake = DispatchSemaphore(value: 0)

    /// A mailbox holding up to `capacity` messages.
    public init(capacity: Int) {
        precondition(capacity > 0, "mailbox capacity must be positive, got \(capacity)")
        self.capacity = capacity
    }

    /// Messages waiting for the engine thread now.
    public var depth: Int { state.withLock { $0.messages.count } }

    /// Appends `message`, suspending while the mailbox is full.
    public func push(_ message: Message) async {
        while true {
            let (pushed, wakeConsumer) = state.withLock { state -> (Bool, Bool) in
                guard state.messages.count < capacity else { return (false, false) }
                state.messages.append(message)
                defer { state.consumerWaiting = false }
                return (true, state.consumerWaiting)
            }
            if pushed {
                if wakeConsumer { wake.signal() }
                return
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Checked under the lock so a take racing with the registration is never missed.
                let resumeNow = state.withLock { state in
                    if state.messages.count < capacity { return true }
                    state.producer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Whether `.stop` has been sent.
    public var stopRequested: Bool { stopSent.load(ordering: .acquiring) }

    /// Queues a command; never waits.
    public func send(_ command: Command) {
        if case .stop = command { stopSent.store(true, ordering: .releasing) }
        let wakeConsumer = state.withLock { state in
            state.commands.append(command)
            defer { state.consumerWaiting = false }
            return state.consumerWaiting
        }
        if wakeConsumer { wake.signal() }
    }

    /// Takes everything queued, waiting up to `timeout` when nothing is. Engine thread only.
    public func take(timeout: Duration) -> (messages: [Message], commands: [Command]) {
        for attempt in 0..<2 {
            let (messages, commands, producer) = state.withLock {
                state -> ([Message], [Command], CheckedContinuation<Void, Never>?) in
                if state.messages.isEmpty, state.commands.isEmpty {
                    state.consumerWaiting = attempt == 0
                    return ([], [], nil)
                }
                state.consumerWaiting = false
                defer {
                    state.messages = []
                    state.commands = []
                    state.producer = nil
                }
                return (state.messages, state.commands, state.producer)
            }
            producer?.resume()
            if !messages.isEmpty || !commands.isEmpty || attempt == 1 { return (messages, commands) }
            let nanoseconds =
                Int(timeout.components.seconds) * 1_000_000_000 + Int(timeout.components.attoseconds / 1_000_000_000)
            _ = wake.wait(timeout: .now() + .nanoseconds(nanoseconds))
        }
        return ([], [])
    }
}
