// Re-executes itself the way barnnd does when it corrects OpenBLAS's kernels, with a second thread that takes stop
// signals, as OpenBLAS's workers do, and sends itself SIGINT between the hold and the exec.
// Prints `unmasked N` (threads other than this one that still take SIGTERM or SIGINT after the hold) before the exec
// and `received S` (the stop signal read from the pipe) after it.
// Usage: early-signals-probe run
import CEarlySignals
import Foundation
import Glibc

/// Threads of this process, other than the caller, whose `SigBlk` lacks SIGTERM or SIGINT.
func threadsTakingStopSignals() -> Int {
    // `/proc/thread-self` links to `PID/task/TID` of the calling thread.
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"))
        .flatMap { $0.split(separator: "/").last }.flatMap { Int32($0) }
    let stop = (UInt64(1) << UInt64(SIGTERM - 1)) | (UInt64(1) << UInt64(SIGINT - 1))
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap(Int32.init).filter { $0 != me }.filter { tid in
        let status = (try? String(contentsOfFile: "/proc/self/task/\(tid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
            let mask = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return mask & stop != stop
    }.count
}

func say(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(1, $0, strlen($0)) }
}

guard CommandLine.arguments.count >= 2, CommandLine.arguments[1] == "run", barnnd_stop_signals_caught() == 1 else {
    say("usage: early-signals-probe run")
    exit(2)
}
if CommandLine.arguments.count == 3 {
    say("received \(barnnd_wait_for_stop_signal())")
    exit(0)
}
let worker = Thread { while true { sleep(60) } }
worker.start()
while threadsTakingStopSignals() == 0 { usleep(1000) }
guard barnnd_hold_stop_signals_for_exec() == 0 else {
    say("hold failed")
    exit(1)
}
say("unmasked \(threadsTakingStopSignals())")
kill(getpid(), SIGINT)
var argv: [UnsafeMutablePointer<CChar>?] = [strdup("early-signals-probe"), strdup("run"), strdup("after-exec"), nil]
execv("/proc/self/exe", &argv)
say("exec failed: \(errno)")
exit(1)
