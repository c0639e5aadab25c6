import Dispatch
import Foundation

/// The buffers and forward/backward pass of one training batch: B windows of T steps, rows time-major
/// (row = t·B + b), generic so gradient checks can run the same code in `Double`.
///
/// Inputs the caller fills before `run`: `x` [T·B, I], `y` [T·B] (scaled target increments), `mask`
/// [T·B] (1 where the target counts: valid and past burn-in), `epsX` [T·B, E], `epsH` [T·B, H].
/// The forward saves every activation the backward needs (llm.c style); `hs` [(T+1)·B, H] holds h_0 = 0.
final class TrainingGraph<T: BARNNScalar> {
    let configuration: BARNNConfiguration
    let layout: ParameterLayout
    let batch: Int, time: Int
    /// Threads for the recurrent loops (1 or 2); with 2, BLAS should run single-threaded.
    var threads = 1
    private let block: UnsafeMutablePointer<T>
    private let blockCount: Int

    let x, y, mask, epsX, epsH: UnsafeMutablePointer<T>
    let e, ax1, ox, alx, et, gx, hs, hin, ah1, oh, alh, ht, gh, gates, out: UnsafeMutablePointer<T>
    let dOut, dHead, dGx, dGh, dOh, dPreH, dh, dhPrev, dht, dah1, dhin, dET, dE, dOx, dAx1, klX,
        klH: UnsafeMutablePointer<T>

    init(configuration c: BARNNConfiguration, batch: Int, time: Int) {
        configuration = c
        layout = ParameterLayout(c)
        self.batch = batch
        self.time = time
        let n = batch * time
        let nI = c.inputSize, nE = c.embeddingSize, nA = c.alphaWidth, nH = c.hiddenSize, nG = c.gateSize
        let nHin = nH + c.timeFeatures
        let sizes = [
            n * nI, n, n, n * nE, n * nH,  // inputs
            n * nE, n * nA, n * nE, n * nE, n * nE, n * nG, (time + 1) * batch * nH, n * nHin, n * nA, n * nH,
            n * nH, n * nH, n * nG, n * nG, n * 2,  // forward
            n * 2, n * nH, n * nG, n * nG, n * nH, n * nA, batch * nH, batch * nH, batch * nH, batch * nA,
            batch * nHin, n * nE, n * nE, n * nE, n * nA, n * nE, n * nH,  // backward
        ]
        blockCount = sizes.reduce(0, +)
        block = .allocate(capacity: blockCount)
        block.initialize(repeating: 0, count: blockCount)
        var views: [UnsafeMutablePointer<T>] = []
        var cursor = block
        for s in sizes {
            views.append(cursor)
            cursor += s
        }
        (x, y, mask, epsX, epsH) = (views[0], views[1], views[2], views[3], views[4])
        (e, ax1, ox, alx, et, gx, hs, hin) = (
            views[5], views[6], views[7], views[8], views[9], views[10], views[11], views[12]
        )
        (ah1, oh, alh, ht, gh, gates, out) = (
            views[13], views[14], views[15], views[16], views[17], views[18], views[19]
        )
        (dOut, dHead, dGx, dGh, dOh, dPreH, dh, dhPrev) = (
            views[20], views[21], views[22], views[23], views[24], views[25], views[26], views[27]
        )
        (dht, dah1, dhin, dET, dE, dOx, dAx1, klX, klH) = (
            views[28], views[29], views[30], views[31], views[32], views[33], views[34], views[35], views[36]
        )
    }

    deinit { block.deallocate() }

    /// The parts of the loss: mean NLL over counted targets and the mean per-weight KL.
    struct Loss {
        var nll: T
        var kl: T
        var counted: Int
    }

    /// Runs the forward pass and, if `gradient` is given, adds ∂(nll + β·kl)/∂θ into it.
    ///
    /// - Parameters:
    ///   - noise: false gives the noise-free pass (ε = 0; `epsX`/`epsH` ignored).
    ///   - klValue: false skips the KL's value (its gradient is still added); `Loss.kl` is then 0.
    func run(
        parameters: UnsafePointer<T>, gradient: UnsafeMutablePointer<T>?, beta: T, noise: Bool = true,
        klValue: Bool = true
    ) -> Loss {
        let c = configuration, L = layout
        let net = Network<T>(parameters: parameters, configuration: c, layout: L)
        let B = batch, n = batch * time
        let nI = c.inputSize, nE = c.embeddingSize, nA = c.alphaWidth, nH = c.hiddenSize, nG = c.gateSize
        let nHin = nH + c.timeFeatures

        // Forward: everything input-only as one batch of T·B rows, then the recurrence.
        split(n) { lo, hi in
            net.inputForward(
                rows: hi - lo, x: self.x + lo * nI, eps: noise ? UnsafePointer(self.epsX + lo * nE) : nil,
                e: self.e + lo * nE, ax1: self.ax1 + lo * nA, ox: self.ox + lo * nE, alx: self.alx + lo * nE,
                et: self.et + lo * nE, gx: self.gx + lo * nG)
        }
        hs.update(repeating: 0, count: B * nH)
        split(B) { lo, hi in self.recurrentForward(net, rows: lo..<hi, noise: noise) }
        net.head(rows: n, h: hs + B * nH, out: out)

        // Loss: Gaussian (or Student-t) NLL on counted targets; tVAMP KL per step over the batch.
        let bound = T(BARNNModel.logVarianceBound)
        let halfLog2Pi = T.log(2 * T.pi) / 2
        let nu = T(c.studentDegrees)
        let studentConstant = c.isStudent ? T(BARNNModel.studentLogNormaliser(degrees: c.studentDegrees)) : 0
        var counted = 0
        for i in 0..<n where mask[i] != 0 { counted += 1 }
        let invCount = counted > 0 ? 1 / T(counted) : 0
        var nll: T = 0
        for i in 0..<n {
            dOut[2 * i] = 0
            dOut[2 * i + 1] = 0
            guard mask[i] != 0 else { continue }
            let mu = out[2 * i], rawLv = out[2 * i + 1]
            let lv = Swift.min(Swift.max(rawLv, -bound), bound)
            let invVar = T.exp(-lv)
            let d = y[i] - mu
            if c.isStudent {
                // −log t_ν(d; 0, σ) = log σ + (ν+1)/2 · log(1 + q) + const, q = d²/(ν σ²).
                let q = d * d * invVar / nu
                nll += lv / 2 + (nu + 1) / 2 * T.log(1 + q) + studentConstant
                dOut[2 * i] = -(nu + 1) * d * invVar / (nu * (1 + q)) * invCount
                dOut[2 * i + 1] = abs(rawLv) < bound ? (1 - (nu + 1) * q / (1 + q)) / 2 * invCount : 0
            } else {
                nll += (lv + d * d * invVar) / 2 + halfLog2Pi
                dOut[2 * i] = -d * invVar * invCount
                dOut[2 * i + 1] = abs(rawLv) < bound ? (1 - d * d * invVar) / 2 * invCount : 0
            }
        }
        nll *= invCount
        let klScale = 1 / T(time * (nE + nH))
        let gradScale = beta * klScale
        klX.update(repeating: 0, count: n * nE)
        klH.update(repeating: 0, count: n * nH)
        var kl: T = 0
        // The other posteriors have no KL term: α is 1 for every state.
        for t in 0..<time where net.encoders {
            let r = t * B
            kl += TVampKL.accumulate(
                alpha: alx + r * nE, rows: B, units: nE, ld: nE, gradient: gradient == nil ? nil : klX + r * nE,
                scale: gradScale, value: klValue)
            kl += TVampKL.accumulate(
                alpha: alh + r * nH, rows: B, units: nH, ld: nH, gradient: gradient == nil ? nil : klH + r * nH,
                scale: gradScale, value: klValue)
        }
        kl *= klScale
        let loss = Loss(nll: nll, kl: kl, counted: counted)
        guard let g = gradient else { return loss }

        // Backward. fwd: out = h·Wo + bo ⇒ dWo += hᵀ·dOut, dh += dOut·Woᵀ.
        halvedGemm(
            transA: true, transB: false, m: nH, n: 2, k: n, alpha: 1, a: hs + B * nH, lda: nH, b: dOut, ldb: 2,
            beta: 1, c: g + L.wo, ldc: 2)
        columnSums(dOut, rows: n, cols: 2, into: g + L.bo)
        halvedGemm(
            transA: false, transB: true, m: n, n: nH, k: 2, alpha: 1, a: dOut, lda: 2, b: parameters + L.wo,
            ldb: 2, beta: 0, c: dHead, ldc: nH)

        dh.update(repeating: 0, count: B * nH)  // carries ∂L/∂h_t from step t+1
        split(B) { lo, hi in self.recurrentBackward(parameters, rows: lo..<hi, noise: noise, encoders: net.encoders) }

        // Weight gradients of the recurrent part, one GEMM each over all T·B rows.
        halvedGemm(
            transA: true, transB: false, m: nH, n: nG, k: n, alpha: 1, a: ht, lda: nH, b: dGh, ldb: nG, beta: 1,
            c: g + L.whh, ldc: nG)
        columnSums(dGh, rows: n, cols: nG, into: g + L.bhh)
        if net.encoders {
            halvedGemm(
                transA: true, transB: false, m: nA, n: nH, k: n, alpha: 1, a: ah1, lda: nA, b: dOh, ldb: nH,
                beta: 1, c: g + L.ah2, ldc: nH)
            columnSums(dOh, rows: n, cols: nH, into: g + L.bh2)
            halvedGemm(
                transA: true, transB: false, m: nHin, n: nA, k: n, alpha: 1, a: hin, lda: nHin, b: dPreH, ldb: nA,
                beta: 1, c: g + L.ah1, ldc: nA)
            columnSums(dPreH, rows: n, cols: nA, into: g + L.bh1)
        }

        let boundAlpha = T(c.logAlphaBound)
        // Input side. fwd: gx = ẽ·Wih + bih, ẽ = e·αx·(1 + εx)
        halvedGemm(
            transA: true, transB: false, m: nE, n: nG, k: n, alpha: 1, a: et, lda: nE, b: dGx, ldb: nG, beta: 1,
            c: g + L.wih, ldc: nG)
        columnSums(dGx, rows: n, cols: nG, into: g + L.bih)
        halvedGemm(
            transA: false, transB: true, m: n, n: nE, k: nG, alpha: 1, a: dGx, lda: nG, b: parameters + L.wih,
            ldb: nG, beta: 0, c: dET, ldc: nE)
        noisyInputBackward(
            count: n * nE, dNoisy: dET, input: e, alpha: alx, eps: noise ? epsX : nil, kl: klX, preAlpha: ox,
            bound: boundAlpha, accumulate: false, dInput: dE, dPreAlpha: dOx)
        guard net.encoders else { return embeddingBackward(gradient: g, rows: n, nI: nI, nE: nE, loss: loss) }
        // fwd: ox = tanh(e·Ax1 + bx1)·Ax2 + bx2
        halvedGemm(
            transA: true, transB: false, m: nA, n: nE, k: n, alpha: 1, a: ax1, lda: nA, b: dOx, ldb: nE, beta: 1,
            c: g + L.ax2, ldc: nE)
        columnSums(dOx, rows: n, cols: nE, into: g + L.bx2)
        halvedGemm(
            transA: false, transB: true, m: n, n: nA, k: nE, alpha: 1, a: dOx, lda: nE, b: parameters + L.ax2,
            ldb: nE, beta: 0, c: dAx1, ldc: nA)
        for k in 0..<(n * nA) { dAx1[k] *= 1 - ax1[k] * ax1[k] }
        halvedGemm(
            transA: true, transB: false, m: nE, n: nA, k: n, alpha: 1, a: e, lda: nE, b: dAx1, ldb: nA, beta: 1,
            c: g + L.ax1, ldc: nA)
        columnSums(dAx1, rows: n, cols: nA, into: g + L.bx1)
        halvedGemm(
            transA: false, transB: true, m: n, n: nE, k: nA, alpha: 1, a: dAx1, lda: nA, b: parameters + L.ax1,
            ldb: nA, beta: 1, c: dE, ldc: nE)
        return embeddingBackward(gradient: g, rows: n, nI: nI, nE: nE, loss: loss)
    }

    /// The last backward step, fwd: e = x·We + be; returns `loss` for the caller's tail call.
    private func embeddingBackward(
        gradient g: UnsafeMutablePointer<T>, rows n: Int, nI: Int, nE: Int, loss: Loss
    )
        -> Loss
    {
        halvedGemm(
            transA: true, transB: false, m: nI, n: nE, k: n, alpha: 1, a: x, lda: nI, b: dE, ldb: nE, beta: 1,
            c: g + layout.we, ldc: nE)
        columnSums(dE, rows: n, cols: nE, into: g + layout.be)
        return loss
    }

    /// Runs `body` over `0..<count`, in two halves (``firstHalf(of:)``) on two threads when `threads > 1`.
    ///
    /// The batch rows split so: rows of different windows only meet in the KL's batch moments, which are computed
    /// between the recurrent forward and backward, so each half's recurrence is independent. So do the rows of the
    /// input-only forward and the rows or columns of a GEMM's output.
    private func split(_ count: Int, _ body: @escaping (Int, Int) -> Void) {
        guard threads > 1, count >= 8 else {
            body(0, count)
            return
        }
        let half = Self.firstHalf(of: count)
        let job = UncheckedJob(body: body, count: count)
        DispatchQueue.concurrentPerform(iterations: 2) { k in k == 0 ? job.body(0, half) : job.body(half, job.count) }
    }

    /// Where a split of `count` rows or columns cuts: the middle, rounded down to a multiple of 8 from 32 on (a
    /// half's first row or column then starts a vector), so neither half is empty and they differ by less than 8.
    static func firstHalf(of count: Int) -> Int { count >= 32 ? count / 2 / 8 * 8 : count / 2 }

    /// `T.gemm` over all T·B rows, halved along the longer side of C on two threads when `threads > 1` (the weight
    /// gradients, C a weight and k the T·B rows, by output columns). BLAS may sum a narrower block in another order,
    /// so C is the one-call C within rounding.
    private func halvedGemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
        b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        if m >= n {
            split(m) { lo, hi in
                T.gemm(
                    transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha,
                    a: transA ? a + lo : a + lo * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + lo * ldc, ldc: ldc)
            }
        } else {
            split(n) { lo, hi in
                T.gemm(
                    transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha, a: a, lda: lda,
                    b: transB ? b + lo * ldb : b + lo, ldb: ldb, beta: beta, c: c + lo, ldc: ldc)
            }
        }
    }

    /// Forward recurrence for batch rows `rows` (rows t·B + b for b in `rows`, every t).
    private func recurrentForward(_ net: Network<T>, rows: Range<Int>, noise: Bool) {
        let c = configuration, B = batch, m = rows.count
        let nI = c.inputSize, nA = c.alphaWidth, nH = c.hiddenSize, nG = c.gateSize, nHin = nH + c.timeFeatures
        for t in 0..<time {
            let r = t * B + rows.lowerBound
            net.recurrentForward(
                rows: m, hPrev: hs + r * nH, tf: x + r * nI + 2, ldtf: nI, gx: gx + r * nG,
                eps: noise ? UnsafePointer(epsH + r * nH) : nil, hin: hin + r * nHin, ah1: ah1 + r * nA,
                oh: oh + r * nH, alh: alh + r * nH, ht: ht + r * nH, gh: gh + r * nG, gates: gates + r * nG,
                hNew: hs + (r + B) * nH)
        }
    }

    /// Backward recurrence (through time) for batch rows `rows`; fills dGx, dGh, dOh, dPreH for them.
    private func recurrentBackward(_ parameters: UnsafePointer<T>, rows: Range<Int>, noise: Bool, encoders: Bool) {
        let c = configuration, L = layout, B = batch, m = rows.count, lo = rows.lowerBound
        let nA = c.alphaWidth, nH = c.hiddenSize, nG = c.gateSize, nHin = nH + c.timeFeatures
        let boundAlpha = T(c.logAlphaBound)
        let dh = self.dh + lo * nH, dhPrev = self.dhPrev + lo * nH, dht = self.dht + lo * nH
        let dah1 = self.dah1 + lo * nA, dhin = self.dhin + lo * nHin
        for t in stride(from: time - 1, through: 0, by: -1) {
            let r = t * B + lo
            let hPrev = hs + r * nH
            for i in 0..<(m * nH) { dh[i] += dHead[r * nH + i] }
            if T.self == Float.self && nH % 8 == 0 {
                gatesBackwardSIMD(rows: m, firstRow: r, dh: dh, dhPrev: dhPrev, hPrev: hPrev)
            } else {
                for b in 0..<m {
                    let gate = gates + (r + b) * nG, ghRow = gh + (r + b) * nG
                    let dgx = dGx + (r + b) * nG, dgh = dGh + (r + b) * nG
                    for j in 0..<nH {
                        let rr = gate[j], u = gate[nH + j], nn = gate[2 * nH + j]
                        let dhj = dh[b * nH + j]
                        // fwd: h = (1 − u)·n + u·h_prev
                        dhPrev[b * nH + j] = dhj * u
                        let dn = dhj * (1 - u)
                        let du = dhj * (hPrev[b * nH + j] - nn)
                        // fwd: n = tanh(gx_n + r·gh_n)
                        let dan = dn * (1 - nn * nn)
                        dgx[2 * nH + j] = dan
                        dgh[2 * nH + j] = dan * rr
                        let dr = dan * ghRow[2 * nH + j]
                        // fwd: r = σ(gx_r + gh_r), u = σ(gx_u + gh_u)
                        let dar = dr * rr * (1 - rr)
                        let dau = du * u * (1 - u)
                        dgx[j] = dar
                        dgh[j] = dar
                        dgx[nH + j] = dau
                        dgh[nH + j] = dau
                    }
                }
            }
            // fwd: gh = h̃·Whh + bhh ⇒ dh̃ = dgh·Whhᵀ
            T.gemm(
                transA: false, transB: true, m: m, n: nH, k: nG, alpha: 1, a: dGh + r * nG, lda: nG,
                b: parameters + L.whh, ldb: nG, beta: 0, c: dht, ldc: nH)
            // fwd: h̃ = h_prev·αh·(1 + εh), αh = exp(clamp(oh))
            noisyInputBackward(
                count: m * nH, dNoisy: dht, input: hPrev, alpha: alh + r * nH, eps: noise ? epsH + r * nH : nil,
                kl: klH + r * nH, preAlpha: oh + r * nH, bound: boundAlpha, accumulate: true, dInput: dhPrev,
                dPreAlpha: dOh + r * nH)
            guard encoders else {
                for i in 0..<(m * nH) { dh[i] = dhPrev[i] }
                continue
            }
            // fwd: oh = tanh(hin·Ah1 + bh1)·Ah2 + bh2
            T.gemm(
                transA: false, transB: true, m: m, n: nA, k: nH, alpha: 1, a: dOh + r * nH, lda: nH,
                b: parameters + L.ah2, ldb: nH, beta: 0, c: dah1, ldc: nA)
            for i in 0..<(m * nA) {
                let a = ah1[r * nA + i]
                dPreH[r * nA + i] = dah1[i] * (1 - a * a)
            }
            T.gemm(
                transA: false, transB: true, m: m, n: nHin, k: nA, alpha: 1, a: dPreH + r * nA, lda: nA,
                b: parameters + L.ah1, ldb: nA, beta: 0, c: dhin, ldc: nHin)
            for b in 0..<m {
                for j in 0..<nH { dh[b * nH + j] = dhPrev[b * nH + j] + dhin[b * nHin + j] }
            }
        }
    }

    /// Eight `Float`s from `p + i` (the SIMD paths run only when `T` is `Float`).
    @inline(__always)
    private static func load(_ p: UnsafePointer<T>, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
    }

    /// Stores eight `Float`s at `p + i`.
    @inline(__always)
    private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<T>, _ i: Int) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
    }

    /// The gate part of the backward step in `SIMD8<Float>` (the generic loop does not vectorise: LLVM
    /// cannot rule out aliasing between the many buffers). Same equations as the generic loop.
    private func gatesBackwardSIMD(
        rows m: Int, firstRow r: Int, dh: UnsafeMutablePointer<T>, dhPrev: UnsafeMutablePointer<T>,
        hPrev: UnsafeMutablePointer<T>
    ) {
        let nH = configuration.hiddenSize, nG = configuration.gateSize
        for b in 0..<m {
            let gate = gates + (r + b) * nG, ghRow = gh + (r + b) * nG
            let dgx = dGx + (r + b) * nG, dgh = dGh + (r + b) * nG
            for j in stride(from: 0, to: nH, by: 8) {
                let rr = Self.load(gate, j), u = Self.load(gate, nH + j), nn = Self.load(gate, 2 * nH + j)
                let dhj = Self.load(dh, b * nH + j)
                // fwd: h = (1 − u)·n + u·h_prev
                Self.store(dhj * u, dhPrev, b * nH + j)
                let dn = dhj * (1 - u)
                let du = dhj * (Self.load(hPrev, b * nH + j) - nn)
                // fwd: n = tanh(gx_n + r·gh_n)
                let dan = dn * (1 - nn * nn)
                Self.store(dan, dgx, 2 * nH + j)
                Self.store(dan * rr, dgh, 2 * nH + j)
                let dr = dan * Self.load(ghRow, 2 * nH + j)
                // fwd: r = σ(gx_r + gh_r), u = σ(gx_u + gh_u)
                let dar = dr * rr * (1 - rr)
                let dau = du * u * (1 - u)
                Self.store(dar, dgx, j)
                Self.store(dar, dgh, j)
                Self.store(dau, dgx, nH + j)
                Self.store(dau, dgh, nH + j)
            }
        }
    }

    /// The backward of a gate matmul's noisy input x̃ = x ⊙ α ⊙ (1 + ε), α = exp(clamp(o)): dx (or dx +=, with
    /// `accumulate`) = dx̃ ⊙ α ⊙ (1 + ε), and do = (dx̃ ⊙ x ⊙ (1 + ε) + dKL/dα) ⊙ α where o is inside the clamp,
    /// else 0.
    ///
    /// In `SIMD8<Float>` for `Float` (the scalar loop does not vectorise: its buffers might alias), with the same
    /// operations in the same order, so both paths give the same bits.
    private func noisyInputBackward(
        count: Int, dNoisy: UnsafePointer<T>, input: UnsafePointer<T>, alpha: UnsafePointer<T>,
        eps: UnsafePointer<T>?, kl: UnsafePointer<T>, preAlpha o: UnsafePointer<T>, bound: T, accumulate: Bool,
        dInput: UnsafeMutablePointer<T>, dPreAlpha: UnsafeMutablePointer<T>
    ) {
        var start = 0
        if T.self == Float.self {
            typealias V = SIMD8<Float>
            let upper = V(repeating: Float(bound)), lower = -upper
            while start + 8 <= count {
                let i = start
                let a = Self.load(alpha, i), d = Self.load(dNoisy, i), oi = Self.load(o, i)
                let noiseFactor = eps.map { 1 + Self.load($0, i) } ?? V(repeating: 1)
                let dx = d * a * noiseFactor
                Self.store(accumulate ? Self.load(dInput, i) + dx : dx, dInput, i)
                let dAlpha = d * Self.load(input, i) * noiseFactor + Self.load(kl, i)
                Self.store(V.zero.replacing(with: dAlpha * a, where: (oi .< upper) .& (oi .> lower)), dPreAlpha, i)
                start += 8
            }
        }
        for i in start..<count {
            let noiseFactor = eps.map { 1 + $0[i] } ?? 1
            let dx = dNoisy[i] * alpha[i] * noiseFactor
            dInput[i] = accumulate ? dInput[i] + dx : dx
            let dAlpha = dNoisy[i] * input[i] * noiseFactor + kl[i]
            dPreAlpha[i] = abs(o[i]) < bound ? dAlpha * alpha[i] : 0
        }
    }

    /// `into[j] += Σ_r m[r, j]` (on one thread: halved on two, both threads stream the whole matrix, and it took
    /// 2.5 times as long).
    private func columnSums(_ m: UnsafePointer<T>, rows: Int, cols: Int, into: UnsafeMutablePointer<T>) {
        for r in 0..<rows {
            let row = m + r * cols
            for j in 0..<cols { into[j] += row[j] }
        }
    }
}

/// Carries the split's closure into `concurrentPerform`.
private struct UncheckedJob: @unchecked Sendable {
    // Unchecked: the two halves touch disjoint rows or columns of the graph's buffers, and the caller waits for both.
    let body: (Int, Int) -> Void
    let count: Int
}
