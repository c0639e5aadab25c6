import Testing

@testable import MQTT

@Suite struct StateMachineTests {
    typealias Machine = MosquittoConnection.StateMachine
    let backoff = MQTTConfiguration.Backoff(initial: .seconds(1), maximum: .seconds(30))

    @Test func firstConnackSubscribesEvenWithASessionPresent() {
        var machine = Machine(backoff: backoff, seed: 1)
        #expect(machine.start() == .connect(first: true))
        #expect(machine.connectReturned(succeeded: true) == .runLoop)
        #expect(machine.connackReceived(accepted: true, sessionPresent: true) == .announceOnline(subscribe: true))
        #expect(machine.state == .connected(subscribed: true))
    }

    @Test func laterConnacksResubscribeOnlyWithoutASession() {
        var machine = Machine(backoff: backoff, seed: 1)
        _ = machine.start()
        _ = machine.connectReturned(succeeded: true)
        _ = machine.connackReceived(accepted: true, sessionPresent: false)

        guard case .wait = machine.loopFailed() else { Issue.record("expected a backoff wait"); return }
        #expect(machine.waitElapsed() == .connect(first: false))
        #expect(machine.connectReturned(succeeded: true) == .runLoop)
        #expect(machine.connackReceived(accepted: true, sessionPresent: true) == .announceOnline(subscribe: false))

        _ = machine.loopFailed()
        _ = machine.waitElapsed()
        _ = machine.connectReturned(succeeded: true)
        #expect(machine.connackReceived(accepted: true, sessionPresent: false) == .announceOnline(subscribe: true))
    }

    @Test func refusedConnackBacksOffAndKeepsCountingAttempts() {
        var machine = Machine(backoff: backoff, seed: 7)
        _ = machine.start()
        _ = machine.connectReturned(succeeded: true)
        #expect(machine.connackReceived(accepted: false, sessionPresent: false) == .none)
        guard case .wait(let first) = machine.loopFailed() else { Issue.record("expected a wait"); return }
        #expect(first >= .milliseconds(500) && first <= .seconds(1))
        _ = machine.waitElapsed()
        guard case .wait(let second) = machine.connectReturned(succeeded: false) else {
            Issue.record("expected a wait")
            return
        }
        #expect(second >= .seconds(1) && second <= .seconds(2))
        #expect(machine.state == .backingOff(attempt: 2, subscribed: false))
    }

    @Test func backoffDoublesWithinEqualJitterBoundsAndCaps() {
        let machine = Machine(backoff: backoff, seed: 3)
        for attempt in 0..<12 {
            let ceiling = min(30.0, Double(1 << attempt))
            let low = machine.delay(attempt: attempt, unit: 0)
            let high = machine.delay(attempt: attempt, unit: 1)
            #expect(abs(seconds(low) - ceiling / 2) < 1e-6)
            #expect(abs(seconds(high) - ceiling) < 1e-6)
        }
    }

    @Test func jitterIsSeededAndSpreadsClients() {
        func delays(seed: UInt64) -> [Duration] {
            var machine = Machine(backoff: backoff, seed: seed)
            _ = machine.start()
            var result: [Duration] = []
            var action = machine.connectReturned(succeeded: false)
            for _ in 0..<6 {
                guard case .wait(let delay) = action else { return result }
                result.append(delay)
                _ = machine.waitElapsed()
                action = machine.connectReturned(succeeded: false)
            }
            return result
        }
        #expect(delays(seed: 42) == delays(seed: 42))
        #expect(delays(seed: 42) != delays(seed: 43))
        #expect(delays(seed: 42).count == 6)
    }

    @Test func stopWinsOverEveryLaterEvent() {
        var machine = Machine(backoff: backoff, seed: 1)
        _ = machine.start()
        #expect(machine.stop() == .exit)
        #expect(machine.connectReturned(succeeded: true) == .exit)
        #expect(machine.loopFailed() == .exit)
        #expect(machine.waitElapsed() == .exit)
        #expect(machine.connackReceived(accepted: true, sessionPresent: false) == .none)
        #expect(machine.start() == .exit)
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
