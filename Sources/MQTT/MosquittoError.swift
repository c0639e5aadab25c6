internal import CMosquitto

/// A libmosquitto call failed with a result code that is neither a bug nor a lost connection.
///
/// Keeps the raw `MOSQ_ERR_*` code and the C function's name; the text is looked up lazily.
public struct MosquittoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The raw `MOSQ_ERR_*` code.
    public let code: CInt
    /// The libmosquitto function that returned it.
    public let function: StaticString

    /// Wraps a code returned by `function`.
    public init(code: CInt, function: StaticString) {
        self.code = code
        self.function = function
    }

    public var description: String {
        "\(function): \(String(cString: mosquitto_strerror(code))) (MOSQ_ERR \(code))"
    }

    /// Whether the code only means the connection is gone (the reconnect machine handles those).
    public var isConnectionLoss: Bool {
        code == MOSQ_ERR_NO_CONN.rawValue || code == MOSQ_ERR_CONN_LOST.rawValue
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.function.description == rhs.function.description
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(function.description)
    }
}

/// Converts a libmosquitto result code: success returns, `INVAL`/`NOMEM` trap (a wrong argument is our bug and
/// an allocation failure is not recoverable here), anything else is thrown.
@discardableResult
func check(_ code: CInt, function: StaticString) throws(MosquittoError) -> CInt {
    switch code {
    case MOSQ_ERR_SUCCESS.rawValue:
        return code
    case MOSQ_ERR_INVAL.rawValue, MOSQ_ERR_NOMEM.rawValue:
        preconditionFailure("\(function) returned \(String(cString: mosquitto_strerror(code))) (\(code))")
    default:
        throw MosquittoError(code: code, function: function)
    }
}
