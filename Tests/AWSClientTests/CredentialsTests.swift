import AWSIdentifiers
import XCTest
import Foundation
@testable import AWSClient

final class CredentialsTests: XCTestCase {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    let token = "IQoJb3JpZ2luX2VjEJr-session-token"

    func testEnvironmentCredentials() throws {
        let full = try EnvironmentCredentials(environment: [
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token,
        ]).credentials()
        XCTAssertEqual(full, Credentials(accessKeyId: "AKID", secretAccessKey: secret, sessionToken: token))
        let longTerm = try EnvironmentCredentials(environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": ""])
            .credentials()
        XCTAssertNil(longTerm.sessionToken)
        XCTAssertThrowsError(try EnvironmentCredentials(environment: ["AWS_SECRET_ACCESS_KEY": secret]).credentials()) {
            XCTAssertEqual($0 as? AWSClientError, .missingCredentials("AWS_ACCESS_KEY_ID"))
        }
        XCTAssertThrowsError(try EnvironmentCredentials(environment: ["AWS_ACCESS_KEY_ID": "AKID"]).credentials()) {
            XCTAssertEqual($0 as? AWSClientError, .missingCredentials("AWS_SECRET_ACCESS_KEY"))
            XCTAssertEqual("\($0)", "missing AWS credentials: AWS_SECRET_ACCESS_KEY is not set")
        }
    }

    func testSecretsNeverAppearInDescriptions() {
        let credentials = Credentials(accessKeyId: "AKID", secretAccessKey: secret, sessionToken: token,
                                      expiration: UnixTime(secondsSince1970: 1_310_772_513))
        var dumped = ""
        dump(credentials, to: &dumped)
        var dumpedInArray = ""
        dump([credentials], to: &dumpedInArray)
        let renderings = [
            "\(credentials)", credentials.description, credentials.debugDescription, String(reflecting: credentials),
            String(describing: credentials), dumped, dumpedInArray, "\([credentials])", "\(Optional(credentials) as Any)",
        ]
        for text in renderings {
            XCTAssertFalse(text.contains(secret), text)
            XCTAssertFalse(text.contains(token), text)
        }
        XCTAssertEqual(credentials.description,
                       "Credentials(accessKeyId: AKID, secretAccessKey: <redacted>, sessionToken: <redacted>, expiration: 2011-07-15T23:28:33Z)")
        // Signed requests redact the token and signature too.
        var request = HTTPRequest(method: "POST", url: "https://sts.us-east-1.amazonaws.com/", body: "Action=x".bytes)
        try? SigV4.sign(request: &request, credentials: credentials, region: "us-east-1", service: "sts", date: UnixTime.now())
        for text in ["\(request)", String(reflecting: request), "\(request.headers)"] {
            XCTAssertFalse(text.contains(token), text)
            XCTAssertFalse(text.contains("Signature="), text)
            XCTAssertTrue(text.contains("X-Amz-Security-Token: <redacted>"), text)
        }
        let response = HTTPResponse(status: 200, body: "<SecretAccessKey>\(secret)</SecretAccessKey>".bytes)
        XCTAssertFalse("\(response)".contains(secret))
        XCTAssertFalse(String(reflecting: response).contains(secret))
    }
}

final class AssumeRoleCacheTests: XCTestCase {
    final class WallClock: @unchecked Sendable {
        private let lock = NSLock()
        private var value = UnixTime(secondsSince1970: 1_700_000_000)
        var now: UnixTime { lock.withLock { value } }
        func advance(_ seconds: TimeInterval) { lock.withLock { value = value.adding(seconds: seconds) } }
    }

    static func make(_ n: Int, expiresIn seconds: TimeInterval?, from clock: WallClock) -> Credentials {
        Credentials(accessKeyId: "ASIA\(n)", secretAccessKey: "s\(n)", sessionToken: "t\(n)",
                    expiration: seconds.map { clock.now.adding(seconds: $0) })
    }

    func testCachesUntilFiveMinutesBeforeExpiry() async throws {
        let clock = WallClock()
        let cache = AssumeRoleCache(now: { clock.now })
        let fetches = Locked(0)
        let fetch: @Sendable () async throws -> Credentials = {
            let n = fetches.withValue { $0 += 1; return $0 }
            return Self.make(n, expiresIn: 3600, from: clock)
        }
        let role = "arn:aws:iam::111111111111:role/Reader"
        let first = try await cache.credentials(account: "111111111111", roleArn: role, fetch: fetch)
        XCTAssertEqual(first.accessKeyId, "ASIA1")
        clock.advance(3600 - 301)
        let second = try await cache.credentials(account: "111111111111", roleArn: role, fetch: fetch)
        XCTAssertEqual(second.accessKeyId, "ASIA1", "still more than 5 minutes left")
        clock.advance(2)
        let third = try await cache.credentials(account: "111111111111", roleArn: role, fetch: fetch)
        XCTAssertEqual(third.accessKeyId, "ASIA2", "refreshed within 5 minutes of expiry")
        // Another account, or another role, is another entry.
        let other = try await cache.credentials(account: "222222222222", roleArn: "arn:aws:iam::222222222222:role/Reader", fetch: fetch)
        XCTAssertEqual(other.accessKeyId, "ASIA3")
        let otherRole = try await cache.credentials(account: "111111111111", roleArn: "arn:aws:iam::111111111111:role/Writer", fetch: fetch)
        XCTAssertEqual(otherRole.accessKeyId, "ASIA4")
        let again = try await cache.credentials(account: "111111111111", roleArn: role, fetch: fetch)
        XCTAssertEqual(again.accessKeyId, "ASIA2")
        await cache.invalidate(account: "111111111111", roleArn: role)
        let afterInvalidate = try await cache.credentials(account: "111111111111", roleArn: role, fetch: fetch)
        XCTAssertEqual(afterInvalidate.accessKeyId, "ASIA5")
        XCTAssertEqual(fetches.current, 5)
    }

    func testShortLivedCredentialsAreNotCachedAndFailuresAreNot() async throws {
        let clock = WallClock()
        let cache = AssumeRoleCache(now: { clock.now })
        let fetches = Locked(0)
        let shortLived: @Sendable () async throws -> Credentials = {
            let n = fetches.withValue { $0 += 1; return $0 }
            return Self.make(n, expiresIn: 120, from: clock)
        }
        _ = try await cache.credentials(account: "1", roleArn: "r", fetch: shortLived)
        _ = try await cache.credentials(account: "1", roleArn: "r", fetch: shortLived)
        XCTAssertEqual(fetches.current, 2)
        struct Boom: Error {}
        do {
            _ = try await cache.credentials(account: "1", roleArn: "x") { throw Boom() }
            XCTFail("expected an error")
        } catch is Boom {}
        let recovered = try await cache.credentials(account: "1", roleArn: "x") { Self.make(9, expiresIn: nil, from: clock) }
        XCTAssertEqual(recovered.accessKeyId, "ASIA9")
        clock.advance(10 * 365 * 86_400)
        let forever = try await cache.credentials(account: "1", roleArn: "x") { XCTFail("no fetch expected"); throw Boom() }
        XCTAssertEqual(forever.accessKeyId, "ASIA9")
    }

    func testConcurrentRequestsShareOneFetch() async throws {
        let clock = WallClock()
        let cache = AssumeRoleCache(now: { clock.now })
        let fetches = Locked(0)
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.credentials(account: "1", roleArn: "r") {
                        let n = fetches.withValue { $0 += 1; return $0 }
                        try await Task.sleep(for: .milliseconds(50))
                        return Self.make(n, expiresIn: 3600, from: clock)
                    }.accessKeyId
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(results), ["ASIA1"])
        XCTAssertEqual(fetches.current, 1)
    }

    func testAssumedRoleCredentialsProvider() async throws {
        let transport = ScriptedTransport(body: assumeRoleResponseXML)
        let sts = testClient(transport)
        let provider = AssumedRoleCredentials(sts: sts, cache: AssumeRoleCache(now: { UnixTime(secondsSince1970: 1_573_300_000) }),
                                              roleArn: "arn:aws:iam::123456789012:role/CatalogWatchReader", sessionName: "catalogwatch")
        XCTAssertEqual(provider.account, "123456789012")
        let first = try await provider.credentials()
        let second = try await provider.credentials()
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.accessKeyId, "ASIAEXAMPLE")
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(AssumedRoleCredentials(sts: sts, cache: AssumeRoleCache(), roleArn: "bogus", sessionName: "s").account, "")
    }
}
