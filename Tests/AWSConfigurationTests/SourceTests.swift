import AWSIdentifiers
import XCTest
import Foundation
import AWSClient
import URLSessionTransport
@testable import AWSConfiguration
import TestSupport

/// One test per credential source that needs no HTTP mock: environment, web identity and AssumeRole
/// (against moto), static keys, source_profile errors, credential_process.
final class SourceTests: XCTestCase {
    func startMoto() async throws -> MotoServer {
        let moto = try await MotoServer.start(needsBoto3: false)
        addTeardownBlock { moto.stop() }
        return moto
    }

    func testEnvironmentKeys() async throws {
        let home = try TemporaryHome()
        let environment = testEnvironment([
            "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token",
            "AWS_REGION": "eu-west-1",
        ])
        let session = try await makeResolver(environment, home).resolve(profile: nil, region: nil)
        let credentials = try await session.credentials.credentials()
        XCTAssertEqual(credentials, Credentials(accessKeyId: "AKIAENVIRONMENT", secretAccessKey: "env-secret", sessionToken: "env-token"))
        XCTAssertEqual(session.source, "environment variables (AWS_ACCESS_KEY_ID)")
        XCTAssertEqual(session.region, "eu-west-1")

        let partial = testEnvironment(["AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT", "AWS_REGION": "eu-west-1"])
        do {
            _ = try await makeResolver(partial, home).resolve(profile: nil, region: nil)
            XCTFail("a key id without a secret must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertEqual(error.description, "environment variables: missing AWS credentials: AWS_SECRET_ACCESS_KEY is not set")
        }
    }

    func testWebIdentityFromEnvironmentCallsSTS() async throws {
        let moto = try await startMoto()
        let home = try TemporaryHome()
        let tokenFile = try home.write("token", "eyJhbGciOiJSUzI1NiJ9.web-identity-token.signature\n")
        let environment = testEnvironment([
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci",
            "AWS_ROLE_SESSION_NAME": "ci-run-42", "AWS_ENDPOINT_URL_STS": moto.endpoint, "AWS_REGION": "us-east-1",
        ])
        let session = try await makeResolver(environment, home).resolve(profile: nil, region: nil)
        let credentials = try await session.credentials.credentials()
        XCTAssertTrue(credentials.accessKeyId.hasPrefix("ASIA"), credentials.accessKeyId)
        XCTAssertNotNil(credentials.sessionToken)
        XCTAssertNotNil(credentials.expiration)
        XCTAssertEqual(session.source, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN arn:aws:iam::123456789012:role/ci)")
        let assumed = try await moto.assumedRoles()
        XCTAssertTrue(assumed.contains { $0["session_name"] as? String == "ci-run-42" && $0["role_arn"] as? String == "arn:aws:iam::123456789012:role/ci" },
                      "moto did not record the web identity session")
    }

    func testStaticKeysFromSharedFiles() async throws {
        let home = try TemporaryHome()
        try home.config("""
            [default]
            region = ap-northeast-1
            aws_access_key_id = AKIAFROMCONFIG
            aws_secret_access_key = config-secret
            """)
        try home.credentials("""
            # written by aws configure
            [default]
            aws_access_key_id = AKIAFROMCREDENTIALS
            aws_secret_access_key = credentials-secret
            """)
        let session = try await makeResolver(testEnvironment(), home).resolve(profile: nil, region: nil)
        let credentials = try await session.credentials.credentials()
        XCTAssertEqual(credentials, Credentials(accessKeyId: "AKIAFROMCREDENTIALS", secretAccessKey: "credentials-secret"))
        XCTAssertEqual(session.source, "profile default: static keys")
        XCTAssertEqual(session.region, "ap-northeast-1")
    }

    func testAssumeRoleViaSourceProfileCallsSTS() async throws {
        let moto = try await startMoto()
        let home = try TemporaryHome()
        try home.config("""
            [profile base]
            region = us-east-1
            [profile prod]
            role_arn = arn:aws:iam::111122223333:role/Deploy
            source_profile = base
            role_session_name = catalogwatch-test
            external_id = ext-4711
            duration_seconds = 1800
            [profile chained]
            role_arn = arn:aws:iam::444455556666:role/Second
            source_profile = prod
            [profile from-env]
            role_arn = arn:aws:iam::111122223333:role/FromEnvironment
            credential_source = Environment
            """)
        try home.credentials("[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n")
        let environment = testEnvironment(["AWS_ENDPOINT_URL_STS": moto.endpoint])
        let start = UnixTime.now()
        let session = try await makeResolver(environment, home).resolve(profile: "prod", region: "us-east-1")
        let credentials = try await session.credentials.credentials()
        XCTAssertTrue(credentials.accessKeyId.hasPrefix("ASIA"), credentials.accessKeyId)
        XCTAssertNotNil(credentials.sessionToken)
        let lifetime = try XCTUnwrap(credentials.expiration).seconds(since: start)
        XCTAssertTrue((1700...1900).contains(lifetime), "duration_seconds 1800 not applied: \(lifetime)")
        XCTAssertEqual(session.source, "profile prod: role_arn via source_profile base (static keys)")
        var assumed = try await moto.assumedRoles()
        XCTAssertTrue(assumed.contains {
            $0["role_arn"] as? String == "arn:aws:iam::111122223333:role/Deploy" && $0["session_name"] as? String == "catalogwatch-test"
                && $0["external_id"] as? String == "ext-4711"
        }, "moto did not record the AssumeRole with its session name and external id")

        let chained = try await makeResolver(environment, home).resolve(profile: "chained", region: "us-east-1")
        let key1 = try await chained.credentials.credentials().accessKeyId
        XCTAssertTrue(key1.hasPrefix("ASIA"))
        XCTAssertEqual(chained.source,
                       "profile chained: role_arn via source_profile prod (role_arn via source_profile base (static keys))")
        assumed = try await moto.assumedRoles()
        XCTAssertTrue(assumed.contains { $0["role_arn"] as? String == "arn:aws:iam::444455556666:role/Second" })

        let withKeys = environment.merging(["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret"]) { $1 }
        let fromEnvironment = try await makeResolver(withKeys, home).resolve(profile: "from-env", region: "us-east-1")
        let key2 = try await fromEnvironment.credentials.credentials().accessKeyId
        XCTAssertTrue(key2.hasPrefix("ASIA"))
        XCTAssertEqual(fromEnvironment.source, "profile from-env: role_arn via credential_source Environment")
    }

    func testSourceProfileCycleAndMissingSourceAreErrors() async throws {
        let home = try TemporaryHome()
        try home.config("""
            [profile a]
            role_arn = arn:aws:iam::111122223333:role/A
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::111122223333:role/B
            source_profile = a
            [profile orphan]
            role_arn = arn:aws:iam::111122223333:role/C
            source_profile = nowhere
            """)
        let resolver = makeResolver(testEnvironment(), home)
        do {
            _ = try await resolver.resolve(profile: "a", region: "us-east-1")
            XCTFail("a cycle must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertEqual(error.kind, .invalidConfiguration)
            XCTAssertTrue(error.description.contains("source_profile cycle a -> b -> a"), error.description)
        }
        do {
            _ = try await resolver.resolve(profile: "orphan", region: "us-east-1")
            XCTFail("a missing source profile must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertEqual(error.kind, .profileNotFound)
            XCTAssertEqual(error.description,
                           "profile \"orphan\": source_profile \"nowhere\" not found in \(home.configPath) or \(home.credentialsPath)")
        }
    }

    func testCredentialProcessRunsAndRerunsAfterInvalidate() async throws {
        let home = try TemporaryHome()
        let counter = home.path + "/runs"
        let script = try home.write("bin/creds.sh", """
            #!/bin/sh
            echo run >> '\(counter)'
            echo '{"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "process-secret",'
            echo ' "SessionToken": "process-token", "Expiration": "2099-01-02T03:04:05Z"}'
            """, executable: true)
        try home.config("[profile tool]\nregion = eu-west-1\ncredential_process = \(script) --profile tool\n")
        let session = try await makeResolver(testEnvironment(), home).resolve(profile: "tool", region: nil)
        let credentials = try await session.credentials.credentials()
        XCTAssertEqual(credentials.accessKeyId, "AKIAPROCESS")
        XCTAssertEqual(credentials.sessionToken, "process-token")
        XCTAssertEqual(credentials.expiration, UnixTime(secondsSince1970: 4_071_006_245))
        XCTAssertEqual(session.source, "profile tool: credential_process")
        func runs() throws -> Int { try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count }
        XCTAssertEqual(try runs(), 1, "cached until it nears expiry")
        await session.credentials.invalidate()
        _ = try await session.credentials.credentials()
        XCTAssertEqual(try runs(), 2)
    }
}
