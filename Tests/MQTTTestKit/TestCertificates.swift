public import Foundation

/// A throwaway CA and a server certificate it signed, made with the `openssl` command line.
///
/// The server certificate names only the IP address 127.0.0.1 (subjectAltName `IP:127.0.0.1`) and has the
/// common name `barnnd-test-server`: connecting to `127.0.0.1` verifies, connecting to `localhost` is a host
/// name mismatch.
public struct TestCertificates: Sendable {
    /// PEM CA certificate to trust.
    public let caFile: String
    /// PEM server certificate.
    public let serverCertificateFile: String
    /// PEM server key.
    public let serverKeyFile: String

    /// Generates the files in `directory` (EC P-256 keys, valid two days).
    public init(directory: URL) throws {
        let openssl = try MosquittoBroker.find("openssl")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        caFile = path("ca.crt")
        serverCertificateFile = path("server.crt")
        serverKeyFile = path("server.key")
        let extensions = path("server.ext")
        try "subjectAltName = IP:127.0.0.1\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try MosquittoBroker.run(
            openssl,
            ["req", "-x509"] + key + [
                "-keyout", path("ca.key"), "-out", caFile, "-days", "2", "-subj", "/CN=barnnd-test-ca",
            ])
        try MosquittoBroker.run(
            openssl,
            ["req"] + key + [
                "-keyout", serverKeyFile, "-out", path("server.csr"), "-subj", "/CN=barnnd-test-server",
            ])
        try MosquittoBroker.run(
            openssl,
            [
                "x509", "-req", "-in", path("server.csr"), "-CA", caFile, "-CAkey", path("ca.key"),
                "-CAcreateserial", "-out", serverCertificateFile, "-days", "2", "-extfile", extensions,
            ])
    }
}
