import AWSIdentifiers
import AWSClient
import Foundation

/// What every credential source needs: the environment, the HTTP transport, the endpoints and
/// region of STS and SSO calls, and the clock and window of refreshing credentials.
struct SourceContext: Sendable {
    var environment: [String: String]
    var homeDirectory: String
    var transport: any HTTPTransport
    var endpoints: EndpointResolver
    var region: String
    var refreshWindow: Duration
    var now: @Sendable () -> UnixTime

    /// The variable's value, or nil when it is unset or empty.
    func value(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Fetches once now (so that a broken source fails while resolving) and returns a provider that
    /// fetches again as the credentials near expiry or after `invalidate()`.
    func refreshing(_ fetch: @escaping @Sendable () async throws -> Credentials) async throws -> any CredentialsProvider {
        let first = try await fetch()
        return RefreshingCredentials(initial: first, refreshWindow: refreshWindow, now: now, fetch: fetch)
    }

    /// A client for `service` calls in `region` (this context's region by default).
    func client(credentials: any CredentialsProvider = UnsignedOnly(), region: String? = nil) -> AWSClient {
        AWSClient(transport: transport, credentials: credentials, endpoints: endpoints, region: region ?? self.region, now: now)
    }

    /// A session name for roles assumed without `role_session_name`.
    func defaultSessionName() -> String {
        "catalogwatch-\(now().epochSeconds)"
    }
}

/// The credentials of a client that only makes unsigned calls (web identity, SSO); asking for them is a bug.
struct UnsignedOnly: CredentialsProvider {
    func credentials() throws -> Credentials {
        throw CredentialsResolutionError(.sourceFailed, "internal error: an unsigned call asked for credentials")
    }
}

/// A failure of a credential endpoint, described without quoting its response.
struct SourceFailure: Error, CustomStringConvertible {
    var description: String
}

/// The credentials JSON of the container and instance metadata endpoints.
private struct EndpointCredentialsJSON: Decodable {
    var Code: String?
    var AccessKeyId: String
    var SecretAccessKey: String
    var Token: String?
    var Expiration: String?

    func credentials(what: String) throws -> Credentials {
        if let Code, Code != "Success" { throw SourceFailure(description: "\(what) answered Code \(Code.prefix(40))") }
        return try SourceSupport.credentials(
            accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: Token, expiration: Expiration, what: what)
    }
}

/// ECS / EKS Pod Identity container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on
/// `http://169.254.170.2`, or `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https, loopback or the ECS/EKS
/// link-local hosts only), with an `Authorization` header from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// (read at every fetch) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
struct ContainerSource: Sendable {
    var url: String
    /// The variable that named the URL.
    var variable: String
    var tokenFile: String?
    var token: String?

    static let allowedHosts: Set<String> = ["localhost", "::1", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    /// The configured source; nil when neither URI variable is set; an error for a disallowed FULL_URI host.
    static func from(_ context: SourceContext) throws -> ContainerSource? {
        let tokenFile = context.value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        let token = context.value("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        if let relative = context.value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            let path = relative.hasPrefix("/") ? relative : "/" + relative
            return ContainerSource(url: "http://169.254.170.2" + path, variable: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                   tokenFile: tokenFile, token: token)
        }
        guard let full = context.value("AWS_CONTAINER_CREDENTIALS_FULL_URI") else { return nil }
        guard let components = URLComponents(string: full), let scheme = components.scheme?.lowercased(),
              var host = components.host?.lowercased(), scheme == "http" || scheme == "https"
        else {
            throw CredentialsResolutionError(.invalidConfiguration, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an absolute http(s) URL")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard scheme == "https" || allowedHosts.contains(host) || isLoopbackIPv4(host) else {
            throw CredentialsResolutionError(.invalidConfiguration,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI host \(host) is not allowed over http (use https, a loopback address, 169.254.170.2 or 169.254.170.23)")
        }
        return ContainerSource(url: full, variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI", tokenFile: tokenFile, token: token)
    }

    private static func isLoopbackIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// "container credentials (VARIABLE)", for `AWSSession.source`.
    var sourceDescription: String { "container credentials (\(variable))" }

    func fetch(transport: any HTTPTransport) async throws -> Credentials {
        do {
            var request = HTTPRequest(method: "GET", url: url, headers: ["Accept": "application/json"])
            if let authorization = try authorization() { request.headers.add(name: "Authorization", value: authorization) }
            let response = try await SourceSupport.send(request, transport: transport, timeout: .seconds(2), attempts: 3)
            guard response.status == 200 else { throw SourceFailure(description: "HTTP \(response.status)") }
            return try SourceSupport.decode(EndpointCredentialsJSON.self, from: response.body, what: "the response")
                .credentials(what: "the endpoint")
        } catch {
            throw CredentialsResolutionError.failed("container credentials (\(url))", error)
        }
    }

    /// The token of the `Authorization` header; the file wins over the variable.
    private func authorization() throws -> String? {
        var value = token
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile), let text = String(data: data, encoding: .utf8) else {
                throw SourceFailure(description: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let value, value.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw SourceFailure(description: "the container authorization token contains a line break")
        }
        return value
    }
}

/// EC2 instance metadata (IMDSv2): a session token from `PUT /latest/api/token`, then the role
/// name and its credentials. One attempt of one second by default, so that a machine without
/// IMDS fails fast (`AWS_METADATA_SERVICE_TIMEOUT`, `AWS_METADATA_SERVICE_NUM_ATTEMPTS`).
struct InstanceMetadataSource: Sendable {
    var endpoint: String
    var timeout: Duration
    var attempts: Int

    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    /// The source; nil when `AWS_EC2_METADATA_DISABLED` is `true`.
    static func from(_ context: SourceContext) -> InstanceMetadataSource? {
        if context.value("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" { return nil }
        var endpoint = context.value("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            ?? (context.value("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")?.lowercased() == "ipv6"
                ? "http://[fd00:ec2::254]" : "http://169.254.169.254")
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        let seconds = context.value("AWS_METADATA_SERVICE_TIMEOUT").flatMap(Double.init).map { max(0.1, $0) } ?? 1
        let attempts = context.value("AWS_METADATA_SERVICE_NUM_ATTEMPTS").flatMap(Int.init).map { max(1, $0) } ?? 1
        return InstanceMetadataSource(endpoint: endpoint, timeout: .milliseconds(Int(seconds * 1000)), attempts: attempts)
    }

    /// The role's credentials and the role name; throws `HTTPTransportError` or `SourceFailure`.
    func fetch(transport: any HTTPTransport) async throws -> (credentials: Credentials, role: String) {
        let tokenRequest = HTTPRequest(method: "PUT", url: endpoint + "/latest/api/token",
                                       headers: ["X-aws-ec2-metadata-token-ttl-seconds": "21600"])
        let tokenResponse = try await send(tokenRequest, transport: transport)
        guard tokenResponse.status == 200, !tokenResponse.body.isEmpty else {
            throw SourceFailure(description: "token request answered HTTP \(tokenResponse.status)")
        }
        let headers: HTTPHeaders = ["X-aws-ec2-metadata-token": String(decoding: tokenResponse.body, as: UTF8.self)]
        let roles = try await send(HTTPRequest(method: "GET", url: endpoint + Self.credentialsPath, headers: headers), transport: transport)
        let role = String(decoding: roles.body, as: UTF8.self).split(whereSeparator: \.isNewline).first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard roles.status == 200, !role.isEmpty else {
            throw SourceFailure(description: roles.status == 200 || roles.status == 404
                ? "no IAM role attached" : "role request answered HTTP \(roles.status)")
        }
        let encodedRole = PercentEncoding.encode(role)
        let response = try await send(
            HTTPRequest(method: "GET", url: endpoint + Self.credentialsPath + encodedRole, headers: headers), transport: transport)
        guard response.status == 200 else { throw SourceFailure(description: "credentials request answered HTTP \(response.status)") }
        let credentials = try SourceSupport.decode(EndpointCredentialsJSON.self, from: response.body, what: "the response")
            .credentials(what: "instance metadata")
        return (credentials, role)
    }

    private func send(_ request: HTTPRequest, transport: any HTTPTransport) async throws -> HTTPResponse {
        try await SourceSupport.send(request, transport: transport, timeout: timeout, attempts: attempts)
    }
}
