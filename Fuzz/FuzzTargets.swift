import Configuration
import Engine
import Ingest
import MQTT

/// The fuzz targets: each takes one input and either returns or traps on a broken property. A trap (or a sanitizer
/// report) is the finding. Every target first checks that the input cannot crash barnnd, then a property that a
/// crash-free but wrong answer would break.
enum FuzzTargets {
    /// The targets by name, as `Scripts/fuzz.sh` and `FUZZ_TARGET` call them.
    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "payload": payload, "topic": topic, "config": config, "state": state,
    ]

    // MARK: payload

    /// The three payload formats behind three rules; the first input byte picks the rule, the rest is the payload.
    private static let ingestor: Ingestor = {
        let text = """
            [[rules]]
            name = "number"
            topic = "f/n/+"
            stream = "{1}"
            [rules.payload]
            format = "number"

            [[rules]]
            name = "json"
            topic = "f/j/+"
            stream = "{1}"
            [rules.payload]
            format = "json"
            value_path = "reading.value"
            time_path = "reading.time"

            [[rules]]
            name = "senml"
            topic = "f/s/+"
            stream = "{1}/{name}"
            [rules.payload]
            format = "senml"
            """
        do {
            return try Ingestor(configuration: DaemonConfiguration(toml: text))
        } catch {
            fatalError("the fuzz configuration is invalid: \(error)")
        }
    }()

    /// Property: every message ends in readings or a reject, and every reading has a finite time.
    static func payload(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let topic = ["f/n/x", "f/j/x", "f/s/x"][Int(selector % 3)]
        let output = ingestor.ingest(topic: topic, payload: Array(input.dropFirst()), arrivalTime: 1.7e9)
        precondition(!output.readings.isEmpty || !output.rejects.isEmpty, "a message vanished: no reading, no reject")
        for reading in output.readings { precondition(reading.time.isFinite, "a reading with time \(reading.time)") }
    }

    // MARK: topic

    /// Input: byte 0 is the filter's length, then the filter, then the topic. Property: a valid filter matches
    /// exactly the topics a byte-level reference matcher (MQTT §4.7) says it matches.
    static func topic(_ input: [UInt8]) {
        guard let length = input.first.map(Int.init), input.count > length else { return }
        let filterBytes = Array(input[1..<(1 + length)])
        let topicBytes = Array(input[(1 + length)...])
        guard let filterText = String(validating: filterBytes, as: UTF8.self),
            let topicText = String(validating: topicBytes, as: UTF8.self),
            (try? TopicFilter.validateTopicName(topicText)) != nil
        else { return }
        guard let filter = try? TopicFilter(filterText) else {
            precondition(!referenceValidFilter(filterBytes), "a valid filter was refused: \(filterBytes)")
            return
        }
        precondition(referenceValidFilter(filterBytes), "an invalid filter was accepted: \(filterBytes)")
        let expected = referenceMatches(filter: filterBytes, topic: topicBytes)
        precondition(filter.matches(topicText) == expected, "filter \(filterBytes) vs topic \(topicBytes)")
    }

    private static let slash = UInt8(ascii: "/")
    private static let plus = UInt8(ascii: "+")
    private static let hash = UInt8(ascii: "#")

    private static func levels(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: slash, omittingEmptySubsequences: false)
    }

    private static func referenceValidFilter(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, !bytes.contains(0) else { return false }
        let parts = levels(bytes)
        for (index, level) in parts.enumerated() {
            if level.contains(plus), level.count != 1 { return false }
            if level.contains(hash), level.count != 1 || index != parts.count - 1 { return false }
        }
        return true
    }

    private static func referenceMatches(filter: [UInt8], topic: [UInt8]) -> Bool {
        let filterLevels = levels(filter)
        let topicLevels = levels(topic)
        if topic.first == UInt8(ascii: "$"), filter.first == plus || filter.first == hash { return false }
        for (index, level) in filterLevels.enumerated() {
            if level.elementsEqual([hash]) { return true }
            guard index < topicLevels.count else { return false }
            if level.elementsEqual([plus]) { continue }
            if !level.elementsEqual(topicLevels[index]) { return false }
        }
        return filterLevels.count == topicLevels.count
    }

    // MARK: config

    /// Property: any bytes give a configuration or a `ConfigurationError`, never a crash (toml++ used to abort).
    static func config(_ input: [UInt8]) {
        do {
            _ = try DaemonConfiguration(tomlBytes: input)
        } catch {
            precondition(!error.problems.isEmpty, "a ConfigurationError without problems")
            for problem in error.problems where problem.code == .syntax {
                precondition((problem.line ?? 0) >= 1, "a syntax error without a line: \(problem)")
            }
        }
    }

    // MARK: state

    /// The shapes the damaged-state seeds were saved with: a 60 s mean rule and an event rule feeding one group of
    /// hidden size 4, horizon 3 and season 2.
    private static let stateConfiguration: DaemonConfiguration = {
        let text = """
            [models.default]
            hidden_size = 4
            paths = 32
            horizon = 3
            season = 2
            min_history = 10000
            context_length = 10000
            seed = 7

            [[rules]]
            name = "sensors"
            topic = "sensors/+"
            stream = "{1}"
            cadence = "60s"
            aggregate = "mean"
            model = "default"
            [rules.payload]
            format = "json"
            value_path = "v"
            time_path = "t"

            [[rules]]
            name = "events"
            topic = "events/+"
            stream = "{1}"
            cadence = "event"
            model = "default"
            [rules.payload]
            format = "json"
            value_path = "v"
            time_path = "t"
            """
        do {
            return try DaemonConfiguration(toml: text)
        } catch {
            fatalError("the fuzz configuration is invalid: \(error)")
        }
    }()

    /// Input: a saved stream state's three blobs (`hidden`, `normaliser`, `calibrator`) separated by NUL bytes.
    /// Property: the restore-time check either accepts or refuses; it never traps or allocates without bound.
    static func state(_ input: [UInt8]) {
        let parts = input.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
        guard parts.count == 3 else { return }
        _ = SavedStreamStateCheck.refusal(
            hidden: parts[0], normaliser: parts[1], calibrator: parts[2], configuration: stateConfiguration)
    }
}
