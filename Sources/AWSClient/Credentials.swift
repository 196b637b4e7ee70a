import AWSIdentifiers

/// AWS credentials; `description`, `debugDescription` and reflection never show the secret key or session token.
public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: UnixTime?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: UnixTime? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        var parts = ["accessKeyId: \(accessKeyId)", "secretAccessKey: <redacted>"]
        if sessionToken != nil { parts.append("sessionToken: <redacted>") }
        if let expiration { parts.append("expiration: \(AWSTimestamp.iso8601(expiration))") }
        return "Credentials(" + parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "accessKeyId": accessKeyId,
            "secretAccessKey": "<redacted>",
            "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
            "expiration": expiration.map(AWSTimestamp.iso8601) ?? "nil",
        ])
    }
}

/// A source of credentials, asked before each AWS call.
public protocol CredentialsProvider: Sendable {
    /// Current credentials; may fetch or refresh.
    func credentials() async throws -> Credentials
    /// Forgets cached credentials after the service called them expired; the next `credentials()` fetches anew.
    func invalidate() async
}

extension CredentialsProvider {
    /// Providers without a cache have nothing to forget.
    public func invalidate() async {}
}

extension Credentials: CredentialsProvider {
    /// Static credentials provide themselves.
    public func credentials() -> Credentials { self }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` in a given environment.
public struct EnvironmentCredentials: CredentialsProvider {
    private let environment: [String: String]

    /// `environment` is typically `ProcessInfo.processInfo.environment`.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The credentials, or `AWSClientError.missingCredentials` naming the first absent variable.
    public func credentials() throws -> Credentials {
        guard let keyId = nonEmpty("AWS_ACCESS_KEY_ID") else {
            throw AWSClientError.missingCredentials("AWS_ACCESS_KEY_ID")
        }
        guard let secret = nonEmpty("AWS_SECRET_ACCESS_KEY") else {
            throw AWSClientError.missingCredentials("AWS_SECRET_ACCESS_KEY")
        }
        return Credentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: nonEmpty("AWS_SESSION_TOKEN"))
    }

    private func nonEmpty(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}
