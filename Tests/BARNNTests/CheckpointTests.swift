import Testing

@testable import BARNN

@Suite struct CheckpointTests {
    let model = BARNNModel(configuration: BARNNConfiguration(hiddenSize: 8, embeddingSize: 4, alphaWidth: 6), seed: 3)

    @Test func roundTripIsBitExact() throws {
        let bytes = Checkpoint.encode(model)
        let decoded = try Checkpoint.decode(bytes, expected: model.configuration)
        #expect(decoded.configuration == model.configuration)
        #expect(decoded.parameters.map(\.bitPattern) == model.parameters.map(\.bitPattern))
        #expect(Checkpoint.encode(decoded) == bytes)
    }

    @Test(arguments: [0, 4, 8, 11, 16, 40, 200, -5, -1])
    func truncationIsRejected(cut: Int) {
        let bytes = Checkpoint.encode(model)
        let length = cut >= 0 ? cut : bytes.count + cut
        #expect {
            try Checkpoint.decode(Array(bytes[0..<length]))
        } throws: { error in
            guard case .truncated = error as? CheckpointError else { return false }
            return true
        }
    }

    @Test func flippedPayloadByteFailsTheChecksum() {
        var bytes = Checkpoint.encode(model)
        bytes[bytes.count - 40] ^= 0x10
        #expect {
            try Checkpoint.decode(bytes)
        } throws: { error in
            guard case .checksumMismatch = error as? CheckpointError else { return false }
            return true
        }
    }

    @Test func flippedChecksumByteFailsTheChecksum() {
        var bytes = Checkpoint.encode(model)
        bytes[bytes.count - 1] ^= 0x01
        #expect(throws: CheckpointError.self) { try Checkpoint.decode(bytes) }
        #expect(checkpointError(bytes).map { if case .checksumMismatch = $0 { true } else { false } } == true)
    }

    @Test func wrongMagicIsRejected() {
        var bytes = Checkpoint.encode(model)
        bytes[0] = UInt8(ascii: "X")
        #expect(checkpointError(bytes) == .badMagic)
    }

    @Test func wrongVersionIsRejected() {
        let bytes = Checkpoint.encode(
            configuration: model.configuration, tensors: model.layout.tensors.map { ($0.name, $0.rows, $0.cols) },
            parameters: model.parameters, version: Checkpoint.formatVersion + 1)
        #expect(checkpointError(bytes) == .unsupportedVersion(Checkpoint.formatVersion + 1))
    }

    @Test func shapeMismatchNamesTheTensor() {
        var tensors = model.layout.tensors.map { ($0.name, $0.rows, $0.cols) }
        let index = tensors.firstIndex { $0.0 == "Whh" }!
        tensors[index] = ("Whh", 8, 25)
        let bytes = Checkpoint.encode(
            configuration: model.configuration, tensors: tensors, parameters: model.parameters)
        #expect(checkpointError(bytes) == .shapeMismatch(tensor: "Whh", expected: [8, 24], found: [8, 25]))
    }

    @Test func parameterCountMismatchIsRejected() {
        let tensors = model.layout.tensors.map { ($0.name, $0.rows, $0.cols) }
        let bytes = Checkpoint.encode(
            configuration: model.configuration, tensors: tensors, parameters: Array(model.parameters.dropLast()))
        #expect(
            checkpointError(bytes)
                == .shapeMismatch(
                    tensor: "parameters", expected: [model.parameters.count], found: [model.parameters.count - 1]))
    }

    @Test func absurdHeaderSizeIsRejectedBeforeAllocating() {
        var bytes = Checkpoint.encode(model)
        bytes[12...15] = [0xFF, 0xFF, 0xFF, 0x7F]
        #expect(checkpointError(bytes) == .headerTooLarge(0x7FFF_FFFF))
    }

    @Test func otherConfigurationIsRejectedWhenOneIsExpected() {
        let bytes = Checkpoint.encode(model)
        var other = model.configuration
        other.hiddenSize = 16
        #expect(
            checkpointError(bytes, expected: other)
                == .configurationMismatch(expected: other, found: model.configuration))
    }

    @Test func trailingBytesAreRejected() {
        let bytes = Checkpoint.encode(model) + [0]
        #expect(checkpointError(bytes) == .trailingBytes(1))
    }

    @Test func nonFiniteParameterIsRejected() {
        var parameters = model.parameters
        parameters[5] = .nan
        let bytes = Checkpoint.encode(
            configuration: model.configuration, tensors: model.layout.tensors.map { ($0.name, $0.rows, $0.cols) },
            parameters: parameters)
        #expect(checkpointError(bytes) == .nonFiniteParameter(index: 5))
    }

    @Test func errorsDescribeTheProblem() {
        #expect(CheckpointError.badMagic.description.contains("magic"))
        #expect("\(CheckpointError.shapeMismatch(tensor: "Wo", expected: [1, 2], found: [2, 2]))".contains("Wo"))
    }

    private func checkpointError(_ bytes: [UInt8], expected: BARNNConfiguration? = nil) -> CheckpointError? {
        do {
            _ = try Checkpoint.decode(bytes, expected: expected)
            return nil
        } catch {
            return error
        }
    }
}
