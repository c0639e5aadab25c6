/// Preallocated buffers for inference on up to `rows` rows (streams × paths); reuse one per thread.
///
/// Buffers grow when a call needs more rows or horizon steps and are reused afterwards, so a steady
/// sampling loop allocates nothing per step. Not thread-safe: one workspace per thread.
public final class BARNNWorkspace {
    private(set) var rows = 0
    private(set) var horizon = 0
    /// The model shapes the buffers are sized for.
    public let configuration: BARNNConfiguration
    var storage: UnsafeMutablePointer<Float>
    var storageCount = 0
    // Views into `storage` (see `Network` for shapes).
    var x, e, ax1, ox, alx, et, gx, hin, ah1, oh, alh, ht, gh, gates, h0, h1, out, eps, offsets, paths,
        scratch, levelMeans: UnsafeMutablePointer<Float>

    /// An empty workspace for models of `configuration`'s shapes.
    public init(configuration: BARNNConfiguration) {
        self.configuration = configuration
        storage = .allocate(capacity: 1)
        x = storage
        e = storage
        ax1 = storage
        ox = storage
        alx = storage
        et = storage
        gx = storage
        hin = storage
        ah1 = storage
        oh = storage
        alh = storage
        ht = storage
        gh = storage
        gates = storage
        h0 = storage
        h1 = storage
        out = storage
        eps = storage
        offsets = storage
        paths = storage
        scratch = storage
        levelMeans = storage
    }

    /// Per-path values of one (stream, step) while quantiles are taken; grows with the path count.
    var sortBuffer: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private var sortCapacity = 1
    /// Extra workspaces for sampling threads beyond the caller's (index 0 is `self`).
    private var extraWorkers: [BARNNWorkspace] = []
    /// Benchmark hook: when on, forwards add the time spent in the two gate matmuls to `gateTime`.
    package var profileGates = false {
        didSet { for w in extraWorkers { w.profileGates = profileGates } }
    }
    let gateTimePointer: UnsafeMutablePointer<Duration> = {
        let p = UnsafeMutablePointer<Duration>.allocate(capacity: 1)
        p.initialize(to: .zero)
        return p
    }()
    /// Gate-matmul time accumulated by this workspace and its workers while `profileGates` is on.
    package var gateTime: Duration {
        get { extraWorkers.reduce(gateTimePointer.pointee) { $0 + $1.gateTimePointer.pointee } }
        set {
            gateTimePointer.pointee = newValue
            for w in extraWorkers { w.gateTimePointer.pointee = .zero }
        }
    }

    /// Bayes by Backprop's row grouping scratch: [R, max(E, H)] inputs, then [R, G3] outputs. Kept apart from `storage`
    /// and grown on first use, so other posteriors never allocate it whatever the workspace was built for.
    private var groupStorage: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private var groupCapacity = 1

    /// The grouping scratch for `rows` rows: (gather, scatter).
    func groupBuffers(rows: Int) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
        let c = configuration
        let width = max(c.embeddingSize, c.hiddenSize), need = rows * (width + c.gateSize)
        if need > groupCapacity {
            groupStorage.deallocate()
            groupStorage = .allocate(capacity: need)
            groupStorage.initialize(repeating: 0, count: need)
            groupCapacity = need
        }
        return (groupStorage, groupStorage + rows * width)
    }

    deinit {
        groupStorage.deallocate()
        storage.deallocate()
        sortBuffer.deallocate()
        gateTimePointer.deallocate()
    }

    /// This workspace followed by `count − 1` others, created once and kept for later calls.
    func workers(_ count: Int) -> [BARNNWorkspace] {
        while extraWorkers.count < count - 1 {
            let worker = BARNNWorkspace(configuration: configuration)
            worker.profileGates = profileGates
            extraWorkers.append(worker)
        }
        return [self] + extraWorkers.prefix(count - 1)
    }

    /// Makes room for `rows` rows and `horizon` steps (allocates only when growing).
    func reserve(rows needRows: Int, horizon needHorizon: Int) {
        if needRows > sortCapacity {
            sortBuffer.deallocate()
            sortBuffer = .allocate(capacity: needRows)
            sortCapacity = needRows
        }
        guard needRows > rows || needHorizon > horizon else { return }
        let r = max(needRows, rows), hz = max(needHorizon, horizon)
        let c = configuration
        let nI = c.inputSize, nE = c.embeddingSize, nA = c.alphaWidth, nH = c.hiddenSize, nG = c.gateSize
        let nF = c.timeFeatures
        // Each view padded to a multiple of 16 floats so SIMD loads of whole rows stay in bounds.
        let sizes = [
            r * nI, r * nE, r * nA, r * nE, r * nE, r * nE, r * nG, r * (nH + nF), r * nA, r * nH, r * nH, r * nH,
            r * nG, r * nG, r * nH, r * nH, r * 2, r * (nE + nH + 1), r, r * hz, max(r, 64), r,
        ].map { ($0 + 15) / 16 * 16 }
        storage.deallocate()
        storageCount = sizes.reduce(0, +)
        storage = .allocate(capacity: storageCount)
        storage.initialize(repeating: 0, count: storageCount)
        var cursor = storage
        func take(_ k: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += sizes[k] }
            return cursor
        }
        x = take(0)
        e = take(1)
        ax1 = take(2)
        ox = take(3)
        alx = take(4)
        et = take(5)
        gx = take(6)
        hin = take(7)
        ah1 = take(8)
        oh = take(9)
        alh = take(10)
        ht = take(11)
        gh = take(12)
        gates = take(13)
        h0 = take(14)
        h1 = take(15)
        out = take(16)
        eps = take(17)
        offsets = take(18)
        paths = take(19)
        scratch = take(20)
        levelMeans = take(21)
        rows = r
        horizon = hz
    }
}
