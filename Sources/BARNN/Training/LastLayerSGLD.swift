import Foundation

/// The Langevin phase of `Posterior.sgld`: after the deterministic fit, particles of the head θ = (Wo, bo) are
/// drawn from p(θ | data) ∝ exp(−U(θ)) with the GRU frozen, so only the head's [N, H] hidden states enter, computed
/// once.
///
/// U(θ) = Σᵢ nllᵢ(θ) + |θ|²/(2σ²) over the N counted training targets, with σ = 1 (`priorVariance`). Each step
/// estimates ∇U from a minibatch of m rows scaled by N/m and moves C = 4 chains by preconditioned SGLD (Li et al.
/// 2016, without the Γ correction): V ← a·V + (1 − a)·g², G = 1/(√V + λ), θ ← θ − (η/2)·G·g + √(η·G)·ξ. The chains
/// start at the fitted head, run `burnIn` steps, then each contributes one particle every `thinning` steps, so K
/// particles need `burnIn + (K/C)·thinning` steps and the first K of a longer run are exactly a K run.
/// K (from `particleGrid`), η (from `stepSizeGrid`) and the thinning (from `thinningGrid`) are chosen by the
/// mixture's NLL on the validation tail, −mean log((1/K)·Σₖ p(y | θₖ)); among choices within `tolerance` nats of the
/// best the smallest K wins, then the smallest NLL.
enum LastLayerSGLD {
    /// Particle counts K tried on the validation tail.
    static let particleGrid = [8, 16, 32]
    /// Step sizes η tried; with the RMS preconditioner a step moves each weight by about η/2.
    static let stepSizeGrid: [Double] = [1e-3, 3e-3, 1e-2, 3e-2]
    /// Parallel chains C (each contributes K/C particles).
    static let chains = 4
    /// Steps before a chain's first particle.
    static let burnIn = 200
    /// Steps between two particles of one chain tried: nearly independent draws against a longer run.
    static let thinningGrid = [10, 25]
    /// Rows per gradient estimate.
    static let minibatch = 256
    /// Variance σ² of the zero-mean Gaussian prior on the head's weights.
    static let priorVariance = 1.0
    /// RMS decay a and floor λ of the preconditioner.
    static let rmsDecay = 0.99, rmsFloor = 1e-8
    /// Validation NLL differences (nats per target) below which the smaller particle count is preferred.
    static let tolerance = 1e-3

    /// Counted rows of the frozen network: hidden states [N, H] and the scaled target increments [N].
    struct Rows {
        var hidden: [Float] = []
        var targets: [Float] = []
        var count: Int { targets.count }
    }

    /// What the validation chose.
    struct Selection {
        var particles: [[Double]]
        var stepSize: Double
        var thinning: Int
        var validationNLL: Double
        var pointValidationNLL: Double
    }

    /// −log p(y | μ, log σ²) for the head's Gaussian (ν = 0) or Student-t, and its derivatives in μ and the raw
    /// log-variance (zero beyond the clamp, as in training).
    static func nll(
        mu: Double, rawLogVariance raw: Double, y: Double, degrees: Int
    )
        -> (value: Double, dMu: Double, dLogVariance: Double)
    {
        let bound = Double(BARNNModel.logVarianceBound)
        let lv = min(max(raw, -bound), bound), inside = abs(raw) < bound
        let invVar = exp(-lv), d = y - mu
        if degrees > 0 {
            let nu = Double(degrees), q = d * d * invVar / nu
            let value = lv / 2 + (nu + 1) / 2 * log1p(q) + BARNNModel.studentLogNormaliser(degrees: degrees)
            return (value, -(nu + 1) * d * invVar / (nu * (1 + q)), inside ? (1 - (nu + 1) * q / (1 + q)) / 2 : 0)
        }
        let value = (lv + d * d * invVar) / 2 + log(2 * Double.pi) / 2
        return (value, -d * invVar, inside ? (1 - d * d * invVar) / 2 : 0)
    }

    /// U(θ) with the data term over `indices` scaled by `total / indices.count`; adds ∇U into `gradient`.
    static func potential(
        _ theta: [Double], rows: Rows, indices: [Int], total: Int, hiddenSize nH: Int, degrees: Int,
        gradient: inout [Double]
    ) -> Double {
        let scale = Double(total) / Double(max(indices.count, 1))
        var value = 0.0
        for j in theta.indices {
            value += theta[j] * theta[j] / (2 * priorVariance)
            gradient[j] += theta[j] / priorVariance
        }
        rows.hidden.withUnsafeBufferPointer { hidden in
            for i in indices {
                let h = hidden.baseAddress! + i * nH
                var mu = theta[2 * nH], lv = theta[2 * nH + 1]
                for j in 0..<nH {
                    mu += Double(h[j]) * theta[2 * j]
                    lv += Double(h[j]) * theta[2 * j + 1]
                }
                let loss = nll(mu: mu, rawLogVariance: lv, y: Double(rows.targets[i]), degrees: degrees)
                value += scale * loss.value
                let dMu = scale * loss.dMu, dLv = scale * loss.dLogVariance
                for j in 0..<nH {
                    gradient[2 * j] += dMu * Double(h[j])
                    gradient[2 * j + 1] += dLv * Double(h[j])
                }
                gradient[2 * nH] += dMu
                gradient[2 * nH + 1] += dLv
            }
        }
        return value
    }

    /// Runs the chains at step size η from `start` and returns `count` particles in draw order (step, then chain).
    static func sample(
        from start: [Double], rows: Rows, stepSize eta: Double, thinning: Int, count: Int, hiddenSize nH: Int,
        degrees: Int, rng: inout SeededRNG
    ) -> [[Double]] {
        let width = start.count, m = min(minibatch, rows.count)
        var theta = [[Double]](repeating: start, count: chains)
        var meanSquare = [[Double]](repeating: [], count: chains)
        var particles: [[Double]] = []
        var indices = [Int](repeating: 0, count: m)
        var gradient = [Double](repeating: 0, count: width)
        var normals = [Float](repeating: 0, count: width)
        let perChain = (count + chains - 1) / chains
        let steps = burnIn + perChain * thinning
        for step in 1...steps {
            for c in 0..<chains {
                for i in 0..<m { indices[i] = Int(rng.next() % UInt64(rows.count)) }
                for j in 0..<width { gradient[j] = 0 }
                _ = potential(
                    theta[c], rows: rows, indices: indices, total: rows.count, hiddenSize: nH, degrees: degrees,
                    gradient: &gradient)
                // The first gradient seeds the RMS estimate, so the first steps are not taken with G = 1/λ.
                if meanSquare[c].isEmpty { meanSquare[c] = gradient.map { $0 * $0 } }
                normals.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
                for j in 0..<width {
                    meanSquare[c][j] = rmsDecay * meanSquare[c][j] + (1 - rmsDecay) * gradient[j] * gradient[j]
                    let g = 1 / (meanSquare[c][j].squareRoot() + rmsFloor)
                    theta[c][j] += -eta / 2 * g * gradient[j] + (eta * g).squareRoot() * Double(normals[j])
                }
            }
            if step > burnIn && (step - burnIn) % thinning == 0 {
                particles.append(contentsOf: theta)
            }
        }
        return Array(particles.prefix(count))
    }

    /// Log-likelihoods [K][N] of each particle on every row.
    static func logLikelihoods(_ particles: [[Double]], rows: Rows, hiddenSize nH: Int, degrees: Int) -> [[Double]] {
        particles.map { theta in
            rows.hidden.withUnsafeBufferPointer { hidden in
                (0..<rows.count).map { i in
                    let h = hidden.baseAddress! + i * nH
                    var mu = theta[2 * nH], lv = theta[2 * nH + 1]
                    for j in 0..<nH {
                        mu += Double(h[j]) * theta[2 * j]
                        lv += Double(h[j]) * theta[2 * j + 1]
                    }
                    return -nll(mu: mu, rawLogVariance: lv, y: Double(rows.targets[i]), degrees: degrees).value
                }
            }
        }
    }

    /// −mean over rows of log((1/K)·Σₖ exp(ℓₖᵢ)) for the first K rows of `logLikelihoods`.
    static func mixtureNLL(_ logLikelihoods: [[Double]], first k: Int) -> Double {
        guard let n = logLikelihoods.first?.count, n > 0, k > 0 else { return .nan }
        var total = 0.0
        for i in 0..<n {
            var peak = -Double.infinity
            for p in 0..<k { peak = max(peak, logLikelihoods[p][i]) }
            var sum = 0.0
            for p in 0..<k { sum += exp(logLikelihoods[p][i] - peak) }
            total += peak + log(sum) - log(Double(k))
        }
        return -total / Double(n)
    }

    /// Draws the particles for each candidate (η, K) and keeps the one the validation rows prefer.
    ///
    /// - Parameters:
    ///   - head: the fitted head, Wo row-major then bo (2H + 2 values).
    ///   - particles, stepSize: fixed values, or 0 to choose from the grids.
    static func select(
        head: [Double], training: Rows, validation: Rows, hiddenSize nH: Int, degrees: Int, particles fixedK: Int,
        stepSize fixedEta: Double, seed: UInt64
    ) -> Selection {
        let counts = fixedK > 0 ? [fixedK] : particleGrid
        let etas = fixedEta > 0 ? [fixedEta] : stepSizeGrid
        let pointNLL =
            -(logLikelihoods([head], rows: validation, hiddenSize: nH, degrees: degrees).first?
            .reduce(0, +) ?? .nan) / Double(max(validation.count, 1))
        var candidates: [(nll: Double, k: Int, eta: Double, thinning: Int, particles: [[Double]])] = []
        for thinning in thinningGrid {
            for eta in etas {
                // The same seed for every candidate: they differ by their settings only (common random numbers).
                var rng = SeededRNG(seed: seed, stream: 0x561D)
                let drawn = sample(
                    from: head, rows: training, stepSize: eta, thinning: thinning, count: counts.max()!,
                    hiddenSize: nH, degrees: degrees, rng: &rng)
                let ll = logLikelihoods(drawn, rows: validation, hiddenSize: nH, degrees: degrees)
                for k in counts {
                    let score = mixtureNLL(ll, first: k)
                    candidates.append((score.isFinite ? score : .infinity, k, eta, thinning, Array(drawn.prefix(k))))
                }
            }
        }
        let best = candidates.map(\.nll).min() ?? .infinity
        let chosen =
            candidates.filter { $0.nll <= best + tolerance }
            .min { ($0.k, $0.nll) < ($1.k, $1.nll) } ?? candidates[0]
        return Selection(
            particles: chosen.particles, stepSize: chosen.eta, thinning: chosen.thinning, validationNLL: chosen.nll,
            pointValidationNLL: pointNLL)
    }
}
