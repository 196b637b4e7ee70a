import AWSIdentifiers
import URLSessionTransport
import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import AWSClient

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
        now: { UnixTime(secondsSince1970: 1_440_938_160) })  // 2015-08-30T12:36:00Z
}
