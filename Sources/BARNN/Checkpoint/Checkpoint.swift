import Formats

/// The versioned, little-endian checkpoint format of a `BARNNModel`.
///
/// Layout: magic `BARNNCKP` (8 bytes) · format version u32 · header size u32 · header · parameter count
/// u64 · parameters (f32 each) · CRC-32 (IEEE) u32 over every byte before it. The header holds the
/// configuration (hidden, embedding, α width, time features as u32; β and the log-α bound as f32; from version 2
/// the level window u32, the Student-t degrees u32 (0 = Gaussian) and the calendar: component count u32, then per
/// component its code u32 and period u32; from version 3 the posterior: code u32, then its parameters: 0 = BARNN and
/// 1 = MC dropout a rate f32 (0 for BARNN), 2 = Bayes by Backprop its prior's π, σ₁, σ₂ f32, 3 = SGLD the step size
/// f32 and the particle count K u32; from version 4 the seasonal-naive input's period m u32, 0 = none) and
/// the tensor table (count u32, then per tensor: name length u16, UTF-8 name, rows u32, cols u32), so a file
/// whose shapes disagree with its configuration is rejected by name rather than loaded wrongly.
///
/// Version 1 files (before the level context and recorded calendars) still decode: as models without level context
/// whose time features are hour of day and day of week, which is what they were trained with. A BARNN model is
/// still written as version 2 (its posterior is implied), so older builds keep reading BARNN checkpoints; only
/// another posterior needs version 3, and only a seasonal-naive input version 4.
public enum Checkpoint {
    /// The newest format version `decode` reads (it reads every version from 1).
    public static let formatVersion: UInt32 = 4
    /// Calendars with more components than this are rejected before anything is allocated.
    static let maximumCalendarComponents = 64
    /// SGLD models with more particles than this are rejected before anything is allocated.
    static let maximumParticles = 4096
    /// Seasonal periods beyond this (steps) are rejected: a stream keeps m values for the seasonal input.
    public static let maximumSeasonalLag = 100_000
    /// Headers beyond this size are rejected before anything is allocated.
    public static let maximumHeaderSize = 1 << 16
    static let magic: [UInt8] = Array("BARNNCKP".utf8)

    /// The model as checkpoint bytes.
    public static func encode(_ model: BARNNModel) -> [UInt8] {
        encode(
            configuration: model.configuration, tensors: model.layout.tensors.map { ($0.name, $0.rows, $0.cols) },
            parameters: model.parameters,
            version: model.configuration.hasSeasonalInput ? 4 : model.configuration.posterior == .barnn ? 2 : 3)
    }

    /// Encodes with an explicit tensor table (tests use it to write mismatched files with valid checksums).
    static func encode(
        configuration c: BARNNConfiguration, tensors: [(String, Int, Int)], parameters: [Float],
        version: UInt32 = formatVersion
    ) -> [UInt8] {
        var header = ByteWriter()
        for v in [c.hiddenSize, c.embeddingSize, c.alphaWidth, c.timeFeatures] { header.u32(UInt32(v)) }
        header.u32(c.beta.bitPattern)
        header.u32(c.logAlphaBound.bitPattern)
        if version >= 2 {
            header.u32(UInt32(c.levelWindow))
            header.u32(UInt32(c.studentDegrees))
            header.u32(UInt32(c.calendar.components.count))
            for component in c.calendar.components {
                let (code, period) = componentCode(component)
                header.u32(code)
                header.u32(period)
            }
        }
        if version >= 3 {
            switch c.posterior {
            case .barnn:
                header.u32(0)
                header.u32(Float(0).bitPattern)
            case .mcDropout(let rate):
                header.u32(1)
                header.u32(rate.bitPattern)
            case .bbb(let prior):
                header.u32(2)
                header.u32(prior.pi.bitPattern)
                header.u32(prior.sigma1.bitPattern)
                header.u32(prior.sigma2.bitPattern)
            case .sgld(let particles, let stepSize):
                header.u32(3)
                header.u32(stepSize.bitPattern)
                header.u32(UInt32(clamping: particles))
            }
        }
        if version >= 4 { header.u32(UInt32(clamping: c.seasonalLag)) }
        header.u32(UInt32(tensors.count))
        for (name, rows, cols) in tensors {
            let utf8 = Array(name.utf8)
            header.u16(UInt16(utf8.count))
            header.bytes.append(contentsOf: utf8)
            header.u32(UInt32(rows))
            header.u32(UInt32(cols))
        }
        var out = ByteWriter()
        out.bytes = magic
        out.u32(version)
        out.u32(UInt32(header.bytes.count))
        out.bytes.append(contentsOf: header.bytes)
        out.u64(UInt64(parameters.count))
        out.bytes.reserveCapacity(out.bytes.count + 4 * parameters.count + 4)
        for p in parameters { out.u32(p.bitPattern) }
        out.u32(CRC32.checksum(out.bytes[...]))
        return out.bytes
    }

    /// The on-disk code and period of a calendar component (the period is 0 where it has none).
    static func componentCode(_ component: CalendarComponent) -> (UInt32, UInt32) {
        switch component {
        case .hourOfDay: (1, 0)
        case .dayOfWeek: (2, 0)
        case .dayOfYear: (3, 0)
        case .seasonIndex(let period): (4, UInt32(clamping: period))
        }
    }

    /// The calendar component of an on-disk code, nil for an unknown one.
    static func component(code: UInt32, period: UInt32) -> CalendarComponent? {
        switch (code, period) {
        case (1, 0): .hourOfDay
        case (2, 0): .dayOfWeek
        case (3, 0): .dayOfYear
        case (4, 1...(1 << 20)): .seasonIndex(period: Int(period))
        default: nil
        }
    }

    /// Decodes a model; every defect becomes a distinct `CheckpointError`, never a trap.
    ///
    /// - Parameter expected: if given, a valid checkpoint for another configuration is rejected.
    public static func decode(
        _ bytes: [UInt8], expected: BARNNConfiguration? = nil
    ) throws(CheckpointError) -> BARNNModel {
        var r = ByteReader(bytes: bytes)
        guard bytes.count >= magic.count else { throw .truncated(needed: magic.count, available: bytes.count) }
        guard Array(bytes[0..<magic.count]) == magic else { throw .badMagic }
        r.offset = magic.count
        let version = try r.u32()
        guard (1...formatVersion).contains(version) else { throw .unsupportedVersion(version) }
        let headerSize = Int(try r.u32())
        guard headerSize <= maximumHeaderSize else { throw .headerTooLarge(headerSize) }
        guard r.offset + headerSize <= bytes.count else {
            throw .truncated(needed: r.offset + headerSize, available: bytes.count)
        }
        let headerEnd = r.offset + headerSize
        var dims: [Int] = []
        for _ in 0..<4 { dims.append(Int(try r.u32())) }
        let beta = Float(bitPattern: try r.u32()), bound = Float(bitPattern: try r.u32())
        guard dims[0...2].allSatisfy({ (1...65_536).contains($0) }), (0...4096).contains(dims[3]) else {
            throw .invalidHeader("dimensions \(dims) out of range")
        }
        guard beta.isFinite, bound.isFinite, bound > 0 else {
            throw .invalidHeader("β \(beta) or log-α bound \(bound)")
        }
        var levelWindow = 0, studentDegrees = 0
        var calendar = CalendarFeatures.hourAndWeek
        if version >= 2 {
            levelWindow = Int(try r.u32())
            guard levelWindow <= 1 << 24 else { throw .invalidHeader("level window \(levelWindow) out of range") }
            studentDegrees = Int(try r.u32())
            guard studentDegrees == 0 || (3...100).contains(studentDegrees) else {
                throw .invalidHeader("Student-t degrees \(studentDegrees) out of range")
            }
            let count = Int(try r.u32())
            guard count <= maximumCalendarComponents else {
                throw .invalidHeader("\(count) calendar components")
            }
            var components: [CalendarComponent] = []
            for _ in 0..<count {
                let code = try r.u32(), period = try r.u32()
                guard let component = component(code: code, period: period) else {
                    throw .invalidHeader("calendar component \(code) with period \(period)")
                }
                components.append(component)
            }
            calendar = CalendarFeatures(components)
        }
        var posterior = Posterior.barnn
        if version >= 3 {
            let code = try r.u32(), rate = Float(bitPattern: try r.u32())
            switch code {
            case 0: posterior = .barnn
            case 1:
                guard rate > 0, rate < 1 else { throw .invalidHeader("dropout rate \(rate) outside (0, 1)") }
                posterior = .mcDropout(rate: rate)
            case 2:
                let sigma1 = Float(bitPattern: try r.u32()), sigma2 = Float(bitPattern: try r.u32())
                guard rate > 0, rate < 1, sigma1.isFinite, sigma1 > 0, sigma2.isFinite, sigma2 > 0 else {
                    throw .invalidHeader("scale-mixture prior π \(rate), σ₁ \(sigma1), σ₂ \(sigma2)")
                }
                posterior = .bbb(prior: ScaleMixturePrior(pi: rate, sigma1: sigma1, sigma2: sigma2))
            case 3:
                let particles = Int(try r.u32())
                guard rate.isFinite, rate > 0 else { throw .invalidHeader("SGLD step size \(rate)") }
                guard (1...maximumParticles).contains(particles) else {
                    throw .invalidHeader("\(particles) SGLD particles")
                }
                posterior = .sgld(particles: particles, stepSize: rate)
            default: throw .invalidHeader("unknown posterior code \(code)")
            }
        }
        var seasonalLag = 0
        if version >= 4 {
            seasonalLag = Int(try r.u32())
            guard seasonalLag <= maximumSeasonalLag else {
                throw .invalidHeader("seasonal lag \(seasonalLag) out of range")
            }
        }
        let configuration = BARNNConfiguration(
            hiddenSize: dims[0], embeddingSize: dims[1], alphaWidth: dims[2], timeFeatures: dims[3], beta: beta,
            logAlphaBound: bound, levelWindow: levelWindow, calendar: calendar, studentDegrees: studentDegrees,
            posterior: posterior, seasonalLag: seasonalLag)
        let layout = ParameterLayout(configuration)
        let tensorCount = Int(try r.u32())
        guard tensorCount == layout.tensors.count else {
            throw .invalidHeader("\(tensorCount) tensors, the configuration has \(layout.tensors.count)")
        }
        for expectedTensor in layout.tensors {
            let nameLength = Int(try r.u16())
            guard r.offset + nameLength <= headerEnd else { throw .invalidHeader("tensor name runs past the header") }
            let name = String(decoding: bytes[r.offset..<(r.offset + nameLength)], as: UTF8.self)
            r.offset += nameLength
            let rows = Int(try r.u32()), cols = Int(try r.u32())
            guard name == expectedTensor.name, rows == expectedTensor.rows, cols == expectedTensor.cols else {
                throw .shapeMismatch(
                    tensor: name == expectedTensor.name ? name : "\(name) (expected \(expectedTensor.name))",
                    expected: [expectedTensor.rows, expectedTensor.cols], found: [rows, cols])
            }
        }
        guard r.offset == headerEnd else {
            throw .invalidHeader("header size \(headerSize) disagrees with its content")
        }
        let count = try r.u64()
        guard count == UInt64(layout.count) else {
            throw .shapeMismatch(tensor: "parameters", expected: [layout.count], found: [Int(clamping: count)])
        }
        let payloadEnd = r.offset + 4 * layout.count
        guard payloadEnd + 4 <= bytes.count else { throw .truncated(needed: payloadEnd + 4, available: bytes.count) }
        let computed = CRC32.checksum(bytes[0..<payloadEnd])
        var tail = ByteReader(bytes: bytes, offset: payloadEnd)
        let stored = try tail.u32()
        guard stored == computed else { throw .checksumMismatch(stored: stored, computed: computed) }
        guard tail.offset == bytes.count else { throw .trailingBytes(bytes.count - tail.offset) }
        var parameters = [Float](repeating: 0, count: layout.count)
        for i in 0..<layout.count {
            let v = Float(bitPattern: try r.u32())
            guard v.isFinite else { throw .nonFiniteParameter(index: i) }
            parameters[i] = v
        }
        if let expected, !expected.accepts(configuration) {
            throw .configurationMismatch(expected: expected, found: configuration)
        }
        return BARNNModel(configuration: configuration, parameters: parameters)
    }
}

/// Little-endian writer.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u16(_ v: UInt16) { bytes.append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
    mutating func u32(_ v: UInt32) { for k in 0..<4 { bytes.append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) } }
    mutating func u64(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8((v >> (8 * UInt64(k))) & 0xFF)) } }
}

/// Bounds-checked little-endian reader: running past the end throws `.truncated`.
struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func take(_ n: Int) throws(CheckpointError) -> ArraySlice<UInt8> {
        guard offset + n <= bytes.count else { throw .truncated(needed: offset + n, available: bytes.count) }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }
    mutating func u16() throws(CheckpointError) -> UInt16 {
        try take(2).reversed().reduce(0) { $0 << 8 | UInt16($1) }
    }
    mutating func u32() throws(CheckpointError) -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
    mutating func u64() throws(CheckpointError) -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
