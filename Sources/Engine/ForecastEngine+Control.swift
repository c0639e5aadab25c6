import BARNN
import Formats
import Foundation
import Logging
import Storage
import Trainer

extension ForecastEngine {
    /// Engine time (seconds) between two looks at the Store for train requests and activations.
    static let controlPollInterval = 5.0
    /// How far back (µs) a poll reads requests: covers clock skew between the CLI and the engine and the writer's
    /// flush delay; requests seen before are skipped by id.
    static let requestLookbackUs: Int64 = 10 * 60 * 1_000_000

    /// Every ``controlPollInterval`` of engine time: honours `train_requested` events (`barnnd train`) and swaps in
    /// a checkpoint activated by someone else (`barnnd rollback`). Works without a broker; both leave events.
    func pollControl(now: Double, into output: inout EngineOutput) {
        guard now - lastControlPoll >= Self.controlPollInterval else { return }
        lastControlPoll = now
        honourTrainRequests(now: now, into: &output)
        followActivations(now: now, into: &output)
    }

    /// Marks the requests already acted on (a `training_started` or outcome event names them) so a restart does not
    /// act on them again.
    func markHandledRequests(now: Double) {
        let fromUs = UTCTimestamp.saturatingMicroseconds(now) - Self.requestLookbackUs
        for kind in [EventKind.trainingStarted, .trainingFailed] {
            for event in (try? store.events(fromUs: fromUs, kind: kind, limit: 1000)) ?? [] {
                if let id = event.detail?.requestID { handledRequests.insert(id) }
            }
        }
    }

    private func honourTrainRequests(now: Double, into output: inout EngineOutput) {
        let fromUs = UTCTimestamp.saturatingMicroseconds(now) - Self.requestLookbackUs
        let requests: [EventRecord]
        do {
            requests = try store.events(fromUs: fromUs, kind: .trainRequested, limit: 1000)
        } catch {
            logger.info("train requests not readable", metadata: ["error": "\(error)"])
            return
        }
        for request in requests.reversed() {
            guard let id = request.detail?.requestID, !handledRequests.contains(id) else { continue }
            guard let name = request.model, let group = groups[name] else {
                handledRequests.insert(id)
                output.writes.append(
                    Self.eventRow(
                        at: now, model: request.model,
                        detail: .trainingFailed(
                            .init(
                                reason: "no model group named \(request.model ?? "")", request: id,
                                trigger: TrainingTrigger.request.rawValue))))
                continue
            }
            // A group already training takes the request once that job is done.
            guard !group.isTraining else { continue }
            handledRequests.insert(id)
            submitTraining(group, trigger: .request, requestID: id, now: now, into: &output)
        }
    }

    /// Swaps in the active checkpoint when it is not the one serving (a rollback or activation from the CLI).
    /// Groups with a training in flight are skipped: their trainer may be activating its candidate right now.
    private func followActivations(now: Double, into output: inout EngineOutput) {
        for name in groups.keys.sorted() {
            let group = groups[name]!
            guard !group.isTraining,
                let active = (try? store.checkpoints(model: name))?.first(where: \.isActive),
                active.version != group.version, active.version != group.refusedVersion
            else { continue }
            let previous = group.version
            do {
                guard let checkpoint = try store.checkpoint(model: name, version: active.version) else { continue }
                let model = try BARNN.Checkpoint.decode(checkpoint.blob, expected: group.modelConfiguration)
                swapModel(group, model: model, info: checkpoint.info)
                _counters.activationsApplied += 1
                output.writes.append(
                    Self.eventRow(
                        at: now, model: name,
                        detail: .modelActivated(.init(version: active.version, previous: previous))))
                logger.info(
                    "activated checkpoint swapped in",
                    metadata: ["model.name": "\(name)", "model.version": "\(active.version)"])
            } catch {
                _counters.checkpointLoadFailures += 1
                output.writes.append(
                    Self.eventRow(
                        at: now, model: name,
                        detail: .checkpointLoadFailed(.init(version: active.version, error: "\(error)"))))
                logger.info(
                    "activated checkpoint not loadable; the serving model stays",
                    metadata: ["model.name": "\(name)", "error": "\(error)"])
                // Not retried every poll: this version stays refused until another one is activated.
                group.refusedVersion = active.version
            }
        }
    }
}
