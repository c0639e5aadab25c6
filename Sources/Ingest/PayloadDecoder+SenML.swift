import Formats

/// SenML packs (RFC 8428, JSON representation).
///
/// Base fields (`bn`, `bt`, `bu`, `bv`, `bs`, `bver`) apply to their record and every later one until replaced
/// (§4.1). A record resolves to name `bn + n`, time `bt + t`, value `bv + v` (§4.6). Resolved times below 2²⁸ are
/// relative to now, here the arrival time (§4.5.3), so a record without any time is "now".
///
/// Numeric meaning, per record: `v` (plus `bv`); else `vb` as 1/0; else the sum `s` (plus `bs`), for meters that
/// report only a running total. `vs` and `vd` records are rejected as `non_numeric`; other records of the pack are
/// kept. A field ending in `_` that barnnd does not know rejects the whole pack (§4.4: "must understand"); other
/// unknown fields are ignored, as §4.4 requires. A record with only base (or ignored) fields just sets them. A type
/// error in a base field rejects the pack (it would mislabel every later record); one in a record field rejects that
/// record. A pack that leaves neither a reading nor a rejected record (`[{}]`, `[{"bn":"x/"}]`) is rejected as a
/// whole, so that every message is counted somewhere.
extension PayloadDecoder {
    /// Below this a resolved SenML time is relative to now (RFC 8428 §4.5.3).
    static let senmlRelativeTimeLimit = 268_435_456.0

    private static let senmlBaseFields: Set<String> = ["bn", "bt", "bu", "bv", "bs", "bver"]
    private static let senmlRecordFields: Set<String> = ["n", "u", "v", "vs", "vb", "vd", "s", "t", "ut"]

    static func senml(_ payload: [UInt8], arrivalTime: Double) -> Output {
        guard let document = JSONValue.parse(payload) else {
            return .rejected(.invalidJSON, "payload is not valid JSON")
        }
        guard case .array(let records) = document else {
            return .rejected(.senmlInvalid, "a SenML pack is a JSON array, found \(document.kindName)")
        }
        guard !records.isEmpty else { return .rejected(.senmlInvalid, "the pack has no records") }

        // Must-understand fields reject the pack before anything is taken from it.
        for (index, record) in records.enumerated() {
            guard case .object(let fields) = record else {
                return .rejected(.senmlInvalid, "record \(index) is \(record.kindName), not an object")
            }
            if let unknown = fields.keys.sorted().first(where: {
                $0.hasSuffix("_") && !senmlBaseFields.contains($0) && !senmlRecordFields.contains($0)
            }) {
                return .rejected(.senmlUnknownField, "record \(index) has must-understand field '\(bounded(unknown))'")
            }
        }

        var output = Output()
        var baseName = ""
        var baseTime = 0.0
        var baseValue = 0.0
        var baseSum = 0.0
        var baseUnit: String?
        for (index, record) in records.enumerated() {
            guard case .object(let fields) = record else { continue }
            // Base fields: a type error poisons every later record, so it rejects the pack.
            switch fields["bn"] {
            case nil: break
            case .string(let name): baseName = name
            case let other?: return .rejected(.senmlInvalid, "record \(index): bn is \(other.kindName)")
            }
            func number(_ key: String, _ current: Double) -> Double? {
                switch fields[key] {
                case nil: current
                case .number(let number): number
                default: nil
                }
            }
            guard let time = number("bt", baseTime), let value = number("bv", baseValue),
                let sum = number("bs", baseSum), number("bver", 10) != nil
            else {
                let key = ["bt", "bv", "bs", "bver"].first { fields[$0] != nil && number($0, 0) == nil } ?? "bt"
                return .rejected(.senmlInvalid, "record \(index): \(key) is \(fields[key]?.kindName ?? "absent")")
            }
            (baseTime, baseValue, baseSum) = (time, value, sum)
            // A unit is a label for dashboards, not data: one of another type is ignored rather than rejected.
            if case .string(let unit)? = fields["bu"] { baseUnit = unit }
            // A record with only base fields just sets them.
            if !fields.keys.contains(where: senmlRecordFields.contains) { continue }
            switch senmlRecord(
                fields, index: index, baseName: baseName, baseTime: baseTime, baseValue: baseValue,
                baseSum: baseSum, arrivalTime: arrivalTime)
            {
            case .success(var reading):
                if case .string(let unit)? = fields["u"] { reading.unit = unit } else { reading.unit = baseUnit }
                output.readings.append(reading)
            case .failure(let rejection): output.rejections.append(rejection)
            }
        }
        if output.readings.isEmpty && output.rejections.isEmpty {
            return .rejected(.senmlInvalid, "the SenML pack has no record with a value")
        }
        return output
    }

    private static func senmlRecord(
        _ fields: [String: JSONValue], index: Int, baseName: String, baseTime: Double, baseValue: Double,
        baseSum: Double, arrivalTime: Double
    ) -> Result<Reading, Rejection> {
        func invalid(_ detail: String) -> Result<Reading, Rejection> {
            .failure(Rejection(.senmlInvalid, "record \(index): \(detail)"))
        }
        var name = baseName
        switch fields["n"] {
        case nil: break
        case .string(let suffix): name += suffix
        case let other?: return invalid("n is \(other.kindName)")
        }
        if !name.isEmpty && !isValidSenMLName(name) {
            return invalid(
                "name '\(bounded(name))' has characters outside A-Z a-z 0-9 - : . / _ or starts with a symbol")
        }
        var time = baseTime
        switch fields["t"] {
        case nil: break
        case .number(let offset): time += offset
        case let other?: return invalid("t is \(other.kindName)")
        }
        if time < senmlRelativeTimeLimit { time += arrivalTime }
        guard time.isFinite, time >= 0 else {
            return .failure(Rejection(.invalidTimestamp, "record \(index): time is before 1970 or not finite"))
        }

        let valueFields = ["v", "vs", "vb", "vd"].filter { fields[$0] != nil }
        if valueFields.count > 1 {
            return invalid("has more than one value field (\(valueFields.joined(separator: ", ")))")
        }
        let value: Double
        switch (fields["v"], fields["vb"], fields["s"]) {
        case (.number(let number)?, _, _): value = baseValue + number
        case (let other?, _, _): return invalid("v is \(other.kindName)")
        case (nil, .bool(let flag)?, _): value = flag ? 1 : 0
        case (nil, let other?, _): return invalid("vb is \(other.kindName)")
        case (nil, nil, _) where fields["vs"] != nil || fields["vd"] != nil:
            return .failure(
                Rejection(
                    .nonNumeric,
                    "record \(index) ('\(bounded(name))') has a \(fields["vs"] != nil ? "string" : "data") value"))
        case (nil, nil, .number(let sum)?): value = baseSum + sum
        case (nil, nil, let other?): return invalid("s is \(other.kindName)")
        case (nil, nil, nil): return invalid("has no value or sum")
        }
        guard value.isFinite else {
            return .failure(Rejection(.nonFinite, "record \(index) ('\(bounded(name))'): value is not finite"))
        }
        return .success(Reading(name: name, time: time, value: value))
    }

    /// Payload text quoted in a reject detail, bounded like an excerpt so a hostile name cannot flood a log.
    private static func bounded(_ text: String) -> String {
        PayloadExcerpt.make(of: text.utf8, limit: 32)
    }

    /// RFC 8428 §4.5.1: `[A-Za-z0-9][A-Za-z0-9:./_-]*`.
    private static func isValidSenMLName(_ name: String) -> Bool {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
        }
        guard let first = name.utf8.first, isAlphanumeric(first) else { return false }
        return name.utf8.allSatisfy { isAlphanumeric($0) || ":./_-".utf8.contains($0) }
    }
}
