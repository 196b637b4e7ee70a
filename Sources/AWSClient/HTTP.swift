// The transport seam: plain request/response values and the protocol a real HTTP client implements.

/// Ordered HTTP header fields with case-insensitive name lookup.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of header `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        let key = asciiLowercased(name)
        return fields.first { asciiLowercased($0.name) == key }?.value
    }

    /// All values of header `name` (case-insensitive), in order.
    public func values(for name: String) -> [String] {
        let key = asciiLowercased(name)
        return fields.filter { asciiLowercased($0.name) == key }.map(\.value)
    }

    /// Whether a header named `name` is present (case-insensitive).
    public func contains(_ name: String) -> Bool {
        self[name] != nil
    }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func remove(name: String) {
        let key = asciiLowercased(name)
        fields.removeAll { asciiLowercased($0.name) == key }
    }

    /// Replaces every field named `name` with one field at the end.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }
}

/// Header names whose values are credentials and never appear in descriptions.
let sensitiveHeaderNames: Set<String> = [
    "authorization", "x-amz-security-token", "cookie", "proxy-authorization", "x-amz-sso_bearer_token",
    "x-aws-ec2-metadata-token",
]

extension HTTPHeaders: CustomStringConvertible {
    /// Header names and values, with credential-bearing values redacted.
    public var description: String {
        let rendered = fields.map { field in
            let redacted = sensitiveHeaderNames.contains(asciiLowercased(field.name))
            return "\(field.name): \(redacted ? "<redacted>" : field.value)"
        }
        return "[" + rendered.joined(separator: ", ") + "]"
    }
}

/// An HTTP request as the AWS layer builds it: the transport sends it as is (adding Host and Content-Length).
public struct HTTPRequest: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var method: String
    /// Absolute URL, already percent-encoded as it goes on the wire.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Method, URL, headers (credentials redacted) and body size; never the body.
    public var description: String {
        "\(method) \(url) \(headers) body: \(body.count) bytes"
    }

    public var debugDescription: String { description }
}

/// An HTTP response: status, headers and the whole body.
public struct HTTPResponse: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Status, headers and body size; never the body (an STS response body holds secrets).
    public var description: String {
        "HTTP \(status) \(headers) body: \(body.count) bytes"
    }

    public var debugDescription: String { description }
}

/// Sends one HTTP request; the filter Lambda's implementation is `NIOTransport`, the CLI's `URLSessionTransport`.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the complete response, failing after `timeout`.
    /// Implementations should throw `HTTPTransportError` so that retries can tell transient failures apart.
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
}

/// A transport failure, as classified for retries.
public enum HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No complete response before the timeout (retried).
    case timedOut
    /// Could not connect, or the connection broke before a complete response (retried).
    case connectionFailed(String)
    /// Anything else, such as an invalid URL (not retried).
    case failed(String)

    public var description: String {
        switch self {
        case .timedOut: "HTTP request timed out"
        case .connectionFailed(let reason): "HTTP connection failed: \(reason)"
        case .failed(let reason): "HTTP request failed: \(reason)"
        }
    }
}

@inline(__always)
func asciiLowercased(_ string: String) -> String {
    guard string.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5a }) else { return string }
    return String(decoding: string.utf8.map { $0 >= 0x41 && $0 <= 0x5a ? $0 + 0x20 : $0 }, as: UTF8.self)
}
