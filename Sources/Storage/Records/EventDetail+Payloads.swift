package import Formats

extension EventDetail {
    /// `train_requested`: `{"request","by"}`.
    package struct TrainRequested: Sendable, Equatable, Decodable {
        package var request: String
        /// Who asked: `cli`.
        package var by: String

        package init(request: String, by: String) {
            self.request = request
            self.by = by
        }

        func writeMembers(to writer: inout JSONWriter) {
            writer.key(CodingKeys.request)
            writer.string(request)
            writer.key(CodingKeys.by)
            writer.string(by)
        }
    }

    /// `training_started`: `{"streams","steps","trigger","request"?}`.
    package struct TrainingStarted: Sendable, Equatable, Decodable {
        /// Streams whose context the job trains on.
        package var streams: Int
        /// Present steps those streams hold.
        package var steps: Int
        package var trigger: String
        package var request: String?

        package init(streams: Int, steps: Int, trigger: String, request: String?) {
            self.streams = streams
            self.steps = steps
            self.trigger = trigger
            self.request = request
        }

        func writeMembers(to writer: inout JSONWriter) {
            writer.key(CodingKeys.streams)
            writer.integer(streams)
            writer.key(CodingKeys.steps)
            writer.integer(steps)
            writer.key(CodingKeys.trigger)
            writer.string(trigger)
            if let request {
                writer.key(CodingKeys.request)
                writer.string(request)
            }
        }
    }

    /// `training_succeeded` and `training_rejected`: the gate's verdict with both models' scores and what the
    /// candidate reads.
    package struct TrainingOutcome: Sendable, Equatable, Decodable {
        /// The new version when promoted, else the version that stays active.
        package var version: Int
        /// The version served before a promotion; absent when the candidate was rejected.
        package var previous: Int?
        package var promoted: Bool
        /// Optimiser steps of the training.
        package var steps: Int
        /// Series trained on.
        package var series: Int
        package var candidate: GateScores
        /// The active model's scores; nil for a first training.
        package var active: GateScores?
        package var activeVersion: Int
        /// The gate's promotion tolerance.
        package var tolerance: Double
        package var inputs: ModelInputs
        /// The α spread at the best validation; nil when none was evaluated.
        package var alphaSpread: AlphaSpread?
        package var request: String?
        package var trigger: String

        package init(
            version: Int, previous: Int?, promoted: Bool, steps: Int, series: Int, candidate: GateScores,
            active: GateScores?, activeVersion: Int, tolerance: Double, inputs: ModelInputs,
            alphaSpread: AlphaSpread?, request: String?, trigger: String
        ) {
            self.version = version
            self.previous = previous
            self.promoted = promoted
            self.steps = steps
            self.series = series
            self.candidate = candidate
            self.active = active
            self.activeVersion = activeVersion
            self.tolerance = tolerance
            self.inputs = inputs
            self.alphaSpread = alphaSpread
            self.request = request
            self.trigger = trigger
        }

        enum CodingKeys: String, CodingKey {
            case version, previous, promoted, steps, series, candidate, active
            case activeVersion = "active_version"
            case tolerance, inputs
            case alphaSpread = "alpha_spread"
            case request, trigger
        }

        func writeMembers(to writer: inout JSONWriter) {
            writer.key(CodingKeys.version)
            writer.integer(version)
            if let previous {
                writer.key(CodingKeys.previous)
                writer.integer(previous)
            }
            writer.key(CodingKeys.promoted)
            writer.bool(promoted)
            writer.key(CodingKeys.steps)
            writer.integer(steps)
            writer.key(CodingKeys.series)
            writer.integer(series)
            writer.key(CodingKeys.candidate)
            writer.value(candidate)
            writer.key(CodingKeys.active)
            if let active { writer.value(active) } else { writer.null() }
            writer.key(CodingKeys.activeVersion)
            writer.integer(activeVersion)
            writer.key(CodingKeys.tolerance)
            writer.number(tolerance)
            writer.key(CodingKeys.inputs)
            writer.value(inputs)
            writer.key(CodingKeys.alphaSpread)
            if let alphaSpread { writer.value(alphaSpread) } else { writer.null() }
            if let request {
                writer.key(CodingKeys.request)
                writer.string(request)
            }
            writer.key(CodingKeys.trigger)
            writer.string(trigger)
        }
    }

    /// A model's scores on the gate's validation windows: `{"n","crps","coverage_error","coverage":{"0.9":…}}`.
    package struct GateScores: Sendable, Equatable, Decodable, JSONWritable {
        /// Forecasts scored.
        package var n: Int
        /// Mean CRPS (raw units).
        package var crps: Double
        /// Mean |empirical − nominal| over the central intervals.
        package var coverageError: Double
        /// Empirical coverage per nominal central-interval level.
        package var coverage: LevelValues

        package init(n: Int, crps: Double, coverageError: Double, coverage: LevelValues) {
            self.n = n
            self.crps = crps
            self.coverageError = coverageError
            self.coverage = coverage
        }

        enum CodingKeys: String, CodingKey {
            case n, crps
            case coverageError = "coverage_error"
            case coverage
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            n = try container.decode(Int.self, forKey: .n)
            crps = try container.decodeNumber(Double.self, forKey: .crps)
            coverageError = try container.decodeNumber(Double.self, forKey: .coverageError)
            coverage = try container.decode(LevelValues.self, forKey: .coverage)
        }

        package func write(to writer: inout JSONWriter) {
            writer.object { writer in
                writer.key(CodingKeys.n)
                writer.integer(n)
                writer.key(CodingKeys.crps)
                writer.number(crps)
                writer.key(CodingKeys.coverageError)
                writer.number(coverageError)
                writer.key(CodingKeys.coverage)
                writer.value(coverage)
            }
        }
    }

    /// What a trained model reads: `{"level_window","calendar":["hour_of_day",…],"seasonal_lag"}`.
    package struct ModelInputs: Sendable, Equatable, Decodable, JSONWritable {
        package var levelWindow: Int
        /// Calendar components by name (`hour_of_day`, `day_of_week`, `day_of_year`, `season_index_<period>`).
        package var calendar: [String]
        /// Period m of the seasonal-naive input, 0 for none (absent in events written before it).
        package var seasonalLag: Int

        package init(levelWindow: Int, calendar: [String], seasonalLag: Int = 0) {
            self.levelWindow = levelWindow
            self.calendar = calendar
            self.seasonalLag = seasonalLag
        }

        enum CodingKeys: String, CodingKey {
            case levelWindow = "level_window"
            case calendar
            case seasonalLag = "seasonal_lag"
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            levelWindow = try container.decode(Int.self, forKey: .levelWindow)
            calendar = try container.decode([String].self, forKey: .calendar)
            seasonalLag = try container.decodeIfPresent(Int.self, forKey: .seasonalLag) ?? 0
        }

        package func write(to writer: inout JSONWriter) {
            writer.object { writer in
                writer.key(CodingKeys.levelWindow)
                writer.integer(levelWindow)
                writer.key(CodingKeys.calendar)
                writer.array { writer in
                    for component in calendar { writer.string(component) }
                }
                writer.key(CodingKeys.seasonalLag)
                writer.integer(seasonalLag)
            }
        }
    }

    /// The spread of the learned α weights: `{"input","hidden"}`.
    package struct AlphaSpread: Sendable, Equatable, Decodable, JSONWritable {
        package var input: Float
        package var hidden: Float

        package init(input: Float, hidden: Float) {
            self.input = input
            self.hidden = hidden
        }

        enum CodingKeys: String, CodingKey { case input, hidden }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            input = try container.decodeNumber(Float.self, forKey: .input)
            hidden = try container.decodeNumber(Float.self, forKey: .hidden)
        }

        package func write(to writer: inout JSONWriter) {
            writer.object { writer in
                writer.key(CodingKeys.input)
                writer.number(input)
                writer.key(CodingKeys.hidden)
                writer.number(hidden)
            }
        }
    }

    /// `training_failed`: `{"reason","request"?,"trigger"}`.
    package struct TrainingFailed: Sendable, Equatable, Decodable {
        package var reason: String
        package var request: String?
        package var trigger: String

        package init(reason: String, request: String?, trigger: String) {
            self.reason = reason
            self.request = request
            self.trigger = trigger
        }

        func writeMembers(to writer: inout JSONWriter) {
            writer.key(CodingKeys.reason)
            writer.string(reason)
            if let request {
                writer.key(CodingKeys.request)
                writer.string(request)
            }
            writer.key(CodingKeys.trigger)
            writer.string(trigger)
        }
    }

    /// `model_activated`: `{"version","previous"}`.
    package struct ModelActivated: Sendable, Equatable, Decodable {
        package var version: Int
        /// The version served before (0 for the fallback).
        package var previous: Int

        package init(version: Int, previous: Int) {
            self.version = version
            self.previous = previous
        }

        func writeMembers(to writer: inout JSONWriter) {
            writer.key(CodingKeys.version)
            writer.integer(version)
            writer.key(CodingKeys.previous)
            writer.integer(previous)
        }
    }

    /// `checkpoint_activated`: `{"version","previous","by"}`.
    package struct CheckpointActivated: Sendable, Equatable, Decodable {
        package var version: Int
        /// The version active before (0 for none).
        package var previous: Int
        /// Who activated it: `cli`.
        package var by: String

        package init(version: Int, previous: Int, by: String) {
            self.version = version
            self.previous = previous
            self.by = by
        }

        func writeMembers(to writer: inout JSONWriter) {
            writer.key(CodingKeys.version)
            writer.integer(version)
            writer.key(CodingKeys.previous)
            writer.integer(previous)
            writer.key(CodingKeys.by)
            writer.string(by)
        }
    }

    /// `checkpoint_load_failed`: `{"version"?,"error"}`; the version is absent when loading at startup.
    package struct CheckpointLoadFailed: Sendable, Equatable, Decodable {
        package var version: Int?
        package var error: String

        package init(version: Int?, error: String) {
            self.version = version
            self.error = error
        }

        func writeMembers(to writer: inout JSONWriter) {
            if let version {
                writer.key(CodingKeys.version)
                writer.integer(version)
            }
            writer.key(CodingKeys.error)
            writer.string(error)
        }
    }

    /// `drift_alarm`: the window that raised it, `{"change","version","window_n","crps","mae",
    /// "mean_standardized_residual","coverage":{"0.9":…}}`; statistics are null when the window has none.
    package struct DriftAlarm: Sendable, Equatable, Decodable {
        /// Which way the forecasts drifted.
        package var change: String
        /// The model version serving the stream.
        package var version: Int
        package var windowN: Int
        package var crps: Double?
        package var mae: Double?
        package var meanStandardizedResidual: Double?
        package var coverage: LevelValues

        package init(
            change: String, version: Int, windowN: Int, crps: Double?, mae: Double?, meanStandardizedResidual: Double?,
            coverage: LevelValues
        ) {
            self.change = change
            self.version = version
            self.windowN = windowN
            self.crps = crps
            self.mae = mae
            self.meanStandardizedResidual = meanStandardizedResidual
            self.coverage = coverage
        }

        enum CodingKeys: String, CodingKey {
            case change, version
            case windowN = "window_n"
            case crps, mae
            case meanStandardizedResidual = "mean_standardized_residual"
            case coverage
        }

        func writeMembers(to writer: inout JSONWriter) {
            writer.key(CodingKeys.change)
            writer.string(change)
            writer.key(CodingKeys.version)
            writer.integer(version)
            writer.key(CodingKeys.windowN)
            writer.integer(windowN)
            writer.key(CodingKeys.crps)
            writer.number(crps)
            writer.key(CodingKeys.mae)
            writer.number(mae)
            writer.key(CodingKeys.meanStandardizedResidual)
            writer.number(meanStandardizedResidual)
            writer.key(CodingKeys.coverage)
            writer.value(coverage)
        }
    }

    /// `eviction`: `{"max_streams"}`, the limit that evicted the stream.
    package struct Eviction: Sendable, Equatable, Decodable {
        package var maxStreams: Int

        package init(maxStreams: Int) { self.maxStreams = maxStreams }

        enum CodingKeys: String, CodingKey { case maxStreams = "max_streams" }

        func writeMembers(to writer: inout JSONWriter) {
            writer.key(CodingKeys.maxStreams)
            writer.integer(maxStreams)
        }
    }

    /// `shutdown`: `{"streams"}`, the streams in memory.
    package struct Shutdown: Sendable, Equatable, Decodable {
        package var streams: Int

        package init(streams: Int) { self.streams = streams }

        func writeMembers(to writer: inout JSONWriter) {
            writer.key(CodingKeys.streams)
            writer.integer(streams)
        }
    }
}

/// Values per nominal level as a JSON object keyed by the level, `{"0.9":0.88,…}`, so
/// `json_extract(coverage, '$."0.9"')` works in `sqlite3`; levels ascend.
package struct LevelValues: Sendable, Equatable, Decodable, JSONWritable {
    package var pairs: [DriftRecord.LevelValue]

    package init(_ pairs: [DriftRecord.LevelValue]) { self.pairs = pairs }

    package init(from decoder: any Decoder) throws {
        let object = try decoder.singleValueContainer().decode([String: Double?].self)
        pairs = object.compactMap { key, value in
            Double(key).map { DriftRecord.LevelValue(level: $0, value: value ?? .nan) }
        }.sorted { $0.level < $1.level }
    }

    package func write(to writer: inout JSONWriter) {
        writer.object { writer in
            for pair in pairs {
                writer.key("\(pair.level)")
                writer.number(pair.value)
            }
        }
    }

    /// NaN equals NaN here: a value that was not finite reads back as NaN.
    package static func == (lhs: LevelValues, rhs: LevelValues) -> Bool {
        lhs.pairs.count == rhs.pairs.count
            && zip(lhs.pairs, rhs.pairs).allSatisfy {
                $0.level == $1.level && ($0.value == $1.value || ($0.value.isNaN && $1.value.isNaN))
            }
    }
}
