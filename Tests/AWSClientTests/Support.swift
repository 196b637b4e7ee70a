import URLSessionTransport
import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import AWSClient

// MARK: - Running Python peers

enum Peer {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Finds an executable on PATH.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `python3 -c script` with `input` on stdin; returns stdout, throws on a non-zero exit.
    static func python(_ script: String, input: [UInt8] = []) throws -> [UInt8] {
        guard let python = which("python3") else { throw Failure(description: "python3 is not on PATH") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("awsclient-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("stdin")
        let errorURL = directory.appendingPathComponent("stderr")
        try Data(input).write(to: inputURL)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        let stdout = Pipe()
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let errorText = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
            throw Failure(description: "python3 exited \(process.terminationStatus): \(errorText)")
        }
        return Array(output)
    }

    /// Whether `import module` works in python3.
    static func hasPythonModule(_ module: String) -> Bool {
        (try? python("import \(module)")) != nil
    }
}

// MARK: - Transports

/// A transport that answers from a script and records what it was sent.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    enum Step {
        case respond(HTTPResponse)
        case fail(any Error)
    }

    private let lock = NSLock()
    private var steps: [Step]
    private var recorded: [(request: HTTPRequest, timeout: Duration)] = []

    init(_ steps: [Step]) {
        self.steps = steps
    }

    convenience init(status: Int = 200, headers: HTTPHeaders = [:], body: String) {
        self.init([.respond(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))])
    }

    var requests: [HTTPRequest] { lock.lock(); defer { lock.unlock() }; return recorded.map(\.request) }
    var timeouts: [Duration] { lock.lock(); defer { lock.unlock() }; return recorded.map(\.timeout) }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let step: Step? = lock.withLock {
            recorded.append((request, timeout))
            return steps.isEmpty ? nil : steps.removeFirst()
        }
        switch step {
        case .respond(let response): return response
        case .fail(let error): throw error
        case nil: throw HTTPTransportError.failed("script exhausted")
        }
    }
}

/// A manual clock for retry tests: `sleep` advances it and records the durations.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: ContinuousClock.Instant
    private var slept: [Duration] = []

    init(start: ContinuousClock.Instant = .now) {
        current = start
    }

    var now: ContinuousClock.Instant { lock.lock(); defer { lock.unlock() }; return current }
    var sleeps: [Duration] { lock.lock(); defer { lock.unlock() }; return slept }

    func advance(_ duration: Duration) {
        lock.lock()
        current = current.advanced(by: duration)
        lock.unlock()
    }

    func sleep(_ duration: Duration) {
        lock.lock()
        slept.append(duration)
        current = current.advanced(by: duration)
        lock.unlock()
    }
}

/// A locked mutable value for tests.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withValue<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
    var current: Value { withValue { $0 } }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

extension HTTPRequest {
    var bodyString: String { String(decoding: body, as: UTF8.self) }
}

/// Retry policy that never really sleeps.
func instantRetryPolicy(clock: FakeClock, maxAttempts: Int = 4, random: Double = 0.5) -> RetryPolicy {
    RetryPolicy(maxAttempts: maxAttempts, random: { random }, sleep: { clock.sleep($0) }, now: { clock.now })
}

func testClient(
    _ transport: any HTTPTransport,
    credentials: Credentials = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    environment: [String: String] = [:],
    region: String = "us-east-1",
    retryPolicy: RetryPolicy? = nil
) -> AWSClient {
    let clock = FakeClock()
    return AWSClient(
        transport: transport, credentials: credentials, endpoints: EndpointResolver(environment: environment), region: region,
        retryPolicy: retryPolicy ?? instantRetryPolicy(clock: clock),
        now: { Date(timeIntervalSince1970: 1_440_938_160) })  // 2015-08-30T12:36:00Z
}
