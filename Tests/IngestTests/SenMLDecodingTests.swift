import Configuration
import Ingest
import Testing

/// SenML decoding against the examples of RFC 8428 §5.1 and its base-field rules.
@Suite struct SenMLDecodingTests {
    static let arrival = 1_767_225_600.0

    func decode(_ text: String) throws -> PayloadDecoder.Output {
        var settings = DaemonConfiguration.PayloadSettings()
        settings.format = .senml
        return try PayloadDecoder(settings).decode(Array(text.utf8), arrivalTime: Self.arrival)
    }

    @Test func rfcSingleDatapointIsNow() throws {
        let output = try decode(#"[{"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}]"#)
        #expect(
            output.readings == [
                Reading(name: "urn:dev:ow:10e2073a01080063", time: Self.arrival, value: 23.1, unit: "Cel")
            ])
    }

    @Test func rfcMultipleDatapointsConcatenateBaseName() throws {
        let output = try decode(
            #"[{"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},{"n":"current","u":"A","v":1.2}]"#)
        #expect(
            output.readings.map(\.name) == [
                "urn:dev:ow:10e2073a01080063:voltage", "urn:dev:ow:10e2073a01080063:current",
            ])
        #expect(output.readings.map(\.value) == [120.1, 1.2])
        #expect(output.readings.allSatisfy { $0.time == Self.arrival })
    }

    @Test func rfcMultipleMeasurementsResolveBaseTime() throws {
        let output = try decode(
            """
            [{"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,"bu":"A","bver":5,"n":"voltage","u":"V","v":120.1},
             {"n":"current","t":-5,"v":1.2},{"n":"current","t":-4,"v":1.3},{"n":"current","t":-3,"v":1.4},
             {"n":"current","t":-2,"v":1.5},{"n":"current","t":-1,"v":1.6},{"n":"current","v":1.7}]
            """)
        #expect(output.rejections.isEmpty)
        #expect(output.readings.count == 7)
        let bt = 1.276020076001e+09
        #expect(output.readings.map(\.time) == [bt, bt - 5, bt - 4, bt - 3, bt - 2, bt - 1, bt])
        #expect(output.readings.dropFirst().allSatisfy { $0.name == "urn:dev:ow:10e2073a0108006:current" })
        // A record's u beats the pack's bu.
        #expect(output.readings.map(\.unit) == ["V"] + Array(repeating: "A", count: 6))
    }

    @Test func rfcCollectionOfResources() throws {
        let output = try decode(
            #"[{"bn":"2001:db8::2/","bt":1.320078429e+09,"n":"temperature","u":"Cel","v":27.2},{"n":"humidity","u":"%RH","v":80}]"#
        )
        #expect(
            output.readings == [
                Reading(name: "2001:db8::2/temperature", time: 1.320078429e+09, value: 27.2, unit: "Cel"),
                Reading(name: "2001:db8::2/humidity", time: 1.320078429e+09, value: 80, unit: "%RH"),
            ])
    }

    @Test func baseValueAndSumAreAdded() throws {
        let output = try decode(
            #"[{"bn":"m","bv":100,"bs":1000,"n":"a","v":1.5},{"n":"b","s":20},{"n":"c","vb":true}]"#)
        #expect(output.readings.map(\.value) == [101.5, 1020, 1])
    }

    @Test func relativeTimesAreRelativeToArrival() throws {
        let output = try decode(#"[{"n":"x","t":-30,"v":1},{"n":"x","bt":10,"t":5,"v":2}]"#)
        #expect(output.readings.map(\.time) == [Self.arrival - 30, Self.arrival + 15])
    }

    @Test func baseFieldsPersistUntilReplaced() throws {
        let output = try decode(#"[{"bn":"a/","n":"x","v":1},{"n":"y","v":2},{"bn":"b/","n":"x","v":3},{"v":4}]"#)
        #expect(output.readings.map(\.name) == ["a/x", "a/y", "b/x", "b/"])
    }

    @Test func recordWithOnlyBaseFieldsSetsThem() throws {
        let output = try decode(#"[{"bn":"dev/","bt":1.5e9},{"n":"t","v":20}]"#)
        #expect(output.readings == [Reading(name: "dev/t", time: 1.5e9, value: 20)])
        #expect(output.rejections.isEmpty)
    }

    @Test func stringAndDataValuesAreNonNumericButTheRestOfThePackIsKept() throws {
        let output = try decode(#"[{"n":"status","vs":"ok"},{"n":"blob","vd":"aGk"},{"n":"temp","v":21}]"#)
        #expect(output.readings.map(\.name) == ["temp"])
        #expect(output.rejections.map(\.reason) == [.nonNumeric, .nonNumeric])
    }

    @Test func unknownMustUnderstandFieldRejectsThePack() throws {
        let output = try decode(#"[{"n":"a","v":1},{"n":"b","v":2,"custom_":7}]"#)
        #expect(output.readings.isEmpty)
        #expect(output.rejections.map(\.reason) == [.senmlUnknownField])
        #expect(output.rejections.first?.detail.contains("custom_") == true)
    }

    @Test func unknownOrdinaryFieldIsIgnored() throws {
        let output = try decode(#"[{"n":"a","v":1,"vendor":"x"}]"#)
        #expect(output.readings.map(\.value) == [1])
        #expect(output.rejections.isEmpty)
    }

    @Test(arguments: [
        (#"{"n":"a","v":1}"#, RejectReason.senmlInvalid), ("[]", .senmlInvalid), ("[1]", .senmlInvalid),
        (#"[{"bn":5,"v":1}]"#, .senmlInvalid), (#"[{"bt":"now","v":1}]"#, .senmlInvalid), ("[{", .invalidJSON),
    ])
    func malformedPacksAreRejectedWhole(text: String, reason: RejectReason) throws {
        let output = try decode(text)
        #expect(output.readings.isEmpty)
        #expect(output.rejections.map(\.reason) == [reason])
    }

    @Test(arguments: [
        #"[{"n":"a"}]"#, #"[{"n":"a","v":"1"}]"#, #"[{"n":"a","v":1,"vs":"x"}]"#, #"[{"n":"-bad","v":1}]"#,
        #"[{"n":"sp ace","v":1}]"#, #"[{"n":3,"v":1}]"#, #"[{"n":"a","t":"x","v":1}]"#,
    ])
    func malformedRecordsAreRejected(text: String) throws {
        let output = try decode(text)
        #expect(output.readings.isEmpty)
        #expect(output.rejections.map(\.reason) == [.senmlInvalid])
    }
}

/// A pack ends in readings or a reject: packs that only set base fields or carry ignored fields used to vanish.
@Suite struct SenMLEmptyPackTests {
    @Test(arguments: [
        "[{}]", #"[{"bn":"x/"}]"#, #"[{"bn":"x/","bt":1.7e9,"bu":"Cel","bver":10}]"#, #"[{"vendor":1}]"#,
        #"[{"bn":"a/"},{},{"vendor":"x"}]"#,
    ])
    func packWithoutAnyValueRecordIsOneReject(text: String) throws {
        var settings = DaemonConfiguration.PayloadSettings()
        settings.format = .senml
        let output = try PayloadDecoder(settings).decode(Array(text.utf8), arrivalTime: 0)
        #expect(output.readings.isEmpty)
        #expect(output.rejections == [Rejection(.senmlInvalid, "the SenML pack has no record with a value")])
    }

    @Test func baseOnlyRecordsBesideAValueRecordAddNoReject() throws {
        var settings = DaemonConfiguration.PayloadSettings()
        settings.format = .senml
        let output = try PayloadDecoder(settings).decode(
            Array(#"[{"bn":"d/"},{"n":"t","v":1},{"vendor":2}]"#.utf8), arrivalTime: 0)
        #expect(output.readings.map(\.name) == ["d/t"])
        #expect(output.rejections.isEmpty)
    }

    /// `senml-base-only-pack-vanishes.bin` from the ingest fuzzer (its first byte selects the format; the rest is
    /// the payload), through the whole ingestor.
    @Test func fuzzReproducerBecomesARejectRow() throws {
        var rule = DaemonConfiguration.Rule()
        rule.name = "senml"
        rule.topic = "s/+"
        rule.stream = "{1}"
        rule.payload.format = .senml
        var configuration = DaemonConfiguration()
        configuration.rules = [rule]
        let reproducer: [UInt8] = [0x00, 0x5B, 0x7B, 0x7D, 0x5D]
        let output = try Ingestor(configuration: configuration).ingest(
            topic: "s/dev", payload: Array(reproducer.dropFirst()), arrivalTime: 1_767_225_600)
        #expect(output.readings.isEmpty)
        #expect(output.rejects.map(\.reason) == [.senmlInvalid])
        #expect(output.rejects.first?.rule == "senml")
    }
}

@Suite struct SenMLRejectDetailTests {
    @Test func hostileNamesAreBoundedInDetails() throws {
        var settings = DaemonConfiguration.PayloadSettings()
        settings.format = .senml
        let longName = String(repeating: "n", count: 10_000)
        let payload = #"[{"n":"\#(longName)","vs":"x"},{"n":"-\#(longName)","v":1},{"\#(longName)_":1}]"#
        let output = try PayloadDecoder(settings).decode(Array(payload.utf8), arrivalTime: 0)
        #expect(output.rejections.count == 1)
        #expect(output.rejections.allSatisfy { $0.detail.utf8.count < 120 })
        let records = #"[{"n":"\#(longName)","vs":"x"},{"n":"-\#(longName)","v":1}]"#
        let perRecord = try PayloadDecoder(settings).decode(Array(records.utf8), arrivalTime: 0)
        #expect(perRecord.rejections.map(\.reason) == [.nonNumeric, .senmlInvalid])
        #expect(perRecord.rejections.allSatisfy { $0.detail.utf8.count < 160 })
    }
}
