import Foundation
import Hummingbird
import Logging

/// HTTP basic authentication for every route added after it: a request without the right user and password gets
/// 401 with a `WWW-Authenticate` challenge.
struct BasicAuthentication<Context: RequestContext>: RouterMiddleware {
    /// `user:password` as the client sends it before base64.
    let expected: [UInt8]
    /// Called for each refused request (it counts them).
    let refused: @Sendable () -> Void

    init(username: String, password: String, refused: @escaping @Sendable () -> Void) {
        expected = Array("\(username):\(password)".utf8)
        self.refused = refused
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], Self.matches(header, expected) else {
            refused()
            // Debug only: every scrape without credentials would otherwise log; the counter shows them.
            context.logger.debug("http request refused: missing or wrong credentials")
            return Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Basic realm=\"barnnd\", charset=\"UTF-8\"", .contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "authentication required\n")))
        }
        return try await next(request, context)
    }

    /// Whether `header` is `Basic <base64 of expected>`, compared in time independent of where they differ.
    static func matches(_ header: String, _ expected: [UInt8]) -> Bool {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1].trimmingCharacters(in: .whitespaces)))
        else { return false }
        return constantTimeEqual(Array(decoded), expected)
    }

    /// Compares every byte of the longer input, so the time taken says nothing about the first difference.
    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        difference |= left.count == right.count ? 0 : 1
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}
