import AWSClient
import Foundation

/// The STS calls of the chain: `AssumeRole` (with `ExternalId`, which `AWSClient.assumeRole` lacks)
/// and the unsigned `AssumeRoleWithWebIdentity`.
enum STSCalls {
    /// `AssumeRole` signed with `client`'s credentials.
    static func assumeRole(
        client: AWSClient, roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?
    ) async throws -> Credentials {
        var parameters = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { parameters.append(("ExternalId", externalId)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let root = try await client.query(.sts, action: "AssumeRole", parameters: parameters, deadline: nil)
        return try decode(root, action: "AssumeRole")
    }

    /// `AssumeRoleWithWebIdentity`, unsigned: the web identity token is the proof.
    static func assumeRoleWithWebIdentity(
        client: AWSClient, roleArn: String, sessionName: String, token: String, durationSeconds: Int?
    ) async throws -> Credentials {
        var parameters = [("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let root = try await client.query(.sts, action: "AssumeRoleWithWebIdentity", parameters: parameters, unsigned: true, deadline: nil)
        return try decode(root, action: "AssumeRoleWithWebIdentity")
    }

    /// The `<ActionResult><Credentials>` of an STS response.
    static func decode(_ root: XML.Element, action: String) throws -> Credentials {
        let base = "\(action)Result/Credentials/"
        func field(_ name: String) throws -> String {
            guard let value = root.text(at: base + name), !value.isEmpty else { throw AWSClient.missing(base + name, .sts, action) }
            return value
        }
        return try SourceSupport.credentials(
            accessKeyId: try field("AccessKeyId"), secretAccessKey: try field("SecretAccessKey"),
            sessionToken: try field("SessionToken"), expiration: try field("Expiration"), what: "STS \(action)")
    }
}

/// `AssumeRoleWithWebIdentity` with a token read from a file at every fetch (EKS IRSA, GitHub OIDC):
/// from `AWS_WEB_IDENTITY_TOKEN_FILE`/`AWS_ROLE_ARN`/`AWS_ROLE_SESSION_NAME` or a profile's
/// `web_identity_token_file`/`role_arn`/`role_session_name`.
struct WebIdentitySource: Sendable {
    var roleArn: String
    var tokenFile: String
    var sessionName: String?
    var durationSeconds: Int?

    /// The source from the environment; nil when `AWS_WEB_IDENTITY_TOKEN_FILE` is unset.
    static func fromEnvironment(_ context: SourceContext) throws -> WebIdentitySource? {
        guard let tokenFile = context.value("AWS_WEB_IDENTITY_TOKEN_FILE") else { return nil }
        guard let roleArn = context.value("AWS_ROLE_ARN") else {
            throw CredentialsResolutionError(.invalidConfiguration, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
        }
        return WebIdentitySource(roleArn: roleArn, tokenFile: tokenFile, sessionName: context.value("AWS_ROLE_SESSION_NAME"))
    }

    func fetch(_ context: SourceContext) async throws -> Credentials {
        let what = "web identity (AssumeRoleWithWebIdentity \(roleArn))"
        guard let data = FileManager.default.contents(atPath: tokenFile),
              let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty
        else {
            throw CredentialsResolutionError(.invalidConfiguration, "\(what): cannot read the token file \(tokenFile)")
        }
        do {
            return try await STSCalls.assumeRoleWithWebIdentity(
                client: context.client(), roleArn: roleArn, sessionName: sessionName ?? context.defaultSessionName(),
                token: token, durationSeconds: durationSeconds)
        } catch {
            throw CredentialsResolutionError.failed(what, error)
        }
    }

    /// Fetches now and wraps the result in a refreshing provider.
    func provider(_ context: SourceContext) async throws -> any CredentialsProvider {
        try await context.refreshing { try await fetch(context) }
    }
}
