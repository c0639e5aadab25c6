// The model the engine and daemon benchmarks forecast with: seeded, not trained, since what a forecast costs does not
// depend on its weights and a training run would take a core from what is measured.
import BARNN
public import Configuration
public import Storage

/// Stores a seeded (untrained) BARNN model of `group`'s shape as the active checkpoint of group `default`.
public func activateSeededModel(_ store: Store, group: DaemonConfiguration.ModelGroup) throws {
    let model = BARNNModel(
        configuration: BARNNConfiguration(
            hiddenSize: group.hiddenSize, levelWindow: group.levelWindow, studentDegrees: group.studentDegrees,
            seasonalLag: group.seasonalLag),
        seed: 3)
    try store.saveCheckpoint(
        NewCheckpoint(model: "default", createdAtUs: 0, blob: BARNN.Checkpoint.encode(model)), activate: true,
        keepLast: 2)
}
