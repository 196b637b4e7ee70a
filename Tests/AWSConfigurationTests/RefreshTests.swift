import AWSIdentifiers
import XCTest
import Foundation
import AWSClient
@testable import AWSConfiguration
import TestSupport

/// Counts fetches and hands out numbered credentials expiring at a set time; a fetch can be held at a gate.
final class FetchScript: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var held: [CheckedContinuation<Void, Never>] = []
    private var gated = false
    private var failing = false
    var expiration: UnixTime

    init(expiration: UnixTime) { self.expiration = expiration }

    var fetches: Int { lock.withLock { count } }
    /// Fetches wait until `openGate()`.
    func holdFetches() { lock.withLock { gated = true } }
    func failFetches() { lock.withLock { failing = true } }
    /// Releases every held fetch (and lets later ones through).
    func openGate() {
        let waiting = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            gated = false
            defer { held = [] }
            return held
        }
        waiting.forEach { $0.resume() }
    }

    @Sendable func fetch() async throws -> Credentials {
        let (number, fail, expiration) = lock.withLock { count += 1; return (count, failing, self.expiration) }
        await withCheckedContinuation { continuation in
            let resumeNow = lock.withLock { () -> Bool in
                if !gated { return true }
                held.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        if fail { throw TestFailure("fetch failed") }
        return Credentials(accessKeyId: "ASIA\(number)", secretAccessKey: "s", sessionToken: "t", expiration: expiration)
    }
}

/// The refreshing provider on its own (an injected clock and fetch) and through the resolver against
/// the mock instance metadata endpoint.
final class RefreshTests: XCTestCase {
    func testRefreshesOnlyInsideTheWindow() async throws {
        let clock = TestClock()
        let script = FetchScript(expiration: clock.now.adding(seconds: 3600))
        let provider = RefreshingCredentials(refreshWindow: .seconds(300), now: clock.function, fetch: script.fetch)
        var key = try await provider.credentials().accessKeyId
        XCTAssertEqual(key, "ASIA1")
        clock.advance(3600 - 301)
        key = try await provider.credentials().accessKeyId
        XCTAssertEqual(key, "ASIA1", "301 s before expiry the cache is still used")
        XCTAssertEqual(script.fetches, 1)
        clock.advance(2)
        key = try await provider.credentials().accessKeyId
        XCTAssertEqual(key, "ASIA2", "299 s before expiry the credentials are fetched again")
        await provider.invalidate()
        key = try await provider.credentials().accessKeyId
        XCTAssertEqual(key, "ASIA3", "invalidate forgets the cache")
    }

    func testFailedRefreshKeepsUnexpiredCredentialsButNotExpiredOnes() async throws {
        let clock = TestClock()
        let script = FetchScript(expiration: clock.now.adding(seconds: 600))
        let provider = RefreshingCredentials(refreshWindow: .seconds(300), now: clock.function, fetch: script.fetch)
        _ = try await provider.credentials()
        script.failFetches()
        clock.advance(400)
        let key = try await provider.credentials().accessKeyId
        XCTAssertEqual(key, "ASIA1", "still valid for 200 s: used while the refresh fails")
        clock.advance(300)
        do {
            _ = try await provider.credentials()
            XCTFail("expired credentials must not be returned")
        } catch {
            XCTAssertEqual((error as? TestFailure)?.description, "fetch failed")
        }
    }

    func testConcurrentCallersShareOneFetch() async throws {
        let script = FetchScript(expiration: UnixTime.now().adding(seconds: 3600))
        script.holdFetches()
        let provider = RefreshingCredentials(fetch: script.fetch)
        let callers = 20
        let results = Task {
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<callers { group.addTask { try await provider.credentials().accessKeyId } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        var spins = 0
        while await provider.waitingCallers < callers - 1 || script.fetches == 0 {
            spins += 1
            if spins > 100_000 || script.fetches > 1 { XCTFail("callers did not queue behind one fetch (fetches: \(script.fetches))"); break }
            await Task.yield()
        }
        script.openGate()
        let keys = try await results.value
        XCTAssertEqual(keys, Array(repeating: "ASIA1", count: callers))
        XCTAssertEqual(script.fetches, 1)
    }

    func testExpiredInstanceMetadataCredentialsAreReplaced() async throws {
        let endpoints = try CredentialEndpoints(config: ["imds": ["role": "refresh-role"], "credentials": ["expiresIn": 3600]])
        addTeardownBlock { endpoints.stop() }
        let home = try TemporaryHome()
        let clock = TestClock()
        var environment = testEnvironment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoints.endpoint, "AWS_REGION": "us-east-1"])
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        let session = try await makeResolver(environment, home, clock: clock).resolve(profile: nil, region: nil)
        let credentialRequests = { try await endpoints.summary().filter { $0.hasPrefix("GET /latest/meta-data/iam/security-credentials/refresh-role") }.count }

        var key = try await session.credentials.credentials().accessKeyId
        XCTAssertEqual(key, "ASIAMOCKIMDS0")
        var fetched = try await credentialRequests()
        XCTAssertEqual(fetched, 1, "the resolver's fetch is reused")

        try await endpoints.rotate(expiresIn: 120)
        key = try await session.credentials.credentials().accessKeyId
        XCTAssertEqual(key, "ASIAMOCKIMDS0", "not yet near expiry: the rotated key is not fetched")

        clock.advance(3601)
        let replaced = try await session.credentials.credentials()
        XCTAssertEqual(replaced.accessKeyId, "ASIAMOCKIMDS1", "expired credentials are replaced")
        XCTAssertEqual(replaced.sessionToken, "mock-session-token-1")
        fetched = try await credentialRequests()
        XCTAssertEqual(fetched, 2)
    }
}
