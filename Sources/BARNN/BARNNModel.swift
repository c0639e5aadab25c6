/// An immutable, trained BARNN GRU forecaster: its configuration and one flat parameter buffer.
///
/// Safe to share between threads; every inference call takes a caller-owned `BARNNWorkspace`.
public final class BARNNModel: Sendable {
    /// The hyper-parameters the parameters were trained with.
    public let configuration: BARNNConfiguration
    /// Where each named tensor lives in `parameters`.
    public let layout: ParameterLayout
    /// All parameters, laid out by `layout`.
    public let parameters: [Float]

    /// Wraps `parameters`; traps unless their count matches `configuration` (a programmer error).
    public init(configuration: BARNNConfiguration, parameters: [Float]) {
        let layout = ParameterLayout(configuration)
        precondition(
            parameters.count == layout.count,
            "BARNNModel: \(parameters.count) parameters for a layout of \(layout.count)")
        self.configuration = configuration
        self.layout = layout
        self.parameters = parameters
    }

    /// A freshly initialised (untrained) model; the same seed gives the same parameters.
    public convenience init(configuration: BARNNConfiguration, seed: UInt64) {
        var rng = SeededRNG(seed: seed, stream: 0x1A17)
        self.init(configuration: configuration, parameters: ParameterLayout(configuration).initialParameters(rng: &rng))
    }

    /// The parameters of one named tensor (for tests and diagnostics).
    public func tensor(named name: String) -> ArraySlice<Float>? {
        guard let t = layout.tensors.first(where: { $0.name == name }) else { return nil }
        return parameters[t.offset..<(t.offset + t.count)]
    }
}
