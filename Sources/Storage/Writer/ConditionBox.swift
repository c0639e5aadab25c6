import Foundation

/// State shared between the writer thread and the threads that enqueue, guarded by one condition variable.
///
/// A condition variable (not `Mutex`) because both sides must sleep until the other acts: the writer until rows
/// or a deadline arrive, a blocking `enqueue` until there is room. Access goes only through ``withLock(_:)``.
final class ConditionBox<State>: @unchecked Sendable {
    // @unchecked Sendable: `state` is only read or written between `condition.lock()` and `unlock()`.
    private let condition = NSCondition()
    private var state: State

    init(_ state: State) { self.state = state }

    /// Runs `body` holding the lock; `body` may wait on the condition through the `Waiter` it receives.
    func withLock<R>(_ body: (inout State, Waiter) throws -> R) rethrows -> R {
        condition.lock()
        defer { condition.unlock() }
        return try body(&state, Waiter(condition: condition))
    }

    /// Waits and signals on the box's condition; only valid inside ``withLock(_:)``.
    struct Waiter {
        fileprivate let condition: NSCondition

        /// Releases the lock until signalled or until `deadline` (if any) passes, then retakes it.
        func wait(until deadline: ContinuousClock.Instant?) {
            guard let deadline else {
                condition.wait()
                return
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Store.seconds(remaining)))
        }

        /// Wakes every waiter.
        func broadcast() { condition.broadcast() }
    }
}
