import Configuration
import Ingest
import Testing

@Suite struct IngestorTests {
    static let arrival = 1_767_225_600.0

    func rule(
        _ name: String, _ topic: String, _ stream: String, _ format: DaemonConfiguration.PayloadFormat = .number,
        value: String? = nil, time: String? = nil
    ) -> DaemonConfiguration.Rule {
        var rule = DaemonConfiguration.Rule()
        rule.name = name
        rule.topic = topic
        rule.stream = stream
        rule.payload.format = format
        rule.payload.valuePath = value
        rule.payload.timePath = time
        return rule
    }

    func ingestor(_ rules: [DaemonConfiguration.Rule], maxPayloadBytes: Int = 1024) throws -> Ingestor {
        var configuration = DaemonConfiguration()
        configuration.rules = rules
        configuration.engine.maxPayloadBytes = maxPayloadBytes
        configuration.engine.maxFutureSkew = .seconds(60)
        return try Ingestor(configuration: configuration)
    }

    func ingest(_ ingestor: Ingestor, _ topic: String, _ payload: String) -> Ingestor.Output {
        ingestor.ingest(topic: topic, payload: Array(payload.utf8), arrivalTime: Self.arrival)
    }

    @Test func bundledExampleRuleMapsWildcardLevelsToTheStreamID() throws {
        let output = ingest(try Ingestor(configuration: DaemonConfiguration()), "sensors/lab/t1", "21.5")
        #expect(
            output.readings == [
                StreamReading(streamID: "lab/t1", time: Self.arrival, value: 21.5, rule: 0, timeFromPayload: false)
            ])
        #expect(output.rejects.isEmpty)
    }

    @Test func templatePlaceholders() throws {
        let rules = try ingestor([
            rule("swap", "a/+/+/value", "{2}.{1}"), rule("hash", "b/#", "x/{1}"), rule("whole", "c/+", "{topic}"),
        ])
        #expect(ingest(rules, "a/lab/t1/value", "1").readings.map(\.streamID) == ["t1.lab"])
        #expect(ingest(rules, "b/deep/er/path", "1").readings.map(\.streamID) == ["x/deep/er/path"])
        #expect(ingest(rules, "c/q", "1").readings.map(\.streamID) == ["c/q"])
        #expect(ingest(rules, "a/lab/t1/value", "1").readings.first?.rule == 0)
        #expect(ingest(rules, "c/q", "1").readings.first?.rule == 2)
    }

    @Test func firstMatchingRuleWins() throws {
        let rules = try ingestor([rule("specific", "s/lab/+", "special/{1}"), rule("general", "s/+/+", "{1}/{2}")])
        #expect(ingest(rules, "s/lab/t", "1").readings.map(\.streamID) == ["special/t"])
        #expect(ingest(rules, "s/home/t", "1").readings.map(\.streamID) == ["home/t"])
    }

    @Test func senmlUnitsReachTheReadings() throws {
        let rules = try ingestor([rule("senml", "senml/+", "{1}", .senml)])
        let pack =
            #"[{"bu":"Cel","n":"t","v":1},{"n":"h","u":"%RH","v":2},{"n":"x","u":5,"v":3},{"bu":"W","n":"p","v":4}]"#
        #expect(ingest(rules, "senml/dev1", pack).readings.map(\.unit) == ["Cel", "%RH", "Cel", "W"])
        #expect(ingest(rules, "senml/dev1", #"[{"n":"t","v":1}]"#).readings.map(\.unit) == [nil])
    }

    @Test func senmlNamesExtendTheStreamID() throws {
        let rules = try ingestor([
            rule("appended", "senml/+", "{1}", .senml), rule("placed", "p/+", "{name}@{1}", .senml),
        ])
        let appended = ingest(rules, "senml/dev1", #"[{"bn":"room/","n":"t","v":1},{"n":"h","v":2}]"#)
        #expect(appended.readings.map(\.streamID) == ["dev1/room/t", "dev1/room/h"])
        #expect(appended.readings.allSatisfy { $0.timeFromPayload })
        let placed = ingest(rules, "p/dev1", #"[{"n":"t","v":1}]"#)
        #expect(placed.readings.map(\.streamID) == ["t@dev1"])
        // No name: nothing is appended, but a template that places {name} has nothing to place.
        #expect(ingest(rules, "senml/dev1", #"[{"v":1}]"#).readings.map(\.streamID) == ["dev1"])
        #expect(ingest(rules, "p/dev1", #"[{"v":1}]"#).rejects.map(\.reason) == [.invalidStreamID])
    }

    @Test func jsonTimeFromPayloadIsUsed() throws {
        let rules = try ingestor([rule("j", "j/+", "{1}", .json, value: "v", time: "t")])
        let output = ingest(rules, "j/a", #"{"v":2,"t":"2025-12-31T23:59:00Z"}"#)
        #expect(output.readings.first?.time == Self.arrival - 60)
        #expect(output.readings.first?.timeFromPayload == true)
    }

    /// Every bad input of the issue: a reject with a reason, never a crash, and the next message still works.
    @Test(arguments: [
        ("sensors/lab/t1", "warm", RejectReason.nonNumeric),
        ("sensors/lab/t1", "NaN", .nonFinite),
        ("sensors/lab/t1", "-inf", .nonFinite),
        ("json/a", #"{"v":"#, .invalidJSON),
        ("json/a", #"{"value":1}"#, .missingPath),
        ("sensors/lab/t1", String(repeating: "1", count: 2000), .oversized),
        ("senml/a", #"[{"n":"x","v":1,"zz_":1}]"#, .senmlUnknownField),
        ("json/a", #"{"v":1,"t":"2026-01-01T01:00:00Z"}"#, .futureTimestamp),
        ("senml/a", #"[{"bt":1.7672264e9,"n":"x","v":1}]"#, .futureTimestamp),
        ("elsewhere/x", "1", .noMatchingRule),
        ("sensors//t1", "1", .invalidStreamID),
        ("sensors/lab/", "1", .invalidStreamID),
    ])
    func badInputIsRejectedWithItsReason(topic: String, payload: String, reason: RejectReason) throws {
        let rules = try ingestor([
            rule("sensors", "sensors/+/+", "{1}{2}"), rule("json", "json/+", "{1}", .json, value: "v", time: "t"),
            rule("senml", "senml/+", "{1}", .senml),
        ])
        let output = ingest(rules, topic, payload)
        #expect(output.readings.isEmpty)
        #expect(output.rejects.map(\.reason) == [reason])
        let reject = try #require(output.rejects.first)
        #expect(reject.topic == topic && reject.arrivalTime == Self.arrival)
        #expect(reject.rule == (reason == .noMatchingRule ? nil : topic.split(separator: "/").first.map(String.init)))
        #expect(reject.excerpt.utf8.count <= IngestReject.excerptLimit)
        #expect(ingest(rules, "sensors/lab/t1", "1").readings.count == 1)
    }

    @Test func streamIDChecks() {
        #expect(TopicRule.checkStreamID("lab/t1") == .success("lab/t1"))
        #expect(TopicRule.checkStreamID("küche/°C") == .success("küche/°C"))
        for bad in [
            "", "a+b", "a#", "a\u{0}b", "a\nb", "a\u{85}b", "a\u{7F}",
            String(repeating: "x", count: TopicRule.maxStreamIDBytes + 1),
        ] {
            #expect(throws: Rejection.self) { try TopicRule.checkStreamID(bad).get() }
        }
        #expect(
            TopicRule.checkStreamID(String(repeating: "x", count: TopicRule.maxStreamIDBytes)).map(\.count)
                == .success(256))
    }

    @Test func topicRuleRefusesInvalidRules() {
        #expect(throws: ConfigurationError.self) { try TopicRule(rule("r", "a/+", "{2}")) }
        #expect(throws: ConfigurationError.self) { try TopicRule(rule("r", "a/#/b", "{1}")) }
        #expect(throws: ConfigurationError.self) { try TopicRule(rule("r", "a/+", "{1}", .json)) }
        let compiled = try? TopicRule(rule("r", "a/+", "x/{1}"))
        #expect(compiled?.streamID(for: "a/b") == .success("x/b"))
        #expect(compiled?.streamID(for: "z/b") == .failure(Rejection(.noMatchingRule, "topic does not match 'a/+'")))
    }

    @Test func invalidConfigurationIsRefusedWithEveryProblem() {
        var configuration = DaemonConfiguration()
        configuration.rules = [rule("a", "x/+", "{3}"), rule("a", "y/+", "{1}")]
        #expect {
            try Ingestor(configuration: configuration)
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.keyPath) == ["rules[0].stream", "rules[1].name"]
        }
    }

    @Test func templateParsingErrors() {
        #expect(throws: StreamIDTemplate.ParseError.wildcardOutOfRange(index: 3, wildcards: 2)) {
            try StreamIDTemplate("{1}/{3}", wildcards: 2)
        }
        #expect(throws: StreamIDTemplate.ParseError.unknownPlaceholder("x")) {
            try StreamIDTemplate("{x}", wildcards: 1)
        }
        #expect(throws: StreamIDTemplate.ParseError.unknownPlaceholder("0")) {
            try StreamIDTemplate("{0}", wildcards: 1)
        }
        #expect(throws: StreamIDTemplate.ParseError.unbalancedBrace) { try StreamIDTemplate("{1", wildcards: 1) }
        #expect(throws: StreamIDTemplate.ParseError.unbalancedBrace) { try StreamIDTemplate("a}", wildcards: 1) }
        #expect(throws: StreamIDTemplate.ParseError.forbiddenCharacter("+")) {
            try StreamIDTemplate("a+", wildcards: 0)
        }
        #expect(throws: StreamIDTemplate.ParseError.empty) { try StreamIDTemplate("", wildcards: 0) }
    }

    @Test func templateRendering() throws {
        let template = try StreamIDTemplate("{2}-{1}/{topic}", wildcards: 2)
        #expect(template.render(captures: ["a", "b"], topic: "t/a/b") == "b-a/t/a/b")
        #expect(template.render(captures: ["", "b"], topic: "t//b") == nil)
        #expect(template.render(captures: ["a", "b"], topic: "t/a/b", name: "n") == "b-a/t/a/b/n")
        #expect(!template.usesName)
        #expect(try StreamIDTemplate("{name}", wildcards: 0).usesName)
    }
}

@Suite struct FutureTimestampTests {
    @Test(arguments: [#"{"v":1,"t":1e300}"#, #"{"v":1,"t":9.3e18}"#, #"{"v":1,"t":1767225661}"#])
    func anyFutureTimeIsRejectedWithoutTrapping(payload: String) throws {
        var rule = DaemonConfiguration.Rule()
        rule.name = "j"
        rule.topic = "j/+"
        rule.stream = "{1}"
        rule.payload.format = .json
        rule.payload.valuePath = "v"
        rule.payload.timePath = "t"
        var configuration = DaemonConfiguration()
        configuration.rules = [rule]
        configuration.engine.maxFutureSkew = .seconds(60)
        let output = try Ingestor(configuration: configuration)
            .ingest(topic: "j/a", payload: Array(payload.utf8), arrivalTime: 1_767_225_600)
        #expect(output.rejects.map(\.reason) == [.futureTimestamp])
    }
}
