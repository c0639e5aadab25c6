import Foundation

extension DaemonConfiguration {
    /// Limits of the engine (`[engine]`).
    public struct EngineSettings: Sendable, Equatable {
        /// Most streams held in memory; past it the least recently seen is saved and evicted. The default is 10000.
        public var maxStreams = 10000
        /// How often hidden states, normalisers and calibrators are saved (also at shutdown). The default is 5 min.
        public var stateSaveInterval: Duration = .seconds(300)
        /// Largest payload decoded, in bytes; larger ones are rejected as `oversized`. The default is 65536.
        public var maxPayloadBytes = 65536
        /// How far a payload time may lie ahead of the arrival time before it is rejected as `future_timestamp`.
        /// The default is 5 min.
        public var maxFutureSkew: Duration = .seconds(300)
        /// Threads that draw a tick's Monte Carlo paths, 0–256; 0 uses every core. Forecasts do not depend on it
        /// (each chunk of streams draws from its own substream). The default is 0.
        public var samplingThreads = 0

        /// ``samplingThreads`` with 0 resolved to the cores this process may use.
        public var resolvedSamplingThreads: Int {
            samplingThreads > 0 ? samplingThreads : max(1, ProcessInfo.processInfo.activeProcessorCount)
        }

        /// Creates the defaults.
        public init() {}
    }
}
