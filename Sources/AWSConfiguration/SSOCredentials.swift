import AWSIdentifiers
import AWSClient
import Foundation

/// IAM Identity Center (SSO) role credentials: the access token the AWS CLI cached at
/// `aws sso login` (`~/.aws/sso/cache/<sha1>.json`, named by the SHA-1 of the `sso_session` name,
/// or of `sso_start_url` for legacy profiles) exchanged at the SSO portal's `GetRoleCredentials`.
/// An expired token is not refreshed here: the error says to run `aws sso login`.
struct SSOSource: Sendable {
    var profile: String
    var ssoRegion: String
    var accountId: String
    var roleName: String
    /// The `sso_session` name, or nil for a legacy profile.
    var session: String?
    var cachePath: String

    /// Whether the profile is configured for IAM Identity Center.
    static func isConfigured(_ settings: [String: String]) -> Bool {
        settings["sso_session"] != nil || settings["sso_start_url"] != nil || settings["sso_account_id"] != nil
    }

    /// The source for profile `name`; an error names every missing setting.
    static func from(profile name: String, settings: [String: String], config: SharedConfig, homeDirectory: String) throws -> SSOSource {
        var merged = settings
        let session = settings["sso_session"]
        if let session {
            guard let sessionSettings = config.ssoSessions[session] else {
                throw CredentialsResolutionError(.profileNotFound,
                    "profile \"\(name)\": sso_session \"\(session)\" has no [sso-session \(session)] section in \(config.configPath)")
            }
            merged.merge(sessionSettings) { _, fromSession in fromSession }
        }
        let missing = ["sso_start_url", "sso_region", "sso_account_id", "sso_role_name"].filter { (merged[$0] ?? "").isEmpty }
        guard missing.isEmpty, let region = merged["sso_region"], let startURL = merged["sso_start_url"],
              let account = merged["sso_account_id"], let role = merged["sso_role_name"]
        else {
            throw CredentialsResolutionError(.invalidConfiguration,
                "profile \"\(name)\" in \(config.configPath) is missing \(missing.joined(separator: ", ")) for IAM Identity Center")
        }
        let key = SHA1.hex(session ?? startURL)
        return SSOSource(profile: name, ssoRegion: region, accountId: account, roleName: role, session: session,
                         cachePath: homeDirectory + "/.aws/sso/cache/\(key).json")
    }

    /// "sso_session NAME" or "sso_start_url", for `AWSSession.source`.
    var kind: String { session.map { "sso_session \($0)" } ?? "sso_start_url" }

    private var loginHint: String { "run `aws sso login --profile \(profile)`" }

    /// The fields we use of an `~/.aws/sso/cache/*.json` token file.
    private struct CachedToken: Decodable {
        var accessToken: String
        var expiresAt: String
    }

    /// The `GetRoleCredentials` response body.
    private struct RoleCredentialsResponse: Decodable {
        /// Role credentials; `expiration` is in epoch milliseconds.
        struct RoleCredentials: Decodable {
            var accessKeyId: String
            var secretAccessKey: String
            var sessionToken: String?
            var expiration: Int64
        }
        var roleCredentials: RoleCredentials
    }

    /// The cached access token, if present and not expired.
    func accessToken(now: UnixTime) throws -> String {
        let what = "profile \"\(profile)\""
        guard let data = FileManager.default.contents(atPath: cachePath) else {
            throw CredentialsResolutionError(.invalidConfiguration, "\(what): no IAM Identity Center token cached at \(cachePath); \(loginHint)")
        }
        let token: CachedToken
        do {
            token = try JSONDecoder().decode(CachedToken.self, from: data)
        } catch {
            throw CredentialsResolutionError(.invalidConfiguration, "\(what): unreadable IAM Identity Center token cache \(cachePath); \(loginHint)")
        }
        guard let expiresAt = SourceSupport.parseTimestamp(token.expiresAt) else {
            throw CredentialsResolutionError(.invalidConfiguration, "\(what): unreadable expiresAt in \(cachePath); \(loginHint)")
        }
        guard expiresAt > now else {
            throw CredentialsResolutionError(.invalidConfiguration, "\(what): the IAM Identity Center token expired at \(token.expiresAt); \(loginHint)")
        }
        return token.accessToken
    }

    /// Exchanges the cached token for role credentials.
    func fetch(_ context: SourceContext) async throws -> Credentials {
        let token = try accessToken(now: context.now())
        let what = "profile \"\(profile)\": IAM Identity Center GetRoleCredentials (account \(accountId), role \(roleName))"
        let path = "/federation/credentials?account_id=\(PercentEncoding.encode(accountId))&role_name=\(PercentEncoding.encode(roleName))"
        let request = AWSClient.AWSRequest(method: "GET", path: path, headers: ["x-amz-sso_bearer_token": token], unsigned: true)
        let response: HTTPResponse
        do {
            response = try await context.client(region: ssoRegion).send(
                .sso, operation: "GetRoleCredentials", request: request, deadline: nil
            ) { ErrorParser.jsonError($0, service: .sso, operation: "GetRoleCredentials") }
        } catch let error as AWSError where error.httpStatus == 401 || error.code == "UnauthorizedException" {
            throw CredentialsResolutionError(.sourceFailed, "\(what): the cached token was rejected; \(loginHint)")
        } catch {
            throw CredentialsResolutionError.failed(what, error)
        }
        let decoded = try SourceSupport.decode(RoleCredentialsResponse.self, from: response.body, what: "the response of \(what)")
        let role = decoded.roleCredentials
        guard !role.accessKeyId.isEmpty, !role.secretAccessKey.isEmpty else {
            throw CredentialsResolutionError(.sourceFailed, "\(what) returned empty credentials")
        }
        return Credentials(
            accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey, sessionToken: role.sessionToken,
            expiration: UnixTime(secondsSince1970: Double(role.expiration) / 1000))
    }
}
