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

    /// `y[R, n] = x[R, k] · W[k, n] + b` (x with leading dimension `ldx`).
    @inline(__always)
    func linear(
        rows: Int, _ x: UnsafePointer<T>, ldx: Int, k: Int, w: Int, b: Int, n: Int, _ y: UnsafeMutablePointer<T>
    ) {
        for r in 0..<rows { (y + r * n).update(from: p + b, count: n) }
        T.gemm(
            transA: false, transB: false, m: rows, n: n, k: k, alpha: 1, a: x, lda: ldx, b: p + w, ldb: n,
            beta: 1, c: y, ldc: n)
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
    /// the rows of each weight sample are gathered, multiplied in one GEMM and scattered back.
    @inline(__always)
    func gateLinear(rows: Int, _ x: UnsafePointer<T>, k: Int, w: Int, b: Int, _ y: UnsafeMutablePointer<T>) {
        guard let s = gateSamples else { return linear(rows: rows, x, ldx: k, k: k, w: w, b: b, n: nG, y) }
        let block = layout.gateBlockCount
        for g in 0..<s.count {
            let sample = s.weights + g * block
            var m = 0
            for r in 0..<rows where (r % s.paths) % s.count == g {
                (s.gather + m * k).update(from: x + r * k, count: k)
                (s.scatter + m * nG).update(from: sample + (b - layout.wih), count: nG)
                m += 1
            }
            guard m > 0 else { continue }
            T.gemm(
                transA: false, transB: false, m: m, n: nG, k: k, alpha: 1, a: s.gather, lda: k,
                b: sample + (w - layout.wih), ldb: nG, beta: 1, c: s.scatter, ldc: nG)
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
        let count = rows * nE
        if encoders {
            linear(rows: rows, e, ldx: nE, k: nE, w: L.ax1, b: L.bx1, n: nA, ax1)
            T.tanhInPlace(ax1, count: rows * nA)
            linear(rows: rows, ax1, ldx: nA, k: nA, w: L.ax2, b: L.bx2, n: nE, ox)
            alpha(ox, alx, count: count)
        } else {
            alx.update(repeating: 1, count: count)
        }
        if let eps {
            for i in 0..<count { et[i] = e[i] * alx[i] * (1 + eps[i]) }
        } else {
            for i in 0..<count { et[i] = e[i] * alx[i] }
        }
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
        for b in 0..<rows {
            (hin + b * nHin).update(from: hPrev + b * nH, count: nH)
            (hin + b * nHin + nH).update(from: tf + b * ldtf, count: nF)
        }
        let count = rows * nH
        if encoders {
            linear(rows: rows, hin, ldx: nHin, k: nHin, w: L.ah1, b: L.bh1, n: nA, ah1)
            T.tanhInPlace(ah1, count: rows * nA)
            linear(rows: rows, ah1, ldx: nA, k: nA, w: L.ah2, b: L.bh2, n: nH, oh)
            alpha(oh, alh, count: count)
        } else {
            alh.update(repeating: 1, count: count)
        }
        if let eps {
            for i in 0..<count { ht[i] = hPrev[i] * alh[i] * (1 + eps[i]) }
        } else {
            for i in 0..<count { ht[i] = hPrev[i] * alh[i] }
        }
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
