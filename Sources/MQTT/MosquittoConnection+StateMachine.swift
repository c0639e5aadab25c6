import Sampling

extension MosquittoConnection {
    /// The connection lifecycle as a pure value: events in, actions out; no sockets, clocks or threads.
    ///
    /// ```
    /// idle ─start→ connecting ─CONNACK ok→ connected ─loop error→ backingOff ─elapsed→ connecting …
    ///                 │  └─connect error / refused──────────────────→ backingOff
    /// any ─stop→ stopped
    /// ```
    /// `subscribed` records whether this process has subscribed at least once: the first CONNACK always
    /// subscribes (the configuration may have changed since the session was created), later ones only when
    /// the broker reports no session present.
    struct StateMachine: Sendable {
        enum State: Sendable, Equatable {
            case idle
            case connecting(attempt: Int, subscribed: Bool)
            case connected(subscribed: Bool)
            case backingOff(attempt: Int, subscribed: Bool)
            case stopped
        }

        /// What the network thread does next.
        enum Action: Sendable, Equatable {
            /// Open the socket and send CONNECT (`first`: `mosquitto_connect`, which stores host and properties;
            /// afterwards `mosquitto_reconnect` reuses them).
            case connect(first: Bool)
            /// Run one `mosquitto_loop` iteration.
            case runLoop
            /// Sleep this long, then report ``StateMachine/waitElapsed()``.
            case wait(Duration)
            /// Leave the thread.
            case exit
        }

        /// What to do after a CONNACK.
        enum ConnackAction: Sendable, Equatable {
            /// Publish the online status; subscribe every filter first when `subscribe`.
            case announceOnline(subscribe: Bool)
            /// The broker refused us; the loop will report the dropped connection.
            case none
        }

        private(set) var state: State = .idle
        private let backoff: MQTTConfiguration.Backoff
        private var random: SplitMix64

        init(backoff: MQTTConfiguration.Backoff, seed: UInt64) {
            self.backoff = backoff
            self.random = SplitMix64(seed: seed)
        }

        mutating func start() -> Action {
            guard state == .idle else { return state == .stopped ? .exit : .runLoop }
            state = .connecting(attempt: 0, subscribed: false)
            return .connect(first: true)
        }

        /// `mosquitto_connect`/`reconnect` returned; `succeeded` means CONNECT is on its way.
        mutating func connectReturned(succeeded: Bool) -> Action {
            guard case .connecting(let attempt, let subscribed) = state else { return exitOrLoop }
            return succeeded ? .runLoop : backOff(attempt: attempt, subscribed: subscribed)
        }

        mutating func connackReceived(accepted: Bool, sessionPresent: Bool) -> ConnackAction {
            guard case .connecting(_, let subscribed) = state else { return .none }
            guard accepted else { return .none }
            state = .connected(subscribed: true)
            return .announceOnline(subscribe: !subscribed || !sessionPresent)
        }

        /// `mosquitto_loop` reported a lost or refused connection.
        mutating func loopFailed() -> Action {
            switch state {
            case .connected(let subscribed): return backOff(attempt: 0, subscribed: subscribed)
            case .connecting(let attempt, let subscribed): return backOff(attempt: attempt, subscribed: subscribed)
            default: return exitOrLoop
            }
        }

        mutating func waitElapsed() -> Action {
            guard case .backingOff(let attempt, let subscribed) = state else { return exitOrLoop }
            state = .connecting(attempt: attempt, subscribed: subscribed)
            return .connect(first: false)
        }

        mutating func stop() -> Action {
            state = .stopped
            return .exit
        }

        private var exitOrLoop: Action { state == .stopped ? .exit : .runLoop }

        private mutating func backOff(attempt: Int, subscribed: Bool) -> Action {
            state = .backingOff(attempt: attempt + 1, subscribed: subscribed)
            return .wait(delay(attempt: attempt))
        }

        /// Equal jitter: uniform in [d/2, d], d = min(maximum, initial · 2^attempt).
        func delay(attempt: Int, unit: Double) -> Duration {
            let initial = Self.seconds(backoff.initial)
            let ceiling = min(Self.seconds(backoff.maximum), initial * Double(1 << min(attempt, 30)))
            return .nanoseconds(Int64((ceiling / 2 + ceiling / 2 * unit) * 1e9))
        }

        private mutating func delay(attempt: Int) -> Duration {
            delay(attempt: attempt, unit: Double(random.next() >> 11) * 0x1p-53)
        }

        private static func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
    }
}
