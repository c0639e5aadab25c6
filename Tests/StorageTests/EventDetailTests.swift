import Formats
import Foundation
import Storage
import Testing

/// Every event kind's detail: the JSON it is stored as (the fields readers and operators know) and the same
/// types reading it back.
@Suite struct EventDetailTests {
    static let candidate = EventDetail.GateScores(
        n: 40, crps: 0.5, coverageError: 0.02,
        coverage: LevelValues([.init(level: 0.5, value: 0.48), .init(level: 0.9, value: 0.91)]))
    static let inputs = EventDetail.ModelInputs(
        levelWindow: 152, calendar: ["hour_of_day", "day_of_week"], seasonalLag: 24)

    /// One detail per kind with the JSON it is stored as.
    static let examples: [(EventDetail, String)] = [
        (.trainRequested(.init(request: "r-1", by: "cli")), #"{"request":"r-1","by":"cli"}"#),
        (
            .trainingStarted(.init(streams: 3, steps: 120, trigger: "request", request: "r-1")),
            #"{"streams":3,"steps":120,"trigger":"request","request":"r-1"}"#
        ),
        (
            .trainingSucceeded(
                .init(
                    version: 2, previous: 1, promoted: true, steps: 150, series: 3, candidate: candidate, active: nil,
                    activeVersion: 0, tolerance: 0, inputs: inputs,
                    alphaSpread: .init(input: 0.25, hidden: 0.1), request: nil, trigger: "first")),
            #"{"version":2,"previous":1,"promoted":true,"steps":150,"series":3,"#
                + #""candidate":{"n":40,"crps":0.5,"coverage_error":0.02,"coverage":{"0.5":0.48,"0.9":0.91}},"#
                + #""active":null,"active_version":0,"tolerance":0.0,"#
                + #""inputs":{"level_window":152,"calendar":["hour_of_day","day_of_week"],"seasonal_lag":24},"#
                + #""alpha_spread":{"input":0.25,"hidden":0.1},"trigger":"first"}"#
        ),
        (
            .trainingRejected(
                .init(
                    version: 2, previous: nil, promoted: false, steps: 150, series: 3, candidate: candidate,
                    active: candidate, activeVersion: 2, tolerance: 0.01,
                    inputs: .init(levelWindow: 24, calendar: []), alphaSpread: nil, request: "r-2",
                    trigger: "schedule")),
            #"{"version":2,"promoted":false,"steps":150,"series":3,"#
                + #""candidate":{"n":40,"crps":0.5,"coverage_error":0.02,"coverage":{"0.5":0.48,"0.9":0.91}},"#
                + #""active":{"n":40,"crps":0.5,"coverage_error":0.02,"coverage":{"0.5":0.48,"0.9":0.91}},"#
                + #""active_version":2,"tolerance":0.01,"inputs":{"level_window":24,"calendar":[],"seasonal_lag":0},"#
                + #""alpha_spread":null,"request":"r-2","trigger":"schedule"}"#
        ),
        (
            .trainingFailed(.init(reason: "too few steps", request: nil, trigger: "first")),
            #"{"reason":"too few steps","trigger":"first"}"#
        ),
        (.modelActivated(.init(version: 3, previous: 2)), #"{"version":3,"previous":2}"#),
        (.checkpointActivated(.init(version: 2, previous: 3, by: "cli")), #"{"version":2,"previous":3,"by":"cli"}"#),
        (.checkpointLoadFailed(.init(version: nil, error: "bad magic")), #"{"error":"bad magic"}"#),
        (
            .driftAlarm(
                .init(
                    change: "worse", version: 2, windowN: 24, crps: 0.8, mae: nil, meanStandardizedResidual: 1.5,
                    coverage: LevelValues([.init(level: 0.9, value: 0.5)]))),
            #"{"change":"worse","version":2,"window_n":24,"crps":0.8,"mae":null,"#
                + #""mean_standardized_residual":1.5,"coverage":{"0.9":0.5}}"#
        ),
        (.eviction(.init(maxStreams: 1000)), #"{"max_streams":1000}"#),
        (.shutdown(.init(streams: 7)), #"{"streams":7}"#),
    ]

    @Test func everyKindHasAnExample() {
        #expect(Set(Self.examples.map(\.0.kind)) == Set(EventKind.allCases))
    }

    @Test(arguments: Self.examples.indices)
    func detailIsStoredAsItsFieldsAndReadsBack(_ index: Int) throws {
        let (detail, json) = Self.examples[index]
        let record = EventRecord(timeUs: 1, model: "default", detail: detail)
        #expect(record.kind == detail.kind.rawValue)
        #expect(record.detailJSON == json)
        #expect(record.detail == detail)
        #expect(try JSONSerialization.jsonObject(with: Data(record.detailJSON.utf8)) is [String: Any])
    }

    @Test func inputsWrittenBeforeTheSeasonalInputReadAsNone() throws {
        let old = try JSONDecoder().decode(
            EventDetail.ModelInputs.self, from: Data(#"{"level_window":168,"calendar":["hour_of_day"]}"#.utf8))
        #expect(old == EventDetail.ModelInputs(levelWindow: 168, calendar: ["hour_of_day"], seasonalLag: 0))
    }

    /// The model name used to be pasted into `training_failed` unescaped.
    @Test func namesWithQuotesBackslashesAndNewlinesAreEscaped() throws {
        let name = "a \"quoted\" \\ model\nname"
        let detail = EventDetail.trainingFailed(
            .init(reason: "no model group named \(name)", request: "r\"1", trigger: "request"))
        let record = EventRecord(timeUs: 1, model: name, detail: detail)
        #expect(
            record.detailJSON
                == #"{"reason":"no model group named a \"quoted\" \\ model\nname","request":"r\"1","trigger":"request"}"#
        )
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(record.detailJSON.utf8)) as? [String: Any])
        #expect(object["reason"] as? String == "no model group named \(name)")
        #expect(record.detail == detail)
        #expect(record.detail?.requestID == "r\"1")
    }

    @Test func nonFiniteScoresAreNullAndReadBackAsNaN() throws {
        let scores = EventDetail.GateScores(n: 0, crps: .nan, coverageError: .infinity, coverage: LevelValues([]))
        let text = scores.jsonText(numberStyle: .swift)
        #expect(text == #"{"n":0,"crps":null,"coverage_error":null,"coverage":{}}"#)
        let read = try JSONDecoder().decode(EventDetail.GateScores.self, from: Data(text.utf8))
        #expect(read.crps.isNaN && read.coverageError.isNaN)
    }

    @Test func rowsOfOtherKindsOrMalformedDetailsHaveNoDetail() {
        #expect(EventRecord(timeUs: 1, kind: "promotion", detailJSON: #"{"version":2}"#).detail == nil)
        #expect(EventRecord(timeUs: 1, kind: "shutdown", detailJSON: "{").detail == nil)
    }
}
