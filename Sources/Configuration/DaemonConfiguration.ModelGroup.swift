import Formats

extension DaemonConfiguration {
    /// One named model group (`[models.NAME]`): the BARNN shape, forecasting and retraining settings shared by the
    /// streams whose rules name it. Steps are the stream's cadence steps.
    public struct ModelGroup: Sendable, Equatable {
        /// GRU hidden size, 1–4096. The default is 64.
        public var hiddenSize = 64
        /// Monte Carlo paths S sampled per forecast, 1–100000. The default is 256.
        public var paths = 256
        /// Whether the paths come in antithetic pairs (the second half of each stream's paths replays the first
        /// half's normals negated), which makes the mean and central quantiles as accurate as about twice the paths
        /// but the tails barely more (`barnn-bench accuracy`); with odd `paths` the last path is plain. The default is
        /// `false`.
        public var samplingAntithetic = false
        /// Forecast horizon H in steps, 1–10000. The default is 12.
        public var horizon = 12
        /// Quantile levels published, each in (0, 1), strictly increasing.
        /// The default is 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95 (the 90, 80 and 50 % intervals and the median).
        public var quantiles: [Double] = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
        /// Issue a forecast every this many steps, ≥ 1. The default is 1.
        public var forecastEvery = 1
        /// Steps a stream must have before BARNN forecasts it (the fallback forecaster serves it until then), ≥ 1.
        /// The group's first training starts once its streams hold this many steps each on average.
        /// The default is 256: a first model trained on a few dozen steps is rarely better than the fallback.
        public var minHistory = 256
        /// Steps replayed to re-warm a hidden state after a restart or model swap, ≥ `minHistory`.
        /// The default is 256.
        public var contextLength = 256
        /// Seasonal period m in steps of the cold-start forecaster (the seasonal naive `ŷ[t+h] = y[t+h−m⌈h/m⌉]`) and
        /// of the model's seasonal input (``seasonalInput``), 1–100000; 1 is plain naive and no seasonal input. The
        /// default is 1.
        public var season = 1
        /// Span W in steps of the moving average the model's level context is measured against, 0–1000000; 0 feeds
        /// the network increments only. The default is 168 (chosen on the 14 development datasets,
        /// `docs/backtest.md`).
        public var levelWindow = 168
        /// Which calendar signals the model's time features carry. The default is `auto`.
        public var calendar = CalendarChoice.auto
        /// Whether the model also reads the seasonal-naive increment `y[t−m] − y[t−1]` of each step, m the
        /// `season`; only where 1 < `season` ≤ `contextLength`, so a restarted stream can replay a full season. The
        /// default is true.
        public var seasonalInput = true

        /// The seasonal input's period m for this group's models: `season` where ``seasonalInput`` applies, else 0.
        public var seasonalLag: Int { seasonalInput && season > 1 && season <= contextLength ? season : 0 }
        /// Degrees of freedom of a Student-t observation head, 3–100; 0 is the Gaussian head. The default is 0.
        public var studentDegrees = 0
        /// The approximate posterior of the gate inputs' weights. The default is `barnn`.
        public var posterior = PosteriorChoice.barnn
        /// Fraction of gate inputs dropped by the `mc_dropout` posterior, in (0, 1). The default is 0.1.
        public var dropoutRate = 0.1
        /// Most Adam steps a training of this group takes (it stops earlier when the validation loss stops
        /// improving), 10–1000000. The default is 2000; small devices or tests may cap it lower.
        public var trainingSteps = 2000
        /// Head particles K of the `sgld` posterior, 1–1024; 0 chooses from 8, 16, 32 on the validation tail. The
        /// default is 0.
        public var sgldParticles = 0
        /// Preconditioned step size η of the `sgld` posterior, in (0, 1); 0 chooses from 0.001, 0.003, 0.01, 0.03 on
        /// the validation tail. The default is 0.
        public var sgldStepSize = 0.0
        /// Seed of every random draw for this group (training and sampling). The default is 1.
        public var seed: UInt64 = 1
        /// When and how the group is retrained.
        public var retrain = RetrainSettings()
        /// How intervals are calibrated.
        public var calibration = CalibrationSettings()

        /// Creates the defaults.
        public init() {}
    }

    /// Retraining of a model group (`[models.NAME.retrain]`).
    public struct RetrainSettings: Sendable, Equatable {
        /// Time between scheduled retrains. The default is 1 day.
        public var every: Duration = .seconds(86400)
        /// UTC hours in which scheduled retraining may start; `nil` means any time. The default is 02:00–05:00.
        public var window: TimeWindow? = TimeWindow(startMinute: 2 * 60, endMinute: 5 * 60)
        /// How much history a retrain reads per stream, back from that stream's newest step (not the clock, so a
        /// replay of old data trains too). The default is 14 days.
        public var history: Duration = .seconds(14 * 86400)
        /// Whether a drift alarm triggers a retrain outside the schedule and window. The default is `true`.
        public var driftTrigger = true
        /// Time from a drift alarm to the retrain it triggers, so that the new regime is in the data the candidate
        /// trains on and, above all, in the validation windows the gate compares on. The default is 1 h.
        public var driftDelay: Duration = .seconds(3600)
        /// Shortest time between two retrains of the group, scheduled or triggered. The default is 6 h.
        public var cooldown: Duration = .seconds(6 * 3600)
        /// Fraction of the history (the most recent part) held out to validate against the active model,
        /// in (0, 1). The default is 0.2.
        public var validationFraction = 0.2
        /// Checkpoints kept per group, in ``keepLastRange``; older inactive ones are deleted. The default is 5.
        public var keepLast = 5
        /// The values `keep_last` may take.
        public static let keepLastRange = 1...1000
        /// How much worse than the active model a candidate may validate and still be promoted, in [0, 1]: its mean
        /// CRPS may exceed the active model's by this fraction, and its mean absolute coverage error (over the
        /// central intervals) by this many coverage points. The default is 0.02.
        public var promotionTolerance = 0.02
        /// Whether a retrain starts from the active model's weights rather than from fresh ones (a first training,
        /// or a changed shape, always starts fresh). The default is `true`.
        public var warmStart = true

        /// Creates the defaults.
        public init() {}
    }

    /// A daily window of UTC time, `"02:00-05:00"`; it may wrap past midnight (`"22:00-02:00"`).
    public struct TimeWindow: Sendable, Hashable, CustomStringConvertible {
        /// Start, minutes after UTC midnight, 0–1439 (inclusive).
        public var startMinute: Int
        /// End, minutes after UTC midnight, 0–1440 (exclusive).
        public var endMinute: Int

        /// Creates a window; start must differ from end.
        public init(startMinute: Int, endMinute: Int) {
            self.startMinute = startMinute
            self.endMinute = endMinute
        }

        /// Parses `"HH:MM-HH:MM"`; `nil` if malformed or empty.
        public init?(parsing text: String) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let start = Self.minutes(parts[0].trimmingWhitespace()),
                let end = Self.minutes(parts[1].trimmingWhitespace()), start != end, start < 1440
            else { return nil }
            self.init(startMinute: start, endMinute: end)
        }

        /// Whether a minute of the UTC day (0–1439) falls in the window.
        public func contains(minuteOfDay minute: Int) -> Bool {
            startMinute < endMinute
                ? (startMinute..<endMinute).contains(minute) : minute >= startMinute || minute < endMinute
        }

        public var description: String { "\(Self.format(startMinute))-\(Self.format(endMinute))" }

        private static func minutes(_ text: Substring) -> Int? {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
                let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...24).contains(hours),
                (0..<60).contains(minutes),
                hours * 60 + minutes <= 1440
            else { return nil }
            return hours * 60 + minutes
        }

        private static func format(_ minute: Int) -> String {
            let hours = minute / 60
            let minutes = minute % 60
            return (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
        }
    }

    /// How a model group's calendar features are chosen (`calendar`).
    public enum CalendarChoice: String, Sendable, CaseIterable {
        /// Chosen at each training from the streams' cadence and the group's `season`: hour of day and day of week
        /// under a day, day of week and day of year for daily data, day of year (and the season index) for slower
        /// data, the season index instead of the hour where the clock skips (business hours, closed days).
        case auto
        /// Hour of day and day of week whatever the cadence (what every model used before calendars were chosen).
        case hourAndWeek = "hour_and_week"
    }

    /// Which approximate posterior a model group trains and samples (`posterior`).
    public enum PosteriorChoice: String, Sendable, CaseIterable {
        /// BARNN: per-step Gaussian weight noise whose scale the current state sets.
        case barnn
        /// MC dropout: fixed Bernoulli dropout of the same gate inputs at `dropout_rate`, left on at prediction.
        case mcDropout = "mc_dropout"
        /// SGLD: a point-estimate network whose head is, per path, one of K Langevin-sampled particles.
        case sgld
        /// Bayes by Backprop: Gaussian gate weights, one sample per path, with Fortunato et al.'s scale-mixture prior.
        case bbb
    }

    /// How intervals are calibrated online.
    public enum CalibrationMethod: String, Sendable, CaseIterable {
        /// Adaptive conformal inference: the miscoverage level moves by `rate` after each hit or miss.
        case aci
        /// A rolling quantile of recent residuals over `window` steps.
        case rolling
        /// Online quantile tracking: each level's offset moves by `rate` (in units of the model's interval width)
        /// after each hit or miss; no residual window is kept, so it costs O(levels) per step and stream.
        case tracking
        /// Model quantiles as sampled, uncalibrated.
        case none
    }

    /// Whose scores `aci` and `rolling` read their quantiles from.
    public enum CalibrationPool: String, Sendable, CaseIterable {
        /// One window per horizon step and level for the whole model group, fed by all its streams; each stream
        /// keeps only its own effective levels (ACI's τ̃), a few hundred bytes.
        case group
        /// One window per stream, horizon step and level (`8·levels·window` bytes per step and stream).
        case stream
    }

    /// Calibration of a model group's intervals (`[models.NAME.calibration]`), per stream and horizon step.
    ///
    /// The default, adaptive conformal inference with γ = 0.005 on a window of 300, was chosen by backtests on the six
    /// development datasets (`docs/backtest.md`): geometric-mean sCRPS relative to seasonal naive 0.755 and mean
    /// |cov90 − 0.90| 0.008 (every dataset's cov90 in 0.880–0.905), the same calibration as window 1440 (0.742,
    /// 0.008) with a fifth of the saved state (8·levels·window bytes per horizon step: 144 KB per stream at 5 levels
    /// and H = 12). `tracking` (rate 0.005) keeps only tens of KB and scored 0.743 / 0.014 there, but left a
    /// deliberately over-confident model at 85 % coverage after 800 steps (`BacktestTests`), where ACI reaches 90 %;
    /// `rolling` under-covered taylor (0.851).
    public struct CalibrationSettings: Sendable, Equatable {
        /// The method. The default is `aci`.
        public var method = CalibrationMethod.aci
        /// Steps of recent outcomes kept (and over which empirical coverage is reported), ≥ 1; `aci` and `rolling`
        /// also keep this many residual scores per level and step. The default is 300.
        public var window = 300
        /// Step size in (0, 1): `aci`'s level step γ, or `tracking`'s offset step in units of the model's interval
        /// width. The default is 0.005 (tracking at 0.02 moved the medians too far on waterflow).
        public var rate = 0.005
        /// Publish the model's own median and correct only the other levels. The default is true: the conformal
        /// offset of the median is a bias correction learnt from outcomes H steps late, and on autocorrelated real
        /// errors it chased yesterday's error (14 development datasets, first fit, ACI: sCRPS/snaive 0.719 → 0.714,
        /// MASE 1.397 → 1.358, better on 13 of 14, coverage unchanged). The median's offset is held while it is
        /// kept (its score window still fills), so turning this off on running streams starts the median at its
        /// nominal level on the recent scores.
        public var keepMedian = true
        /// Whose score windows `aci` and `rolling` read: the model group's, shared by its streams (the default), or
        /// each stream's own. The group's pool keeps the windows once instead of once per stream.
        public var pool = CalibrationPool.group

        /// Creates the defaults.
        public init() {}
    }
}
