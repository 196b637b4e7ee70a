import AWSIdentifiers
import XCTest
import Foundation
import AWSClient
import URLSessionTransport
@testable import AWSConfiguration

/// The sources served by `scripts/credential_endpoints.py`: IAM Identity Center, container credentials
/// and EC2 instance metadata (IMDSv2).
final class EndpointSourceTests: XCTestCase {
    func startEndpoints(_ config: [String: Any]) throws -> CredentialEndpoints {
        let endpoints = try CredentialEndpoints(config: config)
        addTeardownBlock { endpoints.stop() }
        return endpoints
    }

    func testIAMIdentityCenterWithSSOSessionAndLegacyProfile() async throws {
        let endpoints = try startEndpoints(["sso": ["accessToken": "sso-access-token-value", "accountId": "111122223333", "roleName": "Admin"]])
        let home = try TemporaryHome()
        try home.config("""
            [profile sso]
            sso_session = corp
            sso_account_id = 111122223333
            sso_role_name = Admin
            region = eu-west-1
            [sso-session corp]
            sso_region = eu-west-1
            sso_start_url = https://corp.awsapps.com/start
            [profile legacy]
            sso_start_url = https://legacy.awsapps.com/start
            sso_region = us-east-1
            sso_account_id = 111122223333
            sso_role_name = Admin
            """)
        let token = #"{"accessToken": "sso-access-token-value", "expiresAt": "2099-01-01T00:00:00Z"}"#
        // SHA-1 of "corp" and of the legacy start URL, from Python's hashlib.
        try home.write(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json", token)
        try home.write(".aws/sso/cache/79e435d7a515078e81c9dffc35f38d5687ebd3a7.json", token)
        let environment = testEnvironment(["AWS_ENDPOINT_URL_SSO": endpoints.endpoint])

        let session = try await makeResolver(environment, home).resolve(profile: "sso", region: nil)
        let credentials = try await session.credentials.credentials()
        XCTAssertEqual(credentials.accessKeyId, "ASIAMOCKSSO0")
        XCTAssertNotNil(credentials.sessionToken)
        XCTAssertGreaterThan(try XCTUnwrap(credentials.expiration), UnixTime.now().adding(seconds: 3000))
        XCTAssertEqual(session.source, "profile sso: sso_session corp")
        XCTAssertEqual(session.region, "eu-west-1")

        let legacy = try await makeResolver(environment, home).resolve(profile: "legacy", region: "us-east-1")
        let key3 = try await legacy.credentials.credentials().accessKeyId
        XCTAssertEqual(key3, "ASIAMOCKSSO0")
        XCTAssertEqual(legacy.source, "profile legacy: sso_start_url")

        let requests = try await endpoints.requests()
        XCTAssertEqual(requests.count, 2)
        for request in requests {
            XCTAssertEqual(request["path"] as? String, "/federation/credentials")
            XCTAssertEqual(request["query"] as? String, "account_id=111122223333&role_name=Admin")
            XCTAssertEqual(request["tokenValid"] as? Bool, true)
        }
    }

    func testIAMIdentityCenterExpiredOrMissingTokenSaysToLogIn() async throws {
        let home = try TemporaryHome()
        try home.config("""
            [profile sso]
            sso_session = corp
            sso_account_id = 111122223333
            sso_role_name = Admin
            [sso-session corp]
            sso_region = eu-west-1
            sso_start_url = https://corp.awsapps.com/start
            """)
        let resolver = makeResolver(testEnvironment(["AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:9"]), home)
        do {
            _ = try await resolver.resolve(profile: "sso", region: "eu-west-1")
            XCTFail("no cached token must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertTrue(error.description.hasSuffix("run `aws sso login --profile sso`"), error.description)
        }
        try home.write(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
                       #"{"accessToken": "expired-sso-access-token", "expiresAt": "2020-01-01T00:00:00Z"}"#)
        do {
            _ = try await resolver.resolve(profile: "sso", region: "eu-west-1")
            XCTFail("an expired token must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertEqual(error.description,
                           "profile \"sso\": the IAM Identity Center token expired at 2020-01-01T00:00:00Z; run `aws sso login --profile sso`")
        }
    }

    func testContainerCredentialsWithAuthorizationTokenFile() async throws {
        let endpoints = try startEndpoints(["container": ["authorization": "container-auth-token"]])
        let home = try TemporaryHome()
        let tokenFile = try home.write("eks-token", "container-auth-token\n")
        let environment = testEnvironment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoints.endpoint + "/container/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-because-the-file-wins", "AWS_REGION": "us-east-1",
        ])
        let session = try await makeResolver(environment, home).resolve(profile: nil, region: nil)
        let key4 = try await session.credentials.credentials().accessKeyId
        XCTAssertEqual(key4, "ASIAMOCKECS0")
        XCTAssertEqual(session.source, "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)")
        let requests = try await endpoints.requests()
        XCTAssertEqual(requests.map { $0["tokenValid"] as? Bool }, [true])

        var wrong = environment
        wrong["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = nil
        do {
            _ = try await makeResolver(wrong, home).resolve(profile: nil, region: nil)
            XCTFail("a wrong token must fail")
        } catch let error as CredentialsResolutionError {
            XCTAssertEqual(error.description, "container credentials (\(endpoints.endpoint)/container/v1/credentials): HTTP 401")
        }

        let relative = try XCTUnwrap(ContainerSource.from(context(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"])))
        XCTAssertEqual(relative.url, "http://169.254.170.2/v2/credentials/abc")
        for allowed in ["http://127.0.0.2:8080/c", "http://169.254.170.23/v1/credentials", "http://[::1]/c", "https://example.com/c"] {
            XCTAssertNotNil(try ContainerSource.from(context(["AWS_CONTAINER_CREDENTIALS_FULL_URI": allowed])), allowed)
        }
        XCTAssertThrowsError(try ContainerSource.from(context(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://10.0.0.1/creds"]))) { error in
            XCTAssertEqual((error as? CredentialsResolutionError)?.kind, .invalidConfiguration)
        }
    }

    func testInstanceMetadataV2() async throws {
        let endpoints = try startEndpoints(["imds": ["role": "catalogwatch-role"]])
        let home = try TemporaryHome()
        var environment = testEnvironment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoints.endpoint + "/", "AWS_REGION": "us-east-1"])
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        let session = try await makeResolver(environment, home).resolve(profile: nil, region: nil)
        let credentials = try await session.credentials.credentials()
        XCTAssertEqual(credentials.accessKeyId, "ASIAMOCKIMDS0")
        XCTAssertEqual(credentials.sessionToken, "mock-session-token-0")
        XCTAssertEqual(session.source, "instance metadata (\(endpoints.endpoint), role catalogwatch-role)")
        let requests = try await endpoints.requests()
        let summary = try await endpoints.summary()
        XCTAssertEqual(summary, [
            "PUT /latest/api/token 200",
            "GET /latest/meta-data/iam/security-credentials/ 200",
            "GET /latest/meta-data/iam/security-credentials/catalogwatch-role 200",
        ])
        XCTAssertEqual(requests.dropFirst().map { $0["tokenValid"] as? Bool }, [true, true])
    }

    private func context(_ environment: [String: String]) -> SourceContext {
        SourceContext(environment: environment, homeDirectory: "/nonexistent", transport: URLSessionTransport(),
                      endpoints: EndpointResolver(), region: "us-east-1", refreshWindow: .seconds(300), now: { UnixTime.now() })
    }
}
