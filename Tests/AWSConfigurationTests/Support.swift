import AWSIdentifiers
import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AWSClient
import URLSessionTransport
import AWSConfiguration
import TestSupport

/// An environment with PATH and no instance metadata (tests never reach 169.254.169.254), plus `extra`.
func testEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true"]
    environment.merge(extra) { $1 }
    return environment
}

/// A resolver over `environment` and `home`, with URLSession and an optional hand-moved clock.
func makeResolver(_ environment: [String: String], _ home: TemporaryHome, clock: TestClock? = nil) -> AWSConfigurationResolver {
    AWSConfigurationResolver(environment: environment, homeDirectory: home.path, transport: URLSessionTransport(),
                             refreshWindow: .seconds(300), now: clock.map { $0.function } ?? { @Sendable in UnixTime.now() })
}

/// A temporary home directory with `.aws/config`, `.aws/credentials` and other files written by tests.
final class TemporaryHome {
    let url: URL
    var path: String { url.path }
    var configPath: String { path + "/.aws/config" }
    var credentialsPath: String { path + "/.aws/credentials" }

    init() throws {
        url = try Tools.temporaryDirectory()
        try FileManager.default.createDirectory(at: url.appendingPathComponent(".aws/sso/cache"), withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `relativePath` under the home directory; returns the absolute path.
    @discardableResult
    func write(_ relativePath: String, _ text: String, executable: Bool = false) throws -> String {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path) }
        return file.path
    }

    func config(_ text: String) throws { try write(".aws/config", text) }
    func credentials(_ text: String) throws { try write(".aws/credentials", text) }
}

/// A wall clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = UnixTime.now()
    var now: UnixTime { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.adding(seconds: seconds) } }
    var function: @Sendable () -> UnixTime { { [self] in now } }
}

/// `scripts/credential_endpoints.py`: mock IMDSv2, container and SSO portal endpoints.
final class CredentialEndpoints: @unchecked Sendable {
    let server: ScriptServer
    var endpoint: String { server.url }

    init(config: [String: Any]) throws {
        server = try ScriptServer(script: "scripts/credential_endpoints.py", arguments: ["--config", try jsonText(config), "--timeout", "300"],
                                  readyWithin: .seconds(60))
    }

    func stop() { server.stop() }

    /// Makes later requests hand out a new key expiring in `expiresIn` seconds.
    func rotate(expiresIn: Int) async throws {
        try await server.postJSON("/__rotate", ["expiresIn": expiresIn])
    }

    /// What was asked: method, path, query, status, tokenSent, tokenValid (never a token).
    func requests() async throws -> [[String: Any]] { try await server.requests() }

    /// "METHOD path status" per request, for assertions that show no secrets.
    func summary() async throws -> [String] {
        try await requests().map { "\($0["method"] ?? "") \($0["path"] ?? "") \($0["status"] ?? "")" }
    }
}
