import AWSIdentifiers
import JSONText

/// A small AWS client: resolves the endpoint, signs with SigV4, sends through a transport, retries, decodes.
public struct AWSClient: Sendable {
    /// The `User-Agent` of every request.
    public static let userAgent = "catalogwatch/0.1"

    public var transport: any HTTPTransport
    public var credentials: any CredentialsProvider
    public var endpoints: EndpointResolver
    public var region: String
    public var retryPolicy: RetryPolicy
    /// The timeout of one attempt (shortened to the time left before the deadline).
    public var requestTimeout: Duration
    /// The deadline of a call made without one: this long after it starts.
    public var defaultTimeBudget: Duration
    /// The wall clock used for signing.
    public var now: @Sendable () -> UnixTime

    public init(
        transport: any HTTPTransport,
        credentials: any CredentialsProvider,
        endpoints: EndpointResolver,
        region: String,
        retryPolicy: RetryPolicy = RetryPolicy(),
        requestTimeout: Duration = .seconds(10),
        defaultTimeBudget: Duration = .seconds(30),
        now: @escaping @Sendable () -> UnixTime = { UnixTime.now() }
    ) {
        self.transport = transport
        self.credentials = credentials
        self.endpoints = endpoints
        self.region = region
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
        self.defaultTimeBudget = defaultTimeBudget
        self.now = now
    }

    /// This client with other credentials (e.g. `AssumedRoleCredentials` for another account).
    public func with(credentials: any CredentialsProvider) -> AWSClient {
        var copy = self
        copy.credentials = credentials
        return copy
    }

    /// This client for another region.
    public func with(region: String) -> AWSClient {
        var copy = self
        copy.region = region
        return copy
    }

    // MARK: - Wire protocols

    /// One request before the endpoint, signature and `User-Agent` are added.
    package struct AWSRequest: Sendable {
        package var method: String
        /// The path (starting with `/`, already percent-encoded) and any `?query`.
        package var pathAndQuery: String
        package var headers: HTTPHeaders
        package var body: [UInt8]
        /// Sent without a signature (STS `AssumeRoleWithWebIdentity`, the SSO portal).
        package var unsigned: Bool
        /// The S3 bucket addressed: in the host name (`bucket.s3.region...`), or as the first path
        /// segment when the endpoint is overridden. `pathAndQuery` is then relative to the bucket.
        package var bucket: String?

        package init(
            method: String, path: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
            unsigned: Bool = false, bucket: String? = nil
        ) {
            self.method = method
            self.pathAndQuery = path
            self.headers = headers
            self.body = body
            self.unsigned = unsigned
            self.bucket = bucket
        }
    }

    enum WireProtocol: Equatable {
        case query
        /// JSON 1.0 or 1.1 (`version`), the operation named by `X-Amz-Target: target`.
        case json(version: String, target: String)
    }

    /// Builds, signs and sends one operation with retries; returns a 2xx response or throws.
    func send(
        _ service: AWSService,
        operation: String,
        wire: WireProtocol,
        body: [UInt8],
        deadline: ContinuousClock.Instant?
    ) async throws -> HTTPResponse {
        var headers = HTTPHeaders()
        switch wire {
        case .query:
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        case .json(let version, let target):
            headers.add(name: "Content-Type", value: "application/x-amz-json-\(version)")
            headers.add(name: "X-Amz-Target", value: target)
        }
        let request = AWSRequest(method: "POST", path: "/", headers: headers, body: body)
        return try await send(service, operation: operation, request: request, deadline: deadline) { response in
            switch wire {
            case .query: ErrorParser.queryError(response, service: service, operation: operation)
            case .json: ErrorParser.jsonError(response, service: service, operation: operation)
            }
        }
    }

    /// Sends `request` to `service` in this client's region with retries, signing it unless it is
    /// `unsigned`; a non-2xx response becomes the error `parseError` makes of it. When the service says
    /// the credentials expired, the provider is told to forget them and the call is made once more.
    package func send(
        _ service: AWSService,
        operation: String,
        request: AWSRequest,
        deadline: ContinuousClock.Instant?,
        parseError: @Sendable (HTTPResponse) -> AWSError
    ) async throws -> HTTPResponse {
        var base = try endpoints.endpoint(for: service, region: region)
        if let bucket = request.bucket {
            // Path style for a local endpoint, and for a bucket name with dots (the wildcard certificate
            // of `s3.<region>.amazonaws.com` does not cover `a.b.s3...`).
            if endpoints.isOverridden(service) || bucket.contains(".") {
                base += "/" + bucket
            } else if let scheme = ["https://", "http://"].first(where: base.hasPrefix) {
                base = scheme + bucket + "." + base.dropFirst(scheme.count)
            }
        }
        var headers = request.headers
        headers.add(name: "User-Agent", value: Self.userAgent)
        let deadline = deadline ?? retryPolicy.now().advanced(by: defaultTimeBudget)
        for attempt in 1...2 {
            let credentials = request.unsigned ? nil : try await self.credentials.credentials()
            do {
                return try await retryPolicy.run(deadline: deadline) { remaining in
                    var http = HTTPRequest(method: request.method, url: base + request.pathAndQuery, headers: headers, body: request.body)
                    if let credentials {
                        try SigV4.sign(request: &http, credentials: credentials, region: region,
                                       service: service.signingName, date: now(), includeContentSHA256: service == .s3)
                    }
                    let response = try await transport.send(http, timeout: min(requestTimeout, remaining))
                    guard (200...299).contains(response.status) else { throw parseError(response) }
                    return response
                }
            } catch let error as AWSError where error.isExpiredCredentials && attempt == 1 && !request.unsigned {
                await self.credentials.invalidate()
                continue
            } catch AWSClientError.deadlineExceeded {
                throw AWSClientError.deadlineExceeded(service: service.endpointPrefix, operation: operation)
            }
        }
        preconditionFailure("unreachable: the second attempt returns or throws")
    }

    /// A query-protocol call: form-encoded POST, XML response; returns the `<ActionResponse>` root.
    package func query(
        _ service: AWSService,
        action: String,
        parameters: [(String, String)],
        unsigned: Bool = false,
        deadline: ContinuousClock.Instant?
    ) async throws -> XML.Element {
        let form = PercentEncoding.formEncode([("Action", action), ("Version", service.apiVersion)] + parameters)
        let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"]
        let request = AWSRequest(method: "POST", path: "/", headers: headers, body: Array(form.utf8), unsigned: unsigned)
        let response = try await send(service, operation: action, request: request, deadline: deadline) { response in
            ErrorParser.queryError(response, service: service, operation: action)
        }
        let root: XML.Element
        do {
            root = try XML.parse(response.body)
        } catch {
            throw AWSClientError.malformedResponse(service: service.endpointPrefix, operation: action, reason: error.description)
        }
        guard root.name == action + "Response" else {
            throw AWSClientError.malformedResponse(
                service: service.endpointPrefix, operation: action,
                reason: "unexpected root element <\(root.name.prefix(64))>")
        }
        return root
    }

    /// A JSON-protocol call (1.0 or 1.1, as the service speaks): `X-Amz-Target: <prefix>.<operation>`,
    /// JSON body both ways.
    package func json<Output: Decodable>(
        _ service: AWSService,
        operation: String,
        input: some Encodable,
        output: Output.Type,
        deadline: ContinuousClock.Instant?
    ) async throws -> Output {
        let body = try Self.encodeJSON(input)
        let target = "\(service.jsonTargetPrefix).\(operation)"
        let wire = WireProtocol.json(version: service.jsonVersion, target: target)
        let response = try await send(service, operation: operation, wire: wire, body: body, deadline: deadline)
        return try Self.decodeJSON(Output.self, from: response.body, service: service, operation: operation)
    }

    package static func encodeJSON(_ value: some Encodable) throws -> [UInt8] {
        try JSONValueEncoder().encode(value)
    }

    package static func decodeJSON<Output: Decodable>(
        _ type: Output.Type, from body: [UInt8], service: AWSService, operation: String
    ) throws -> Output {
        do {
            return try JSONValueDecoder().decode(Output.self, from: body)
        } catch let error as DecodingError {
            throw AWSClientError.malformedResponse(
                service: service.endpointPrefix, operation: operation, reason: describe(error))
        }
    }

    /// Says what was wrong and where (by our own field names), never quoting the body.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case .valueNotFound(_, let context):
            return "null field \(path(context.codingPath))"
        case .typeMismatch(_, let context):
            return "wrong type for field \(path(context.codingPath))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "invalid JSON" : "invalid value for field \(path(context.codingPath))"
        @unknown default:
            return "undecodable JSON"
        }
    }

    /// A malformed-response error for a query call missing `path`.
    package static func missing(_ path: String, _ service: AWSService, _ action: String) -> AWSClientError {
        .malformedResponse(service: service.endpointPrefix, operation: action, reason: "missing element \(path)")
    }
}

extension AWSService {
    /// The `X-Amz-Target` prefix of JSON-protocol services (as in botocore's service model).
    var jsonTargetPrefix: String {
        switch self {
        case .serviceCatalog: "AWS242ServiceCatalogService"
        case .sqs: "AmazonSQS"
        case .events: "AWSEvents"
        case .dynamoDB: "DynamoDB_20120810"
        case .organizations: "AWSOrganizationsV20161128"
        case .logs: "Logs_20140328"
        case .sts, .sns, .cloudFormation, .s3, .cloudWatch, .sso: ""
        }
    }

    /// The JSON protocol version of JSON-protocol services (`application/x-amz-json-<version>`).
    var jsonVersion: String {
        self == .dynamoDB ? "1.0" : "1.1"
    }
}
