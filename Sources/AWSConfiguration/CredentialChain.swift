import AWSIdentifiers
import AWSClient
import Foundation

/// What the CLI needs to call AWS: the region, credentials (refreshing where temporary), where
/// they came from, and the endpoint resolver of the same environment.
package struct AWSSession: Sendable, CustomStringConvertible, CustomReflectable {
    package var region: String
    package var credentials: any CredentialsProvider
    /// How the credentials were found, e.g. "profile prod: role_arn via source_profile base (static keys)"; never a secret.
    package var source: String
    package var endpoints: EndpointResolver

    package init(region: String, credentials: any CredentialsProvider, source: String, endpoints: EndpointResolver) {
        self.region = region
        self.credentials = credentials
        self.source = source
        self.endpoints = endpoints
    }

    /// Region and source; never the credentials.
    package var description: String { "AWSSession(region: \(region), source: \(source))" }

    package var customMirror: Mirror {
        Mirror(self, children: ["region": region, "source": source, "credentials": "<provider>"])
    }
}

/// Resolves credentials and region as the AWS SDKs do. An explicitly named profile (`--profile` or
/// `AWS_PROFILE`) is used alone; otherwise the chain is: environment keys, web identity, the
/// `default` profile of the shared files, container credentials, EC2 instance metadata.
package struct AWSConfigurationResolver: Sendable {
    package var environment: [String: String]
    package var homeDirectory: String
    package var transport: any HTTPTransport
    /// Temporary credentials are fetched again this long before they expire.
    package var refreshWindow: Duration
    /// The wall clock compared with expirations.
    package var now: @Sendable () -> UnixTime

    /// `environment` is typically `ProcessInfo.processInfo.environment`; nothing else is read from the process.
    package init(environment: [String: String], homeDirectory: String, transport: any HTTPTransport) {
        self.init(environment: environment, homeDirectory: homeDirectory, transport: transport, refreshWindow: .seconds(300))
    }

    package init(
        environment: [String: String], homeDirectory: String, transport: any HTTPTransport,
        refreshWindow: Duration, now: @escaping @Sendable () -> UnixTime = { UnixTime.now() }
    ) {
        self.environment = environment
        self.homeDirectory = homeDirectory
        self.transport = transport
        self.refreshWindow = refreshWindow
        self.now = now
    }

    /// profile: --profile (nil → AWS_PROFILE → "default"); region: --region (nil → AWS_REGION → AWS_DEFAULT_REGION → profile's region).
    package func resolve(profile: String?, region: String?) async throws -> AWSSession {
        let explicitProfile = nonEmpty(profile) ?? nonEmpty(environment["AWS_PROFILE"])
        var files = LazySharedConfig(environment: environment, homeDirectory: homeDirectory)
        if let explicitProfile, try files.get().profiles[explicitProfile] == nil {
            throw CredentialsResolutionError(.profileNotFound, "profile \"\(explicitProfile)\" not found in \(try files.get().locations)")
        }
        let region = try resolveRegion(region, profile: explicitProfile ?? "default", files: &files)
        let endpoints = EndpointResolver(environment: environment)
        let context = SourceContext(
            environment: environment, homeDirectory: homeDirectory, transport: transport, endpoints: endpoints,
            region: region, refreshWindow: refreshWindow, now: now)
        let (provider, source) = if let explicitProfile {
            try await namedProfile(explicitProfile, config: try files.get(), context: context)
        } else {
            try await chain(context: context, files: &files)
        }
        return AWSSession(region: region, credentials: provider, source: source, endpoints: endpoints)
    }

    private func resolveRegion(_ explicit: String?, profile: String, files: inout LazySharedConfig) throws -> String {
        if let region = nonEmpty(explicit) ?? nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) {
            return region
        }
        let config = try files.get()
        if let region = nonEmpty(config.profiles[profile]?["region"]) { return region }
        throw CredentialsResolutionError(.noRegion,
            "no AWS region: pass --region, set AWS_REGION (or AWS_DEFAULT_REGION), or set region in profile \"\(profile)\" of \(config.configPath)")
    }

    private func namedProfile(
        _ name: String, config: SharedConfig, context: SourceContext
    ) async throws -> (any CredentialsProvider, String) {
        guard let resolved = try await ProfileResolver(config: config, context: context).resolve(name) else {
            throw CredentialsResolutionError(.noCredentials,
                "profile \"\(name)\" in \(config.locations) has no credentials (aws_access_key_id, role_arn, sso_session or credential_process)")
        }
        return (resolved.provider, "profile \(name): \(resolved.kind)")
    }

    /// The default chain; every source that is not configured adds a note to the final error.
    private func chain(context: SourceContext, files: inout LazySharedConfig) async throws -> (any CredentialsProvider, String) {
        var tried: [String] = []
        if context.value("AWS_ACCESS_KEY_ID") != nil || context.value("AWS_SECRET_ACCESS_KEY") != nil {
            do {
                return (try EnvironmentCredentials(environment: environment).credentials(), "environment variables (AWS_ACCESS_KEY_ID)")
            } catch {
                throw CredentialsResolutionError.failed("environment variables", error)
            }
        }
        tried.append("environment variables (AWS_ACCESS_KEY_ID: not set)")

        if let webIdentity = try WebIdentitySource.fromEnvironment(context) {
            return (try await webIdentity.provider(context), "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN \(webIdentity.roleArn))")
        }
        tried.append("web identity (AWS_WEB_IDENTITY_TOKEN_FILE: not set)")

        let config = try files.get()
        let shared = "shared files (\(config.credentialsPath), \(config.configPath)"
        if config.profiles["default"] == nil {
            tried.append(shared + ": no profile \"default\")")
        } else if let resolved = try await ProfileResolver(config: config, context: context).resolve("default") {
            return (resolved.provider, "profile default: \(resolved.kind)")
        } else {
            tried.append(shared + ": profile \"default\" has no credentials)")
        }

        if let container = try ContainerSource.from(context) {
            let transport = context.transport
            return (try await context.refreshing { try await container.fetch(transport: transport) }, container.sourceDescription)
        }
        tried.append("container credentials (AWS_CONTAINER_CREDENTIALS_*: not set)")

        if let imds = InstanceMetadataSource.from(context) {
            do {
                let (provider, role) = try await imds.provider(context)
                return (provider, "instance metadata (\(imds.endpoint), role \(role))")
            } catch {
                tried.append("instance metadata (\(imds.endpoint): \(CredentialsResolutionError.reason(error)))")
            }
        } else {
            tried.append("instance metadata (AWS_EC2_METADATA_DISABLED=true)")
        }
        throw CredentialsResolutionError(.noCredentials, "no AWS credentials found: tried " + tried.joined(separator: ", "))
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

/// The shared files, read on first use only (so that `--region` with environment keys never touches them).
private struct LazySharedConfig {
    let environment: [String: String]
    let homeDirectory: String
    private var loaded: SharedConfig?

    init(environment: [String: String], homeDirectory: String) {
        self.environment = environment
        self.homeDirectory = homeDirectory
    }

    mutating func get() throws -> SharedConfig {
        if let loaded { return loaded }
        let config = try SharedConfig.load(environment: environment, homeDirectory: homeDirectory)
        loaded = config
        return config
    }
}
