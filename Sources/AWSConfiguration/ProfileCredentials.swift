import AWSClient
import Foundation

/// Resolves one profile's credentials as botocore's profile providers do, first match wins:
/// `role_arn` (with `web_identity_token_file`, `source_profile` or `credential_source`), IAM Identity
/// Center (`sso_session` or legacy `sso_start_url`), static keys, `credential_process`.
struct ProfileResolver: Sendable {
    var config: SharedConfig
    var context: SourceContext

    /// A profile's credentials and how they were found.
    struct Resolved: Sendable {
        var provider: any CredentialsProvider
        /// E.g. "static keys" or "role_arn via source_profile base (static keys)"; never a secret.
        var kind: String
    }

    /// The credentials of profile `name`, or nil when it has no credential settings at all.
    /// `visiting` holds the profiles whose `source_profile` led here (cycle detection).
    func resolve(_ name: String, visiting: [String] = []) async throws -> Resolved? {
        guard let settings = config.profiles[name] else {
            throw CredentialsResolutionError(.profileNotFound, "profile \"\(name)\" not found in \(config.locations)")
        }
        if let roleArn = nonEmpty(settings["role_arn"]) {
            if let tokenFile = nonEmpty(settings["web_identity_token_file"]) {
                let source = WebIdentitySource(
                    roleArn: roleArn, tokenFile: expand(tokenFile), sessionName: nonEmpty(settings["role_session_name"]),
                    durationSeconds: try integer("duration_seconds", name, settings))
                return Resolved(provider: try await source.provider(context), kind: "role_arn via web_identity_token_file")
            }
            return try await assumeRole(name, settings, roleArn: roleArn, visiting: visiting)
        }
        if SSOSource.isConfigured(settings) {
            let sso = try SSOSource.from(profile: name, settings: settings, config: config, homeDirectory: context.homeDirectory)
            let context = context
            return Resolved(provider: try await context.refreshing { try await sso.fetch(context) }, kind: sso.kind)
        }
        if let keys = try staticKeys(name, settings) {
            return Resolved(provider: keys, kind: "static keys")
        }
        if let command = nonEmpty(settings["credential_process"]) {
            let process = ProcessSource(profile: name, command: command, environment: context.environment)
            return Resolved(provider: try await context.refreshing { try await process.fetch() }, kind: "credential_process")
        }
        return nil
    }

    /// `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token`; nil when neither key is set.
    func staticKeys(_ name: String, _ settings: [String: String]) throws -> Credentials? {
        let keyId = nonEmpty(settings["aws_access_key_id"]), secret = nonEmpty(settings["aws_secret_access_key"])
        if keyId == nil, secret == nil { return nil }
        guard let keyId, let secret else {
            let (present, absent) = keyId == nil
                ? ("aws_secret_access_key", "aws_access_key_id") : ("aws_access_key_id", "aws_secret_access_key")
            throw CredentialsResolutionError(.invalidConfiguration,
                "profile \"\(name)\" in \(config.locations) has \(present) but no \(absent)")
        }
        let token = nonEmpty(settings["aws_session_token"]) ?? nonEmpty(settings["aws_security_token"])
        return Credentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token)
    }

    private func assumeRole(
        _ name: String, _ settings: [String: String], roleArn: String, visiting: [String]
    ) async throws -> Resolved {
        func invalid(_ reason: String) -> CredentialsResolutionError {
            CredentialsResolutionError(.invalidConfiguration, "profile \"\(name)\" in \(config.configPath): \(reason)")
        }
        if settings["mfa_serial"] != nil { throw invalid("mfa_serial is not supported (use the AWS CLI to get MFA session credentials)") }
        let source: (provider: any CredentialsProvider, kind: String)
        switch (nonEmpty(settings["source_profile"]), nonEmpty(settings["credential_source"])) {
        case (.some, .some): throw invalid("role_arn has both source_profile and credential_source")
        case (nil, nil): throw invalid("role_arn needs source_profile or credential_source")
        case (let profile?, nil): source = try await sourceProfile(profile, of: name, settings, visiting: visiting)
        case (nil, let credentialSource?): source = try await self.credentialSource(credentialSource, of: name)
        }
        let durationSeconds = try integer("duration_seconds", name, settings)
        let sessionName = nonEmpty(settings["role_session_name"]) ?? context.defaultSessionName()
        let externalId = nonEmpty(settings["external_id"])
        let client = context.client(credentials: source.provider)
        let provider = try await context.refreshing {
            do {
                return try await STSCalls.assumeRole(
                    client: client, roleArn: roleArn, sessionName: sessionName, externalId: externalId, durationSeconds: durationSeconds)
            } catch {
                throw CredentialsResolutionError.failed("profile \"\(name)\": AssumeRole \(roleArn)", error)
            }
        }
        return Resolved(provider: provider, kind: "role_arn via \(source.kind)")
    }

    /// The credentials of `source`, the `source_profile` of profile `name`.
    private func sourceProfile(
        _ source: String, of name: String, _ settings: [String: String], visiting: [String]
    ) async throws -> (provider: any CredentialsProvider, kind: String) {
        if source == name {
            guard let keys = try staticKeys(name, settings) else {
                throw CredentialsResolutionError(.invalidConfiguration,
                    "profile \"\(name)\" names itself as source_profile but has no aws_access_key_id")
            }
            return (keys, "source_profile \(name) (static keys)")
        }
        let path = visiting + [name]
        if path.contains(source) {
            throw CredentialsResolutionError(.invalidConfiguration,
                "profile \"\(name)\": source_profile cycle \((path + [source]).joined(separator: " -> ")) in \(config.locations)")
        }
        guard config.profiles[source] != nil else {
            throw CredentialsResolutionError(.profileNotFound,
                "profile \"\(name)\": source_profile \"\(source)\" not found in \(config.locations)")
        }
        guard let resolved = try await resolve(source, visiting: path) else {
            throw CredentialsResolutionError(.invalidConfiguration,
                "profile \"\(name)\": source_profile \"\(source)\" has no credentials in \(config.locations)")
        }
        return (resolved.provider, "source_profile \(source) (\(resolved.kind))")
    }

    /// The credentials named by `credential_source`.
    private func credentialSource(_ value: String, of name: String) async throws -> (provider: any CredentialsProvider, kind: String) {
        let what = "profile \"\(name)\": credential_source \(value)"
        switch value {
        case "Environment":
            do {
                return (try EnvironmentCredentials(environment: context.environment).credentials(), "credential_source Environment")
            } catch {
                throw CredentialsResolutionError.failed(what, error)
            }
        case "Ec2InstanceMetadata":
            guard let imds = InstanceMetadataSource.from(context) else {
                throw CredentialsResolutionError(.invalidConfiguration, "\(what): AWS_EC2_METADATA_DISABLED is true")
            }
            do {
                return (try await imds.provider(context).provider, "credential_source Ec2InstanceMetadata")
            } catch {
                throw CredentialsResolutionError.failed("\(what) (\(imds.endpoint))", error)
            }
        case "EcsContainer":
            guard let container = try ContainerSource.from(context) else {
                throw CredentialsResolutionError(.invalidConfiguration, "\(what): AWS_CONTAINER_CREDENTIALS_* is not set")
            }
            let transport = context.transport
            return (try await context.refreshing { try await container.fetch(transport: transport) }, "credential_source EcsContainer")
        default:
            throw CredentialsResolutionError(.invalidConfiguration,
                "\(what) in \(config.configPath) is not Environment, Ec2InstanceMetadata or EcsContainer")
        }
    }

    private func integer(_ key: String, _ name: String, _ settings: [String: String]) throws -> Int? {
        guard let text = nonEmpty(settings[key]) else { return nil }
        guard let value = Int(text), value > 0 else {
            throw CredentialsResolutionError(.invalidConfiguration, "profile \"\(name)\" in \(config.locations): \(key) is not a positive whole number")
        }
        return value
    }

    private func expand(_ path: String) -> String {
        path.hasPrefix("~/") ? context.homeDirectory + path.dropFirst() : path
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

extension InstanceMetadataSource {
    /// Fetches now (throwing the endpoint's own error, for the chain's summary) and wraps the role's
    /// credentials in a refreshing provider whose later failures name the endpoint.
    func provider(_ context: SourceContext) async throws -> (provider: any CredentialsProvider, role: String) {
        let transport = context.transport, endpoint = endpoint
        let first = try await fetch(transport: transport)
        let provider = RefreshingCredentials(initial: first.credentials, refreshWindow: context.refreshWindow, now: context.now) {
            do {
                return try await fetch(transport: transport).credentials
            } catch {
                throw CredentialsResolutionError.failed("instance metadata (\(endpoint))", error)
            }
        }
        return (provider, first.role)
    }
}
