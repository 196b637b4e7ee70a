import JSONText

/// An error response from an AWS service, with its classification for retries and alerting.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The AWS error code, e.g. `ThrottlingException` (the HTTP status as a string if the body had none).
    public var code: String
    public var message: String
    public var httpStatus: Int
    public var requestId: String?
    /// The service's endpoint prefix, e.g. `sns`.
    public var service: String
    /// The operation name, e.g. `Publish`.
    public var operation: String

    public init(code: String, message: String, httpStatus: Int, requestId: String? = nil, service: String, operation: String) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.service = service
        self.operation = operation
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "Throttled", "TooManyRequestsException",
        "RequestLimitExceeded", "ProvisionedThroughputExceededException", "RequestThrottled",
        "RequestThrottledException", "SlowDown", "BandwidthLimitExceeded", "EC2ThrottledException",
        "PriorRequestNotComplete", "TransactionInProgressException", "KMSThrottling", "KMSThrottlingException",
        "KmsThrottled",
    ]
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "IDPCommunicationError", "InternalError", "InternalFailure",
        "ServiceUnavailable",
    ]
    static let accessDeniedCodes: Set<String> = [
        "AccessDenied", "AccessDeniedException", "AuthorizationError", "AuthorizationErrorException",
        "UnauthorizedOperation", "UnauthorizedException", "KMSAccessDenied", "KmsAccessDenied",
    ]
    static let notFoundCodes: Set<String> = [
        "ResourceNotFoundException", "ResourceNotFound", "NotFound", "NotFoundException", "StackNotFoundException",
        "ChangeSetNotFound", "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
    ]

    static let expiredCredentialsCodes: Set<String> = [
        "ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired", "InvalidClientTokenId",
    ]

    /// The credentials that signed the request have expired (refresh and try again).
    public var isExpiredCredentials: Bool {
        Self.expiredCredentialsCodes.contains(code)
    }

    /// The service asked the caller to slow down (by code, or HTTP 429).
    public var isThrottling: Bool {
        httpStatus == 429 || Self.throttlingCodes.contains(code)
    }

    /// The service failed (HTTP 5xx).
    public var isServerError: Bool {
        (500...599).contains(httpStatus)
    }

    /// Worth retrying: throttling, server errors and a few transient codes; never other client errors.
    public var isRetryable: Bool {
        isThrottling || isServerError || Self.transientCodes.contains(code)
    }

    /// The caller's identity is not allowed to do this.
    public var isAccessDenied: Bool {
        Self.accessDeniedCodes.contains(code)
    }

    /// The named resource does not exist (including CloudFormation's `ValidationError ... does not exist`).
    public var isNotFound: Bool {
        Self.notFoundCodes.contains(code)
            || (code == "ValidationError" && Self.mentions(message, "does not exist"))
            || (httpStatus == 404 && !isThrottling)
    }

    /// Whether `text` holds `phrase` (bytes compared; the standard library's `contains` of a string would
    /// link the regex engine into the filter).
    static func mentions(_ text: String, _ phrase: String) -> Bool {
        let t = Array(text.utf8), p = Array(phrase.utf8)
        guard !p.isEmpty, p.count <= t.count else { return p.isEmpty }
        return (0...(t.count - p.count)).contains { t[$0..<($0 + p.count)].elementsEqual(p) }
    }

    public var description: String {
        var text = "\(service) \(operation) failed: HTTP \(httpStatus) \(code)"
        if !message.isEmpty { text += ": \(message)" }
        if let requestId { text += " (request id \(requestId))" }
        return text
    }
}

/// A failure of this client itself rather than of the service (the service's are `AWSError`).
public enum AWSClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A credentials variable is absent or empty.
    case missingCredentials(String)
    /// The configured or derived endpoint is unusable.
    case invalidEndpoint(String)
    /// The request could not be built or signed.
    case invalidRequest(String)
    /// A 2xx response whose body could not be read; `reason` never quotes the body.
    case malformedResponse(service: String, operation: String, reason: String)
    /// The deadline passed before any attempt could be made.
    case deadlineExceeded(service: String, operation: String)

    public var description: String {
        switch self {
        case .missingCredentials(let variable): "missing AWS credentials: \(variable) is not set"
        case .invalidEndpoint(let reason): "invalid AWS endpoint: \(reason)"
        case .invalidRequest(let reason): "invalid AWS request: \(reason)"
        case .malformedResponse(let service, let operation, let reason): "\(service) \(operation): malformed response: \(reason)"
        case .deadlineExceeded(let service, let operation): "\(service) \(operation): deadline exceeded before the request was sent"
        }
    }
}

/// Turning non-2xx responses into `AWSError`s.
package enum ErrorParser {
    /// Query protocol: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`
    /// (also `<Response><Errors><Error>`); falls back to the status code when the body is unreadable.
    package static func queryError(_ response: HTTPResponse, service: AWSService, operation: String) -> AWSError {
        var error = fallback(response, service: service, operation: operation)
        if let root = try? XML.parse(response.body), let element = root.firstDescendant("Error") {
            if let code = element.text(at: "Code"), !code.isEmpty { error.code = code }
            error.message = element.text(at: "Message") ?? ""
            if let requestId = root.firstDescendant("RequestId")?.text ?? root.firstDescendant("RequestID")?.text,
               !requestId.isEmpty {
                error.requestId = requestId
            }
        }
        return error
    }

    private struct JSONErrorBody: Decodable {
        var type: String?
        var message: String?
        var capitalMessage: String?
        enum CodingKeys: String, CodingKey {
            case type = "__type", message, capitalMessage = "Message"
        }
    }

    /// JSON 1.x: `{"__type": "prefix#Code", "message": "..."}` or the `x-amzn-ErrorType` header.
    package static func jsonError(_ response: HTTPResponse, service: AWSService, operation: String) -> AWSError {
        var error = fallback(response, service: service, operation: operation)
        let body = try? JSONValueDecoder().decode(JSONErrorBody.self, from: response.body)
        if let raw = body?.type ?? response.headers["x-amzn-ErrorType"], !raw.isEmpty {
            var code = Substring(raw)
            if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
            if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
            if !code.isEmpty { error.code = String(code) }
        }
        if let message = body?.message ?? body?.capitalMessage { error.message = message }
        return error
    }

    private static func fallback(_ response: HTTPResponse, service: AWSService, operation: String) -> AWSError {
        AWSError(
            code: String(response.status),
            message: "",
            httpStatus: response.status,
            requestId: response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"],
            service: service.endpointPrefix,
            operation: operation)
    }
}
