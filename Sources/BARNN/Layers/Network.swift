/// The BARNN GRU's forward pass over caller-owned buffers, generic over the scalar type.
///
/// Shapes (row-major): X [R, I], E/ALX/ET [R, E], AX1 [R, A], GX [R, G]; per recurrent step with B rows:
/// HIN [B, H+F], AH1 [B, A], OH/ALH/HT [B, H], GH/GATES [B, G] (gates r, u, n), h [B, H].
/// The equations are those of BARNN.md ("Weights per step"): α = exp(clamp(MLP(·))), the noisy inputs
/// of the two gate matmuls ẽ = e ⊙ αx ⊙ (1 + εx), h̃ = h ⊙ αh ⊙ (1 + εh), and a clean carry.
/// Nothing here allocates; every output is written into memory the caller passed in.
struct Network<T: BARNNScalar> {
    let p: UnsafePointer<T>
    let layout: ParameterLayout
    let nI: Int, nE: Int, nA: Int, nH: Int, nG: Int, nF: Int
    let bound: T
    /// Whether α comes from the α encoders (BARNN); otherwise α = 1 and the encoders are skipped.
    let encoders: Bool
    /// When set, time spent in the two gate matmuls is added here (benchmarks measure them in place).
    var gateTime: UnsafeMutablePointer<Duration>? = nil
    /// Bayes by Backprop's sampled gate weights for Monte Carlo rows, or nil for the model's own (μ for BBB).
    var gateSamples: GateSamples<T>? = nil

    /// - Parameter layout: `ParameterLayout(c)`, passed in because building one allocates (its tensor table).
    init(parameters: UnsafePointer<T>, configuration c: BARNNConfiguration, layout: ParameterLayout) {
        p = parameters
        self.layout = layout
        nI = c.inputSize
        nE = c.embeddingSize
        nA = c.alphaWidth
        nH = c.hiddenSize
        nG = c.gateSize
        nF = c.timeFeatures
        bound = T(c.logAlphaBound)
        encoders = c.usesAlphaEncoders
    }

    /// `y[R, n] = x[R, k] · W[k, n] + b` (x with leading dimension `ldx`), through tanh when `tanh` is set.
    @inline(__always)
    func linear(
        rows: Int, _ x: UnsafePointer<T>, ldx: Int, k: Int, w: Int, b: Int, n: Int, _ y: UnsafeMutablePointer<T>,
        tanh: Bool = false
    ) {
        T.biasedProduct(rows: rows, x: x, ldx: ldx, k: k, w: p + w, n: n, bias: p + b, y: y, tanh: tanh)
    }

    @inline(__always)
    func timedGate(_ body: () -> Void) {
        guard let gateTime else { return body() }
        let clock = ContinuousClock()
        let start = clock.now
        body()
        gateTime.pointee += clock.now - start
    }

    /// A gate matmul `y[R, G] = x[R, k] · W + b` with W, b at offsets `w`, `b` of the gate block; with `gateSamples`,
    /// the rows of each weight sample are gathered, multiplied in one product and scattered back.
    @inline(__always)
    func gateLinear(rows: Int, _ x: UnsafePointer<T>, k: Int, w: Int, b: Int, _ y: UnsafeMutablePointer<T>) {
        guard let s = gateSamples else { return linear(rows: rows, x, ldx: k, k: k, w: w, b: b, n: nG, y) }
        let block = layout.gateBlockCount
        for g in 0..<s.count {
            let sample = s.weights + g * block
            var m = 0
            for r in 0..<rows where (r % s.paths) % s.count == g {
                (s.gather + m * k).update(from: x + r * k, count: k)
                m += 1
            }
            guard m > 0 else { continue }
            T.biasedProduct(
                rows: m, x: s.gather, ldx: k, k: k, w: sample + (w - layout.wih), n: nG,
                bias: sample + (b - layout.wih), y: s.scatter, tanh: false)
            m = 0
            for r in 0..<rows where (r % s.paths) % s.count == g {
                (y + r * nG).update(from: s.scatter + m * nG, count: nG)
                m += 1
            }
        }
    }

    /// α = exp(clamp(o)) elementwise (o kept by the caller for the backward mask).
    @inline(__always)
    func alpha(_ o: UnsafePointer<T>, _ a: UnsafeMutablePointer<T>, count: Int) {
        T.clampedExp(o, into: a, count: count, bound: bound)
    }

    /// α [R, n] of one α encoder, `exp(clamp(tanh(x·W1 + b1)·W2 + b2))`, keeping its hidden layer and pre-activation
    /// for the backward pass; α = 1 for the posteriors without encoders.
    @inline(__always)
    func encodeAlpha(
        rows: Int, _ x: UnsafePointer<T>, ldx: Int, k: Int, w1: Int, b1: Int, w2: Int, b2: Int, n: Int,
        _ hidden: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>, _ a: UnsafeMutablePointer<T>
    ) {
        guard encoders else { return a.update(repeating: 1, count: rows * n) }
        linear(rows: rows, x, ldx: ldx, k: k, w: w1, b: b1, n: nA, hidden, tanh: true)
        linear(rows: rows, hidden, ldx: nA, k: nA, w: w2, b: b2, n: n, o)
        alpha(o, a, count: rows * n)
    }

    /// The noisy input of a gate matmul, `input ⊙ α ⊙ (1 + ε)` (ε = 0 without `eps`).
    @inline(__always)
    func noisyInput(
        _ input: UnsafePointer<T>, alpha a: UnsafePointer<T>, eps: UnsafePointer<T>?, count: Int,
        into out: UnsafeMutablePointer<T>
    ) {
        if let eps {
            for i in 0..<count { out[i] = input[i] * a[i] * (1 + eps[i]) }
        } else {
            for i in 0..<count { out[i] = input[i] * a[i] }
        }
    }

    /// The input-only half of a step for R rows: embedding, α_x encoder, noisy embedding, input gate matmul.
    ///
    /// - Parameter eps: εx [R, E], or nil for the noise-free pass.
    func inputForward(
        rows: Int, x: UnsafePointer<T>, eps: UnsafePointer<T>?,
        e: UnsafeMutablePointer<T>, ax1: UnsafeMutablePointer<T>, ox: UnsafeMutablePointer<T>,
        alx: UnsafeMutablePointer<T>, et: UnsafeMutablePointer<T>, gx: UnsafeMutablePointer<T>
    ) {
        let L = layout
        linear(rows: rows, x, ldx: nI, k: nI, w: L.we, b: L.be, n: nE, e)
        encodeAlpha(rows: rows, e, ldx: nE, k: nE, w1: L.ax1, b1: L.bx1, w2: L.ax2, b2: L.bx2, n: nE, ax1, ox, alx)
        noisyInput(e, alpha: alx, eps: eps, count: rows * nE, into: et)
        timedGate { gateLinear(rows: rows, et, k: nE, w: L.wih, b: L.bih, gx) }
    }

    /// The recurrent half of a step for B rows: α_h encoder, noisy hidden matmul, gates, clean carry.
    ///
    /// - Parameters:
    ///   - tf: time features of the target step, row b at `tf + b * ldtf`.
    ///   - eps: εh [B, H], or nil for the noise-free pass.
    ///   - hNew: receives h_t [B, H]; it must not alias `hPrev`.
    func recurrentForward(
        rows: Int, hPrev: UnsafePointer<T>, tf: UnsafePointer<T>, ldtf: Int, gx: UnsafePointer<T>,
        eps: UnsafePointer<T>?, hin: UnsafeMutablePointer<T>, ah1: UnsafeMutablePointer<T>,
        oh: UnsafeMutablePointer<T>, alh: UnsafeMutablePointer<T>, ht: UnsafeMutablePointer<T>,
        gh: UnsafeMutablePointer<T>, gates: UnsafeMutablePointer<T>, hNew: UnsafeMutablePointer<T>
    ) {
        let L = layout
        let nHin = nH + nF
        T.copyRows(hPrev, sourceStride: nH, into: hin, destinationStride: nHin, rows: rows, count: nH)
        T.copyRows(tf, sourceStride: ldtf, into: hin + nH, destinationStride: nHin, rows: rows, count: nF)
        encodeAlpha(
            rows: rows, hin, ldx: nHin, k: nHin, w1: L.ah1, b1: L.bh1, w2: L.ah2, b2: L.bh2, n: nH, ah1, oh, alh)
        noisyInput(hPrev, alpha: alh, eps: eps, count: rows * nH, into: ht)
        timedGate { gateLinear(rows: rows, ht, k: nH, w: L.whh, b: L.bhh, gh) }
        gatesForward(rows: rows, hPrev: hPrev, gx: gx, gh: gh, gates: gates, hNew: hNew)
    }

    /// r = σ(gx_r + gh_r), u = σ(gx_u + gh_u), n = tanh(gx_n + r ⊙ gh_n), h = (1 − u) ⊙ n + u ⊙ h_prev.
    @inline(__always)
    func gatesForward(
        rows: Int, hPrev: UnsafePointer<T>, gx: UnsafePointer<T>, gh: UnsafePointer<T>,
        gates: UnsafeMutablePointer<T>, hNew: UnsafeMutablePointer<T>
    ) {
        let h2 = 2 * nH
        for b in 0..<rows {
            let g = gates + b * nG, x = gx + b * nG, hh = gh + b * nG
            for j in 0..<h2 { g[j] = x[j] + hh[j] }
            T.sigmoidInPlace(g, count: h2)
            for j in 0..<nH { g[h2 + j] = x[h2 + j] + g[j] * hh[h2 + j] }
            T.tanhInPlace(g + h2, count: nH)
            let hp = hPrev + b * nH, hn = hNew + b * nH
            for j in 0..<nH {
                let u = g[nH + j]
                hn[j] = (1 - u) * g[h2 + j] + u * hp[j]
            }
        }
    }

    /// Head outputs [R, 2] = h · Wo + bo: the mean and log-variance of the next scaled increment.
    func head(rows: Int, h: UnsafePointer<T>, out: UnsafeMutablePointer<T>) {
        linear(rows: rows, h, ldx: nH, k: nH, w: layout.wo, b: layout.bo, n: 2, out)
    }

    /// Head outputs [R, 2] for Monte Carlo rows (stream · S + path): path p of every stream reads SGLD particle
    /// p mod K instead of the fitted head, so each path is one draw of the head's posterior.
    func particleHead(rows: Int, paths: Int, h: UnsafePointer<T>, out: UnsafeMutablePointer<T>) {
        let k = layout.particleCount, width = layout.particleWidth
        for r in 0..<rows {
            let w = p + layout.particles + ((r % paths) % k) * width
            let hr = h + r * nH
            var mu = w[2 * nH], logVariance = w[2 * nH + 1]
            for j in 0..<nH {
                mu += hr[j] * w[2 * j]
                logVariance += hr[j] * w[2 * j + 1]
            }
            out[2 * r] = mu
            out[2 * r + 1] = logVariance
        }
    }
}

/// G sampled gate blocks (Wih, bih, Whh, bhh each, [G, block]) and the scratch that groups Monte Carlo rows by sample:
/// row r = stream · S + path uses sample (r mod S) mod G.
struct GateSamples<T: BARNNScalar> {
    let weights: UnsafePointer<T>
    /// G.
    let count: Int
    /// S.
    let paths: Int
    /// [R, max(E, H)] rows of one sample's inputs.
    let gather: UnsafeMutablePointer<T>
    /// [R, G3] their outputs.
    let scatter: UnsafeMutablePointer<T>
}
