import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AWSClient
import URLSessionTransport
import AWSConfiguration

/// An environment with PATH and no instance metadata (tests never reach 169.254.169.254), plus `extra`.
func testEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true"]
    environment.merge(extra) { $1 }
    return environment
}

/// A resolver over `environment` and `home`, with URLSession and an optional hand-moved clock.
func makeResolver(_ environment: [String: String], _ home: TemporaryHome, clock: TestClock? = nil) -> AWSConfigurationResolver {
    AWSConfigurationResolver(environment: environment, homeDirectory: home.path, transport: URLSessionTransport(),
                             refreshWindow: .seconds(300), now: clock.map { $0.function } ?? { @Sendable in Date() })
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A temporary home directory with `.aws/config`, `.aws/credentials` and other files written by tests.
final class TemporaryHome {
    let url: URL
    var path: String { url.path }
    var configPath: String { path + "/.aws/config" }
    var credentialsPath: String { path + "/.aws/credentials" }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("awsconfiguration-tests-\(UUID().uuidString)")
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
    private var current = Date()
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    var function: @Sendable () -> Date { { [self] in now } }
}

enum Tools {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func python() throws -> String {
        guard let python = which("python3") else { throw XCTSkip("python3 is not on PATH") }
        return python
    }

    /// A loopback port nothing listens on (bound, then released).
    static func closedPort() throws -> Int {
        let child = try ChildProcess(executable: try python(), arguments: [
            "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
        ])
        return Int(try child.firstLine()) ?? 0
    }
}

/// A child process with stdout and stderr in files; the environment is cleared of the signal mask
/// test threads may block, so SIGTERM works.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let directory: URL

    init(executable: String, arguments: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("awsconfiguration-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["stdout", "stderr"] { _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil) }
        process.executableURL = URL(fileURLWithPath: try Tools.python())
        process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                             executable] + arguments
        process.currentDirectoryURL = Tools.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var stdout: String { (try? String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    /// The first line printed, waiting up to 60 s.
    func firstLine() throws -> String {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(60) {
            if let newline = stdout.firstIndex(of: "\n") { return String(stdout[..<newline]) }
            if !process.isRunning { throw TestFailure("child exited \(process.terminationStatus): \(stderr.suffix(2000))") }
            usleep(20_000)
        }
        throw TestFailure("no output line within 60 s")
    }

    /// SIGTERM to the process group when `group`, then SIGKILL after 5 s.
    func stop(group: Bool = false) {
        guard process.isRunning else { return }
        let target = group ? -process.processIdentifier : process.processIdentifier
        kill(target, SIGTERM)
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(target, SIGKILL) }
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
    }
}

/// `scripts/credential_endpoints.py`: mock IMDSv2, container and SSO portal endpoints.
final class CredentialEndpoints: @unchecked Sendable {
    let child: ChildProcess
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init(config: [String: Any]) throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        let script = Tools.packageRoot.appendingPathComponent("scripts/credential_endpoints.py").path
        child = try ChildProcess(executable: try Tools.python(), arguments: [script, "--config", text, "--timeout", "300"])
        guard let port = Int(try child.firstLine()) else { throw TestFailure("credential_endpoints.py printed no port") }
        self.port = port
    }

    func stop() { child.stop() }

    /// Makes later requests hand out a new key expiring in `expiresIn` seconds.
    func rotate(expiresIn: Int) async throws {
        let body = Array("{\"expiresIn\": \(expiresIn)}".utf8)
        let response = try await URLSessionTransport().send(
            HTTPRequest(method: "POST", url: endpoint + "/__rotate", headers: ["Content-Type": "application/json"], body: body), timeout: .seconds(10))
        guard response.status == 200 else { throw TestFailure("rotate answered \(response.status)") }
    }

    /// What was asked: method, path, query, status, tokenSent, tokenValid (never a token).
    func requests() async throws -> [[String: Any]] {
        let response = try await URLSessionTransport().send(HTTPRequest(method: "GET", url: endpoint + "/__requests"), timeout: .seconds(10))
        guard let list = try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]] else { throw TestFailure("bad /__requests") }
        return list
    }

    /// "METHOD path status" per request, for assertions that show no secrets.
    func summary() async throws -> [String] {
        try await requests().map { "\($0["method"] ?? "") \($0["path"] ?? "") \($0["status"] ?? "")" }
    }
}

/// A real `moto_server` on a free loopback port, under `timeout 600` so it stops by itself.
final class MotoServer: @unchecked Sendable {
    let child: ChildProcess
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(child: ChildProcess, port: Int) {
        self.child = child
        self.port = port
    }

    static func start() async throws -> MotoServer {
        guard let moto = Tools.which("moto_server"), let timeout = Tools.which("timeout") else {
            throw XCTSkip("moto_server is not installed: pip install 'moto[server]'")
        }
        let port = try Tools.closedPort()
        let server = MotoServer(child: try ChildProcess(executable: timeout, arguments: ["-k", "5", "600", moto, "-H", "127.0.0.1", "-p", String(port)]), port: port)
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(60) {
            guard server.child.process.isRunning else { throw TestFailure("moto_server exited: \(server.child.stderr.suffix(2000))") }
            if let response = try? await URLSessionTransport().send(HTTPRequest(method: "GET", url: server.endpoint + "/moto-api/data.json"), timeout: .seconds(2)),
               response.status == 200 {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw TestFailure("moto_server did not answer within 60 s")
    }

    func stop() { child.stop() }

    /// moto's record of the roles assumed through STS (role_arn, session_name, external_id, ...).
    func assumedRoles() async throws -> [[String: Any]] {
        let response = try await URLSessionTransport().send(HTTPRequest(method: "GET", url: endpoint + "/moto-api/data.json"), timeout: .seconds(10))
        let data = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return ((data?["sts"] as? [String: Any])?["AssumedRole"] as? [[String: Any]]) ?? []
    }
}
