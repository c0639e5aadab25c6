package import Configuration
import Forecasting
import Storage

/// The restore-time check of a saved stream state, reachable from the fuzz targets in this package: decode the
/// three blobs within the bounds the configuration sets, exactly as the engine does at start-up.
package enum SavedStreamStateCheck {
    /// `nil` when the blobs decode to a usable state (or to one of a model group that no longer exists); otherwise
    /// why the state is refused.
    package static func refusal(
        hidden: [UInt8], normaliser: [UInt8], calibrator: [UInt8], configuration: DaemonConfiguration
    ) -> String? {
        let record = StreamStateRecord(
            stream: "fuzz", checkpointID: nil, tUs: 0, savedAtUs: 0, hidden: hidden, normaliser: normaliser,
            calibrator: calibrator)
        do throws(StreamState.Refusal) {
            _ = try StreamState.parts(of: record) { saved in
                guard let group = configuration.models[saved.group],
                    let levels = try? QuantileLevels(group.quantiles)
                else { return nil }
                return StreamState.Bounds(
                    group: group, name: saved.group, levels: levels, ruleIndex: saved.ruleIndex,
                    rules: configuration.rules)
            }
            return nil
        } catch {
            return error.description
        }
    }
}
