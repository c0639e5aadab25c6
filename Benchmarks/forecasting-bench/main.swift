// forecasting-bench: per-observation cost of the streaming statistics the engine runs for every stream.
// Prints JSON lines; the reference is the scoring the engine must do anyway (HorizonScores over H steps),
// measured in the same run. Release build: swift run -c release forecasting-bench
// With `calibration DATA_DIR` it compares the calibration methods on real data instead.
import BenchmarkSupport

beginBenchmark()
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "calibration" {
    try runCalibrationOnRealData(directory: CommandLine.arguments[2])
} else {
    try runPerformanceBench()
}
