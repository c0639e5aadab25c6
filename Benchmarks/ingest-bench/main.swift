// ingest-bench: Ingestor throughput per payload format, beside the bare parse it cannot beat (Double(String) for
// numbers, Foundation's JSONSerialization for JSON) measured in the same run. Prints JSON lines.
//
//     swift run -c release ingest-bench
import BenchmarkSupport
import Configuration
import Foundation
import Ingest

beginBenchmark()

let messages = 200_000
let arrival = 1_767_225_600.0

func rule(
    _ topic: String, _ stream: String, _ format: DaemonConfiguration.PayloadFormat, value: String? = nil
)
    -> DaemonConfiguration.Rule
{
    var rule = DaemonConfiguration.Rule()
    rule.name = topic
    rule.topic = topic
    rule.stream = stream
    rule.payload.format = format
    rule.payload.valuePath = value
    rule.payload.timePath = format == .json ? "ts" : nil
    rule.payload.timeUnit = .ms
    return rule
}

var configuration = DaemonConfiguration()
configuration.rules = [
    rule("sensors/+/+", "{1}/{2}", .number), rule("json/+", "{1}", .json, value: "climate.temp"),
    rule("senml/+", "{1}", .senml),
]
let ingestor = try Ingestor(configuration: configuration)

/// Messages per second through `body`, after a warm-up of up to 1000 calls.
func measure(_ name: String, count: Int, _ body: (Int) -> Double) -> Double {
    var sink = 0.0
    for index in 0..<min(count, 1000) { sink += body(index) }
    let seconds = timed { for index in 0..<count { sink += body(index) } }
    precondition(sink.isFinite, "sink must be used")
    return Double(count) / seconds
}

func report(_ name: String, _ rate: Double, reference: String, _ referenceRate: Double) {
    emit([
        "bench": name, "messages": messages, "msg_per_s": Int(rate.rounded()), "reference": reference,
        "reference_msg_per_s": Int(referenceRate.rounded()), "ratio": rounded(rate / referenceRate, 3),
    ])
}

let topics = (0..<64).map { "sensors/room\($0 % 8)/t\($0)" }
let numberPayloads = (0..<64).map { Array("\(20 + Double($0) / 7)".utf8) }
report(
    "Ingestor.ingest format=number",
    measure("number", count: messages) { index in
        ingestor.ingest(topic: topics[index & 63], payload: numberPayloads[index & 63], arrivalTime: arrival)
            .readings.first?.value ?? 0
    }, reference: "Double(String(decoding:))",
    measure("number-ref", count: messages) { index in
        Double(String(decoding: numberPayloads[index & 63], as: UTF8.self)) ?? 0
    })

let jsonPayloads = (0..<64).map {
    Array(
        #"{"device":"d\#($0)","climate":{"temp":\#(20 + Double($0) / 7),"rh":41.5},"ts":1767225600\#(100 + $0)}"#.utf8)
}
report(
    "Ingestor.ingest format=json",
    measure("json", count: messages) { index in
        ingestor.ingest(topic: "json/d\(index & 63)", payload: jsonPayloads[index & 63], arrivalTime: arrival)
            .readings.first?.value ?? 0
    }, reference: "JSONSerialization.jsonObject",
    measure("json-ref", count: messages) { index in
        let object = try? JSONSerialization.jsonObject(with: Data(jsonPayloads[index & 63])) as? [String: Any]
        return ((object?["climate"] as? [String: Any])?["temp"] as? Double) ?? 0
    })

let senmlPayloads = (0..<64).map {
    Array(
        #"[{"bn":"dev\#($0)/","bt":1.7672256e9,"n":"temp","u":"Cel","v":\#(20 + Double($0) / 7)},{"n":"rh","u":"%RH","v":41}]"#
            .utf8)
}
report(
    "Ingestor.ingest format=senml records=2",
    measure("senml", count: messages) { index in
        ingestor.ingest(topic: "senml/g\(index & 63)", payload: senmlPayloads[index & 63], arrivalTime: arrival)
            .readings.last?.value ?? 0
    }, reference: "JSONSerialization.jsonObject",
    measure("senml-ref", count: messages) { index in
        let records = try? JSONSerialization.jsonObject(with: Data(senmlPayloads[index & 63])) as? [[String: Any]]
        return (records?.last?["v"] as? Double) ?? 0
    })
