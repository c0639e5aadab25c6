/// The named tensors of a BARNN model inside one flat buffer (llm.c's `ParameterTensors`).
///
/// Every matrix is row-major `[in, out]`, so a layer is `Y[R, out] = X[R, in] · W + b` without transposes.
/// Gradients and Adam's moments reuse the same layout, so the optimiser is one loop over the buffer.
public struct ParameterLayout: Sendable, Equatable {
    /// One named tensor: its offset in the flat buffer and its shape.
    public struct Tensor: Sendable, Equatable {
        /// The tensor's name, as reported by errors and tests.
        public let name: String
        /// Offset of the first element.
        public let offset: Int
        /// Row count (1 for a bias).
        public let rows: Int
        /// Column count.
        public let cols: Int
        /// Element count.
        public var count: Int { rows * cols }
    }

    /// All tensors, in buffer order.
    public let tensors: [Tensor]
    /// Total element count.
    public let count: Int

    // Offsets, named as in the forward pass (see `Network`).
    let we: Int, be: Int  // embedding [I, E], [E]
    let ax1: Int, bx1: Int, ax2: Int, bx2: Int  // α_x MLP [E, A], [A], [A, E], [E]
    let ah1: Int, bh1: Int, ah2: Int, bh2: Int  // α_h MLP [H+F, A], [A], [A, H], [H]
    let wih: Int, bih: Int, whh: Int, bhh: Int  // gates [E, G], [G], [H, G], [G]
    let wo: Int, bo: Int  // head [H, 2], [2]
    /// SGLD head particles [K, 2H + 2] (row k: Wo_k row-major, then bo_k), after everything else so the other
    /// tensors keep their offsets; -1 when the posterior has none.
    let particles: Int
    /// Particle count K (0 without particles) and the width 2H + 2 of one particle.
    let particleCount: Int, particleWidth: Int
    /// Bayes by Backprop's ρ of the gate block, or -1: `rhoWih`, `rhobih`, `rhoWhh`, `rhobhh` in the order of their μ
    /// (Wih, bih, Whh, bhh, contiguous from `wih`), so element i of the block has its ρ at `rho + i`.
    let rho: Int
    /// Element count of the gate block Wih, bih, Whh, bhh.
    let gateBlockCount: Int

    /// The layout for `configuration`.
    public init(_ c: BARNNConfiguration) {
        var list: [Tensor] = []
        var next = 0
        func add(_ name: String, _ rows: Int, _ cols: Int) -> Int {
            list.append(Tensor(name: name, offset: next, rows: rows, cols: cols))
            defer { next += rows * cols }
            return next
        }
        let i = c.inputSize, e = c.embeddingSize, a = c.alphaWidth, h = c.hiddenSize, g = c.gateSize
        let f = c.timeFeatures
        we = add("We", i, e)
        be = add("be", 1, e)
        ax1 = add("Ax1", e, a)
        bx1 = add("bx1", 1, a)
        ax2 = add("Ax2", a, e)
        bx2 = add("bx2", 1, e)
        ah1 = add("Ah1", h + f, a)
        bh1 = add("bh1", 1, a)
        ah2 = add("Ah2", a, h)
        bh2 = add("bh2", 1, h)
        wih = add("Wih", e, g)
        bih = add("bih", 1, g)
        whh = add("Whh", h, g)
        bhh = add("bhh", 1, g)
        wo = add("Wo", h, 2)
        bo = add("bo", 1, 2)
        particleCount = c.posterior.particleCount
        particleWidth = 2 * h + 2
        particles = particleCount > 0 ? add("Particles", particleCount, particleWidth) : -1
        gateBlockCount = bhh + g - wih
        if c.posterior.hasWeightScales {
            rho = add("rhoWih", e, g)
            _ = add("rhobih", 1, g)
            _ = add("rhoWhh", h, g)
            _ = add("rhobhh", 1, g)
        } else {
            rho = -1
        }
        tensors = list
        count = next
    }

    /// Initial parameters: uniform ±1/√fan-in for weights, zero biases, and a small α-encoder output layer
    /// so α starts near 1 for every state.
    public func initialParameters(rng: inout SeededRNG) -> [Float] {
        var p = [Float](repeating: 0, count: count)
        p.withUnsafeMutableBufferPointer { buf in
            for t in tensors where t.rows > 1 && t.name != "Particles" && !t.name.hasPrefix("rho") {
                let slice = UnsafeMutableBufferPointer(rebasing: buf[t.offset..<(t.offset + t.count)])
                rng.fillUniform(slice)
                let bound = 1 / Float(t.rows).squareRoot()
                let shrink: Float = (t.name == "Ax2" || t.name == "Ah2") ? 0.1 : 1
                for k in slice.indices { slice[k] = (slice[k] * 2 - 1) * bound * shrink }
            }
            // Bayes by Backprop starts every weight at σ = `BayesByBackprop.initialSigma`.
            if rho >= 0 {
                let rho0 = Float(BayesByBackprop.inverseSoftplus(BayesByBackprop.initialSigma))
                for i in 0..<gateBlockCount { buf[rho + i] = rho0 }
            }
            // Every particle starts as the head itself, so an untrained model's paths agree with its noise-free pass.
            for k in 0..<particleCount {
                let row = particles + k * particleWidth
                for i in 0..<(particleWidth - 2) { buf[row + i] = buf[wo + i] }
                buf[row + particleWidth - 2] = buf[bo]
                buf[row + particleWidth - 1] = buf[bo + 1]
            }
        }
        return p
    }
}
