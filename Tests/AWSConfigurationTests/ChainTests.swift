import XCTest
import Foundation
import AWSClient
import URLSessionTransport
@testable import AWSConfiguration
import TestSupport

/// Precedence between sources, region order, and the errors of the chain (including redaction).
final class ChainTests: XCTestCase {
    let environmentKeys = ["AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT", "AWS_SECRET_ACCESS_KEY": "env-secret"]

    func homeWithProfiles() throws -> TemporaryHome {
        let home = try TemporaryHome()
        try home.config("""
            [default]
            region = eu-central-1
            [profile dev]
            region = ap-southeast-2
            [profile other]
            region = sa-east-1
            """)
        try home.credentials("""
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = default-secret
            [dev]
            aws_access_key_id = AKIADEV
            aws_secret_access_key = dev-secret
            [other]
            aws_access_key_id = AKIAOTHER
            aws_secret_access_key = other-secret
            """)
        return home
    }

    func testEnvironmentKeysBeatSharedFiles() async throws {
        let home = try homeWithProfiles()
        let session = try await makeResolver(testEnvironment(environmentKeys), home).resolve(profile: nil, region: nil)
        let key1 = try await session.credentials.credentials().accessKeyId
        XCTAssertEqual(key1, "AKIAENVIRONMENT")
        XCTAssertEqual(session.region, "eu-central-1", "region still comes from the default profile")
    }

    func testNamedProfileBeatsEnvironmentKeys() async throws {
        let home = try homeWithProfiles()
        let resolver = makeResolver(testEnvironment(environmentKeys), home)
        let viaFlag = try await resolver.resolve(profile: "dev", region: nil)
        let key2 = try await viaFlag.credentials.credentials().accessKeyId
        XCTAssertEqual(key2, "AKIADEV")
        XCTAssertEqual(viaFlag.source, "profile dev: static keys")
        XCTAssertEqual(viaFlag.region, "ap-southeast-2")

        let viaVariable = try await makeResolver(testEnvironment(environmentKeys.merging(["AWS_PROFILE": "dev"]) { $1 }), home)
            .resolve(profile: nil, region: nil)
        let key3 = try await viaVariable.credentials.credentials().accessKeyId
        XCTAssertEqual(key3, "AKIADEV")

        let flagBeatsVariable = try await makeResolver(testEnvironment(["AWS_PROFILE": "other"]), home).resolve(profile: "dev", region: nil)
        let key4 = try await flagBeatsVariable.credentials.credentials().accessKeyId
        XCTAssertEqual(key4, "AKIADEV")
    }

    func testRegionOrder() async throws {
        let home = try homeWithProfiles()
        let both = ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"]
        func region(_ environment: [String: String], profile: String? = nil, flag: String? = nil) async throws -> String {
            try await makeResolver(testEnvironment(environment), home).resolve(profile: profile, region: flag).region
        }
        let flagFirst = try await region(both, profile: "dev", flag: "us-west-2")
        XCTAssertEqual(flagFirst, "us-west-2")
        let awsRegion = try await region(both, profile: "dev")
        XCTAssertEqual(awsRegion, "eu-west-1")
        let defaultRegion = try await region(["AWS_DEFAULT_REGION": "eu-west-2"], profile: "dev")
        XCTAssertEqual(defaultRegion, "eu-west-2")
        let fromProfile = try await region([:], profile: "dev")
        XCTAssertEqual(fromProfile, "ap-southeast-2")
        let fromDefaultProfile = try await region([:])
        XCTAssertEqual(fromDefaultProfile, "eu-central-1")
    }

    func testNoRegionNamesEveryPlace() async throws {
        let home = try TemporaryHome()
        try home.credentials("[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")
        do {
            _ = try await makeResolver(testEnvironment(), home).resolve(profile: nil, region: nil)
            XCTFail("no region must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertEqual(error.kind, .noRegion)
            XCTAssertEqual(error.description,
                           "no AWS region: pass --region, set AWS_REGION (or AWS_DEFAULT_REGION), or set region in profile \"default\" of \(home.configPath)")
        }
    }

    func testNamedProfileNotFound() async throws {
        let home = try homeWithProfiles()
        do {
            _ = try await makeResolver(testEnvironment(environmentKeys), home).resolve(profile: "x", region: "us-east-1")
            XCTFail("an unknown profile must fail even with environment keys")
        } catch let error as CredentialsResolutionError {
            XCTAssertEqual(error.kind, .profileNotFound)
            XCTAssertEqual(error.description, "profile \"x\" not found in \(home.configPath) or \(home.credentialsPath)")
        }
    }

    func testMissingSourcesListsEverySourceTried() async throws {
        let home = try TemporaryHome()
        let port = try Tools.freePort()
        var environment = testEnvironment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"])
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        do {
            _ = try await makeResolver(environment, home).resolve(profile: nil, region: "us-east-1")
            XCTFail("no source must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertEqual(error.kind, .noCredentials)
            XCTAssertEqual(error.description, "no AWS credentials found: tried "
                + "environment variables (AWS_ACCESS_KEY_ID: not set), web identity (AWS_WEB_IDENTITY_TOKEN_FILE: not set), "
                + "shared files (\(home.credentialsPath), \(home.configPath): no profile \"default\"), "
                + "container credentials (AWS_CONTAINER_CREDENTIALS_*: not set), instance metadata (http://127.0.0.1:\(port): could not connect)")
        }
        try home.config("[default]\nregion = us-east-1\n")
        do {
            _ = try await makeResolver(testEnvironment(), home).resolve(profile: nil, region: nil)
            XCTFail("a default profile without keys must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertTrue(error.description.hasSuffix(
                "shared files (\(home.credentialsPath), \(home.configPath): profile \"default\" has no credentials), "
                    + "container credentials (AWS_CONTAINER_CREDENTIALS_*: not set), instance metadata (AWS_EC2_METADATA_DISABLED=true)"),
                error.description)
        }
    }

    func testCredentialProcessFailureNeverQuotesStdout() async throws {
        let home = try TemporaryHome()
        let failing = try home.write("bin/fail.sh", """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "AKIALEAK", "SecretAccessKey": "stdout-secret-value"}'
            echo 'first diagnostic' >&2
            echo 'token expired: run sso-helper login' >&2
            exit 3
            """, executable: true)
        let garbage = try home.write("bin/garbage.sh", "#!/bin/sh\necho 'not json stdout-secret-value'\n", executable: true)
        let version = try home.write("bin/version.sh", """
            #!/bin/sh
            echo '{"Version": 2, "AccessKeyId": "AKIA", "SecretAccessKey": "stdout-secret-value"}'
            """, executable: true)
        try home.config("""
            [profile failing]
            credential_process = \(failing)
            [profile garbage]
            credential_process = \(garbage)
            [profile version]
            credential_process = \(version)
            """)
        let expected = [
            "failing": "credential_process of profile \"failing\" exited with status 3: token expired: run sso-helper login",
            "garbage": "the output of credential_process of profile \"garbage\" is not valid credentials JSON (not JSON)",
            "version": "the output of credential_process of profile \"version\" has Version 2, expected 1",
        ]
        for (profile, message) in expected.sorted(by: { $0.key < $1.key }) {
            do {
                _ = try await makeResolver(testEnvironment(), home).resolve(profile: profile, region: "us-east-1")
                XCTFail("\(profile) must fail")
            } catch let error as CredentialsResolutionError {
                XCTAssertEqual(error.kind, .sourceFailed)
                XCTAssertEqual(error.description, message)
                XCTAssertFalse(error.description.contains("stdout-secret-value"))
            }
        }
    }

    func testBrokenCredentialsFile() async throws {
        let home = try TemporaryHome()
        try home.credentials("""
            [default]
            aws_access_key_id = AKIABROKEN
            aws_secret_access_key broken-file-secret-value
            """)
        do {
            _ = try await makeResolver(testEnvironment(), home).resolve(profile: nil, region: "us-east-1")
            XCTFail("a broken credentials file must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertEqual(error.kind, .invalidConfiguration)
            XCTAssertEqual(error.description, "cannot parse \(home.credentialsPath) line 3: expected [section], a comment or key = value")
        }
        // Environment keys and --region never need the files.
        let session = try await makeResolver(testEnvironment(environmentKeys), home).resolve(profile: nil, region: "us-east-1")
        let key5 = try await session.credentials.credentials().accessKeyId
        XCTAssertEqual(key5, "AKIAENVIRONMENT")
    }

    func testSecretsNeverAppearInDescriptionsOrErrors() async throws {
        let secrets = ["env-secret-value", "env-session-token", "sso-access-token-value", "wrong-sso-token-value", "container-auth-token",
                       "wrong-container-token", "web-identity-token-value", "broken-file-secret-value", "process-secret-value",
                       "mock-secret-0", "mock-session-token-0"]
        let endpoints = try CredentialEndpoints(config: [
            "container": ["authorization": "container-auth-token"],
            "sso": ["accessToken": "sso-access-token-value", "accountId": "111122223333", "roleName": "Admin"],
        ])
        addTeardownBlock { endpoints.stop() }
        let home = try TemporaryHome()
        let recorder = DescriptionRecorder()
        try await recordEnvironmentSources(recorder, endpoints: endpoints, home: home)
        try await recordProfileSources(recorder, endpoints: endpoints, home: home)

        let texts = recorder.texts
        XCTAssertEqual(texts.filter { $0.hasPrefix("AWSSession(") }.count, 6, "three successful sessions (environment, container, SSO)")
        XCTAssertTrue(texts.contains { $0.contains("the cached token was rejected") })
        XCTAssertTrue(texts.contains { $0.contains("HTTP 401") })
        for text in texts {
            for secret in secrets {
                XCTAssertFalse(text.contains(secret), "a secret leaked into: \(text.replacingOccurrences(of: secret, with: "<SECRET>"))")
            }
        }
    }

    /// Environment keys, container credentials (right, wrong and malformed tokens) and web identity.
    private func recordEnvironmentSources(_ recorder: DescriptionRecorder, endpoints: CredentialEndpoints, home: TemporaryHome) async throws {
        let envKeys = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret-value", "AWS_SESSION_TOKEN": "env-session-token"]
        await recorder.record { try await makeResolver(testEnvironment(envKeys), home).resolve(profile: nil, region: "us-east-1") }
        let container = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoints.endpoint + "/container/x"]
        for token in ["container-auth-token", "wrong-container-token", "container-auth-token\nX: y"] {
            let environment = testEnvironment(container.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN": token]) { $1 })
            await recorder.record { try await makeResolver(environment, home).resolve(profile: nil, region: "us-east-1") }
        }
        let tokenFile = try home.write("web-token", "web-identity-token-value")
        let webIdentity = testEnvironment([
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::1:role/r", "AWS_ENDPOINT_URL_STS": endpoints.endpoint,
        ])
        await recorder.record { try await makeResolver(webIdentity, home).resolve(profile: nil, region: "us-east-1") }
    }

    /// credential_process with bad output, SSO (valid, wrong and expired tokens; wrong account), a broken credentials file.
    private func recordProfileSources(_ recorder: DescriptionRecorder, endpoints: CredentialEndpoints, home: TemporaryHome) async throws {
        let process = try home.write("bin/p.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"process-secret-value\"'\n",
                                     executable: true)
        try home.config("""
            [profile p]
            credential_process = \(process)
            [profile sso]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            sso_account_id = 111122223333
            sso_role_name = Admin
            [profile sso-other-account]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            sso_account_id = 999999999999
            sso_role_name = Admin
            """)
        await recorder.record { try await makeResolver(testEnvironment(), home).resolve(profile: "p", region: "us-east-1") }
        let ssoEnvironment = testEnvironment(["AWS_ENDPOINT_URL_SSO": endpoints.endpoint])
        let cache = ".aws/sso/cache/\(SHA1.hex("https://corp.awsapps.com/start")).json"
        for (token, year) in [("sso-access-token-value", "2099"), ("wrong-sso-token-value", "2099"), ("sso-access-token-value", "2001")] {
            try home.write(cache, #"{"accessToken": "\#(token)", "expiresAt": "\#(year)-01-01T00:00:00Z"}"#)
            for profile in ["sso", "sso-other-account"] {
                await recorder.record { try await makeResolver(ssoEnvironment, home).resolve(profile: profile, region: "us-east-1") }
            }
        }
        try home.credentials("[default]\naws_secret_access_key broken-file-secret-value\n")
        await recorder.record { try await makeResolver(testEnvironment(), home).resolve(profile: nil, region: "us-east-1") }
    }
}

/// Collects every rendering of a session (description, reflection, dump, its credentials) or of an error.
final class DescriptionRecorder: @unchecked Sendable {
    private(set) var texts: [String] = []

    func record(_ resolve: () async throws -> AWSSession) async {
        do {
            let session = try await resolve()
            var dumped = ""
            dump(session, to: &dumped)
            texts += [session.source, String(describing: session), String(reflecting: session), dumped]
            if let credentials = try? await session.credentials.credentials() {
                texts += [String(describing: credentials), String(reflecting: credentials)]
                dumped = ""
                dump(credentials, to: &dumped)
                texts.append(dumped)
            }
        } catch {
            texts += [String(describing: error), String(reflecting: error)]
        }
    }
}
