/// One thing for the ``StoreWriter`` to store. Values, not references: items cross threads by value.
public enum WriteItem: Sendable, Equatable {
    /// A value observed for `stream` at `tUs` (µs since the Unix epoch); `nil` records an explicit gap.
    /// A second observation for the same (stream, time) is ignored and counted as a duplicate.
    case observation(stream: String, tUs: Int64, value: Double?)
    /// A forecast issue; one row per point. Re-issuing the same (stream, issue time, step) replaces the row.
    case forecast(ForecastIssue)
    /// A stream's saved state; replaces the previous one.
    case streamState(StreamStateRecord)
    /// A model group's calibration score pool; replaces the previous one.
    case calibrationPool(CalibrationPoolRecord)
    /// A drift statistics row; replaces the row of the same (stream, window end).
    case drift(DriftRecord)
    /// An event.
    case event(EventRecord)
    /// A rejected message.
    case reject(RejectRecord)

    /// How many table rows the item becomes; queue and retry bounds count these.
    public var rowCount: Int {
        switch self {
        case .forecast(let issue): max(1, issue.points.count)
        default: 1
        }
    }
}
