internal import CMosquitto
import Glibc
import Logging
import Synchronization

/// The one owner of a `struct mosquitto *` and of the network thread that drives it.
///
/// The thread runs `mosquitto_loop` itself (rather than `mosquitto_loop_start`) so that reconnects follow
/// ``StateMachine`` with jittered backoff; `mosquitto_threaded_set(true)` makes libmosquitto queue packets
/// written from other threads (and the PUBACK of a message under delivery) for this thread instead of
/// writing them in place. Every callback runs on this thread.
///
/// `@unchecked Sendable`: libmosquitto guards the handle with its own mutexes once threaded mode is set, so
/// `mosquitto_publish` may be called from any thread; `machine`, the only `var`, is touched only on the network
/// thread (in `run()` and the callbacks it triggers); everything else that is shared is in a `Mutex` or an
/// `Atomic`.
final class MosquittoConnection: @unchecked Sendable {
    /// Connection phase and publish bookkeeping, read by other threads.
    struct Shared {
        var state: ConnectionState = .connecting
        /// QoS 1/2 message ids handed to libmosquitto and not yet acknowledged.
        var pendingMessageIDs: Set<Int32> = []
        var stopRequested = false
        var thread: pthread_t?
    }

    let configuration: MQTTConfiguration
    let logger: Logger
    let handle: OpaquePointer
    let incoming: MessageQueue
    let counters = CounterSet()
    let shared = Mutex(Shared())

    // Network thread only.
    var machine: StateMachine

    init(configuration: MQTTConfiguration, logger: Logger, seed: UInt64) throws(MQTTError) {
        _ = Self.libraryInitialised
        self.configuration = configuration
        self.logger = logger
        self.incoming = MessageQueue(capacity: configuration.incomingQueueCapacity)
        self.machine = StateMachine(backoff: configuration.reconnect, seed: seed)
        let cleanStart = configuration.session == .clean
        guard let handle = mosquitto_new(configuration.clientID, cleanStart, nil) else {
            preconditionFailure("mosquitto_new failed for client id '\(configuration.clientID)' (out of memory)")
        }
        self.handle = handle
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        do {
            try configureHandle()
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        installCallbacks()
    }

    deinit {
        // The network thread retains `self` until it exits, so it is gone by now and nothing can call back.
        mosquitto_destroy(handle)
    }

    private static let libraryInitialised: Bool = {
        mosquitto_lib_init()
        return true
    }()

    private func configureHandle() throws(MQTTError) {
        do {
            try check(mosquitto_threaded_set(handle, true), function: "mosquitto_threaded_set")
            let version = configuration.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
            try check(
                mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version),
                function: "mosquitto_int_option")
            try check(
                mosquitto_int_option(handle, MOSQ_OPT_RECEIVE_MAXIMUM, CInt(configuration.receiveMaximum)),
                function: "mosquitto_int_option")
            try check(mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1), function: "mosquitto_int_option")
            if let status = configuration.status {
                let payload = Array(status.offlinePayload.utf8)
                try check(
                    mosquitto_will_set(handle, status.topic, CInt(payload.count), payload, 1, true),
                    function: "mosquitto_will_set")
            }
            if let tls = configuration.tls {
                try check(
                    mosquitto_tls_set(handle, tls.caFile, tls.caDirectory, tls.certificateFile, tls.keyFile, nil),
                    function: "mosquitto_tls_set")
                try check(mosquitto_tls_insecure_set(handle, tls.insecure), function: "mosquitto_tls_insecure_set")
            }
        } catch {
            throw MQTTError(.connectionRefused, detail: "configuring libmosquitto: \(error)")
        }
    }

    // MARK: Thread

    /// Starts the network thread, which keeps `self` alive until ``stop()`` makes it exit. Idempotent.
    func start() {
        shared.withLock { shared in
            guard shared.thread == nil, !shared.stopRequested else { return }
            let retained = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            let result = pthread_create(
                &thread, nil,
                { argument in
                    let connection = Unmanaged<MosquittoConnection>.fromOpaque(argument!).takeRetainedValue()
                    connection.run()
                    return nil
                }, retained)
            precondition(result == 0, "pthread_create failed: \(result)")
            shared.thread = thread
        }
    }

    /// Asks the thread to leave, wakes it with a DISCONNECT, and joins it. Blocks for at most one loop turn
    /// (or the end of a blocking TCP connect in progress).
    func stop() {
        let (alreadyStopped, thread) = shared.withLock { shared in
            defer { shared.stopRequested = true }
            return (shared.stopRequested, shared.thread)
        }
        guard !alreadyStopped else { return }
        incoming.close()
        if let thread {
            _ = mosquitto_disconnect(handle)
            pthread_join(thread, nil)
        }
        shared.withLock { $0.state = .closed }
    }

    var stopRequested: Bool { shared.withLock { $0.stopRequested } }

    private func run() {
        var action = machine.start()
        while true {
            if stopRequested { action = machine.stop() }
            switch action {
            case .connect(let first):
                let succeeded = connect(first: first)
                if !succeeded { counters.reconnects.increment() }
                action = machine.connectReturned(succeeded: succeeded)
            case .runLoop:
                let code = mosquitto_loop(handle, 1000, 1)
                if code != MOSQ_ERR_SUCCESS.rawValue {
                    let savedErrno = errno
                    if stopRequested { continue }
                    noteLoopFailure(code, errno: savedErrno)
                    counters.reconnects.increment()
                    action = machine.loopFailed()
                }
            case .wait(let delay):
                sleepUnlessStopped(delay)
                action = machine.waitElapsed()
            case .exit:
                _ = mosquitto_disconnect(handle)
                return
            }
        }
    }

    private func sleepUnlessStopped(_ delay: Duration) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: delay)
        while clock.now < deadline, !stopRequested {
            usleep(10_000)
        }
    }

    /// One connection attempt; returns whether CONNECT was sent. Reads the password file every time.
    private func connect(first: Bool) -> Bool {
        shared.withLock { $0.state = .connecting }
        if let credentials = configuration.credentials {
            let password: String?
            do {
                password = try credentials.passwordFile.map(Self.readPasswordFile)
            } catch {
                record(error)
                return false
            }
            let code = mosquitto_username_pw_set(handle, credentials.username, password)
            guard code == MOSQ_ERR_SUCCESS.rawValue else {
                record(MQTTError(.connectionRefused, detail: "mosquitto_username_pw_set: \(code)"))
                return false
            }
        }
        if configuration.tls?.insecure == true {
            logger.warning(
                "TLS host name verification is off (tls.insecure)", metadata: ["mqtt.host": "\(configuration.host)"])
        }
        let code: CInt
        if first {
            var properties: OpaquePointer? = nil
            defer { mosquitto_property_free_all(&properties) }
            if configuration.protocolVersion == .v5, case .persistent(let expiry) = configuration.session {
                let seconds = UInt32(clamping: expiry.components.seconds)
                mosquitto_property_add_int32(&properties, CInt(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), seconds)
            }
            code = mosquitto_connect_bind_v5(
                handle, configuration.host, CInt(configuration.port), CInt(configuration.keepAlive), nil, properties)
        } else {
            code = mosquitto_reconnect(handle)
        }
        if code == MOSQ_ERR_SUCCESS.rawValue { return true }
        noteLoopFailure(code, errno: errno)
        return false
    }

    static func readPasswordFile(_ path: String) throws(MQTTError) -> String {
        guard let file = fopen(path, "r") else {
            throw MQTTError(.passwordFileUnreadable, detail: "\(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            bytes += buffer[..<count]
            if count < buffer.count { break }
        }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Classifies a failed connect or loop result and records it as the current state. `errno` is the value
    /// saved right after the call, before anything else could overwrite it.
    private func noteLoopFailure(_ code: CInt, errno savedErrno: CInt) {
        let error: MQTTError
        switch code {
        case MOSQ_ERR_TLS.rawValue, MOSQ_ERR_TLS_HANDSHAKE.rawValue:
            error = MQTTError(.tlsFailure, detail: "\(configuration.host):\(configuration.port)")
        case MOSQ_ERR_CONN_REFUSED.rawValue, MOSQ_ERR_PROTOCOL.rawValue, MOSQ_ERR_AUTH.rawValue:
            // A refused CONNACK was already recorded by the callback with its reason code; keep that one.
            if case .disconnected(let previous?) = shared.withLock({ $0.state }),
                previous.code == .notAuthorized || previous.code == .connectionRefused
            {
                return
            }
            error = MQTTError(.connectionRefused, detail: String(cString: mosquitto_strerror(code)))
        default:
            let reason = code == MOSQ_ERR_ERRNO.rawValue ? String(cString: strerror(savedErrno)) : ""
            error = MQTTError(
                .unreachable,
                detail:
                    "\(configuration.host):\(configuration.port): \(String(cString: mosquitto_strerror(code))) \(reason)"
            )
        }
        record(error)
    }

    func record(_ error: MQTTError) {
        logger.info("mqtt connection down", metadata: ["mqtt.error": "\(error)"])
        shared.withLock { $0.state = .disconnected(error) }
    }
}
