import BARNN
import Configuration
import Foundation
package import Logging
package import Storage
import Synchronization

/// The trainer thread: runs training jobs one at a time, off the engine thread, and posts results to a mailbox the
/// engine drains at its next tick.
///
/// **BLAS threads.** `openblas_set_num_threads` is process-global in OpenBLAS 0.3.21 pthread builds (one thread
/// pool shared by every caller), so the engine and the trainer cannot hold different counts: whichever set it last
/// wins for both. The policy is one BLAS thread for both (the engine sets it at start, each job's options set it
/// again): on the 2-core target the engine's small GEMMs gain nothing from more, and training then uses one core
/// while the engine keeps the other. Jobs queue FIFO and run one at a time, so groups never train at once.
package final class ModelTrainer: @unchecked Sendable {
    // Unchecked: every mutable field is read and written only under `condition`'s lock.
    private let condition = NSCondition()
    private var queue: [TrainingJob] = []
    private var results: [TrainingResult] = []
    private var running = false
    private var stopping = false
    /// Read by the running training before every step, without the lock.
    private let cancelled = Atomic<Bool>(false)
    private let store: Store
    private let logger: Logger

    /// Starts the trainer thread.
    package init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.name = "barnnd.trainer"
        thread.start()
    }

    /// Queues a job (FIFO).
    package func submit(_ job: TrainingJob) {
        condition.lock()
        queue.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// Takes every finished result (never blocks).
    package func drainResults() -> [TrainingResult] {
        condition.lock()
        defer { condition.unlock() }
        let taken = results
        results.removeAll()
        return taken
    }

    /// Whether a job is queued or running.
    package var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running || !queue.isEmpty
    }

    /// Waits until no job is queued or running, at most `timeout`; true when idle. For tests and shutdown.
    package func waitUntilIdle(timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(timeout.totalSeconds)
        condition.lock()
        defer { condition.unlock() }
        while running || !queue.isEmpty {
            if !condition.wait(until: deadline) { return !(running || !queue.isEmpty) }
        }
        return true
    }

    /// Drops queued jobs and cancels the running training at its next step (it ends as a failure, nothing is
    /// stored); the thread then ends. Wait for that with ``waitUntilIdle(timeout:)``.
    package func stop() {
        cancelled.store(true, ordering: .releasing)
        condition.lock()
        stopping = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                return
            }
            let job = queue.removeFirst()
            running = true
            condition.unlock()

            let result = TrainingResult(
                group: job.group, trigger: job.trigger, requestID: job.requestID,
                outcome: Self.train(job, store: store, logger: logger) { self.cancelled.load(ordering: .acquiring) })

            condition.lock()
            results.append(result)
            running = false
            condition.broadcast()
            condition.unlock()
        }
    }
}
