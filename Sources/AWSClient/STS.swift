
extension AWSClient {
    /// STS `AssumeRole`: temporary credentials (with expiration) for `roleArn`.
    public func assumeRole(
        roleArn: String,
        sessionName: String,
        durationSeconds: Int? = nil,
        deadline: ContinuousClock.Instant? = nil
    ) async throws -> Credentials {
        var parameters = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let root = try await query(.sts, action: "AssumeRole", parameters: parameters, deadline: deadline)
        return try Self.decodeAssumeRole(root)
    }

    static func decodeAssumeRole(_ root: XML.Element) throws -> Credentials {
        let base = "AssumeRoleResult/Credentials/"
        func field(_ name: String) throws -> String {
            guard let value = root.text(at: base + name), !value.isEmpty else { throw missing(base + name, .sts, "AssumeRole") }
            return value
        }
        let accessKeyId = try field("AccessKeyId")
        let secret = try field("SecretAccessKey")
        let token = try field("SessionToken")
        guard let expiration = AWSTimestamp.parseISO8601(try field("Expiration")) else {
            throw AWSClientError.malformedResponse(service: "sts", operation: "AssumeRole", reason: "unreadable \(base)Expiration")
        }
        return Credentials(accessKeyId: accessKeyId, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}

/// Credentials of a role assumed through an STS client, cached in an `AssumeRoleCache`.
public struct AssumedRoleCredentials: CredentialsProvider {
    public var sts: AWSClient
    public var cache: AssumeRoleCache
    public var roleArn: String
    public var sessionName: String
    public var durationSeconds: Int?

    /// `sts` signs the `AssumeRole` calls with its own credentials.
    public init(sts: AWSClient, cache: AssumeRoleCache, roleArn: String, sessionName: String, durationSeconds: Int? = nil) {
        self.sts = sts
        self.cache = cache
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.durationSeconds = durationSeconds
    }

    /// The account field of the role ARN (`arn:partition:iam::ACCOUNT:role/...`), or "" if it has none.
    public var account: String {
        let fields = roleArn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return fields.count > 4 ? String(fields[4]) : ""
    }

    /// Drops this role's cached credentials, so the next call assumes the role again.
    public func invalidate() async {
        await cache.invalidate(account: account, roleArn: roleArn)
    }

    public func credentials() async throws -> Credentials {
        let sts = sts, roleArn = roleArn, sessionName = sessionName, durationSeconds = durationSeconds
        return try await cache.credentials(account: account, roleArn: roleArn) {
            try await sts.assumeRole(roleArn: roleArn, sessionName: sessionName, durationSeconds: durationSeconds)
        }
    }
}
