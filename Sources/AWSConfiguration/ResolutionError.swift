import AWSIdentifiers
import AWSClient
import Foundation

/// Why credentials or a region could not be resolved: one sentence naming what was tried or which
/// setting is wrong, and where. Never contains a secret key, session token or bearer token.
package struct CredentialsResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad reason, for callers that react differently (e.g. a hint to run `aws configure`).
    package enum Kind: Sendable, Equatable {
        /// No source in the chain had credentials.
        case noCredentials
        /// An explicitly named profile (or a `source_profile`, `sso_session`) does not exist.
        case profileNotFound
        /// No region from `--region`, the environment or the profile.
        case noRegion
        /// A config, credentials or token file, or a setting in it, is unusable.
        case invalidConfiguration
        /// A configured source was asked and failed (STS, SSO, a process, an endpoint).
        case sourceFailed
    }

    package var kind: Kind
    package var description: String

    package init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// `error` as a `.sourceFailed` error: "`context`: `reason`", where the reason is that of a known
    /// error type (they never carry secrets) and only the type name otherwise.
    static func failed(_ context: String, _ error: any Error) -> CredentialsResolutionError {
        if let error = error as? CredentialsResolutionError {
            return error.description.hasPrefix(context) ? error : CredentialsResolutionError(error.kind, "\(context): \(error.description)")
        }
        return CredentialsResolutionError(.sourceFailed, "\(context): \(reason(error))")
    }

    /// A short reason for `error` that never quotes a response body or a secret.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as HTTPTransportError:
            switch error {
            case .timedOut: "timed out"
            case .connectionFailed: "could not connect"
            case .failed(let reason): "request failed (\(reason))"
            }
        case let error as AWSError: error.description
        case let error as AWSClientError: error.description
        case let error as CredentialsResolutionError: error.description
        case let error as SourceFailure: error.description
        case is DecodingError: "unreadable JSON response"
        default: "\(type(of: error))"
        }
    }
}

/// Small helpers shared by the credential sources: timestamps, JSON and HTTP status checks.
enum SourceSupport {
    /// Parses ISO 8601 timestamps as AWS writes them (`2024-01-02T03:04:05Z`, with or without
    /// fractional seconds, `+00:00` offsets, or the `UTC` suffix of old AWS CLI SSO caches).
    static func parseTimestamp(_ text: String) -> UnixTime? {
        var string = text.trimmingCharacters(in: .whitespaces)
        if string.hasSuffix("UTC") { string = String(string.dropLast(3)) + "Z" }
        return AWSTimestamp.parseISO8601(string)
    }

    /// Decodes `bytes` as `T`, or throws a `.sourceFailed` error naming `what` (never the body).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw CredentialsResolutionError(.sourceFailed, "\(what) is not valid credentials JSON (\(describe(error)))")
        }
    }

    /// Names the offending field of a decoding error, never its value.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context.codingPath + [key]))"
        case .valueNotFound(_, let context): return "null \(path(context.codingPath))"
        case .typeMismatch(_, let context): return "wrong type for \(path(context.codingPath))"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not JSON" : "bad value for \(path(context.codingPath))"
        @unknown default: return "undecodable"
        }
    }

    /// Credentials from decoded fields; `expiration` must parse when present.
    static func credentials(
        accessKeyId: String, secretAccessKey: String, sessionToken: String?, expiration: String?, what: String
    ) throws -> Credentials {
        guard !accessKeyId.isEmpty, !secretAccessKey.isEmpty else {
            throw CredentialsResolutionError(.sourceFailed, "\(what) returned an empty access key id or secret access key")
        }
        var date: UnixTime?
        if let expiration {
            guard let parsed = parseTimestamp(expiration) else {
                throw CredentialsResolutionError(.sourceFailed, "\(what) returned an unreadable Expiration")
            }
            date = parsed
        }
        let token = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        return Credentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: token, expiration: date)
    }

    /// Sends `request` with at most `attempts` attempts of `timeout` each (transport failures are retried).
    static func send(
        _ request: HTTPRequest, transport: any HTTPTransport, timeout: Duration, attempts: Int
    ) async throws -> HTTPResponse {
        let policy = RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(50), maxDelay: .milliseconds(500))
        let deadline = ContinuousClock.now.advanced(by: timeout * attempts + .seconds(1))
        return try await policy.run(deadline: deadline) { remaining in
            try await transport.send(request, timeout: min(timeout, remaining))
        }
    }
}
