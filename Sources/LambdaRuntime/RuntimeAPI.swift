#if canImport(Glibc)
import Glibc
#else
#error("LambdaRuntime is Linux only: the filter runs on Lambda's provided.al2023 (glibc)")
#endif
import AWSIdentifiers
import JSONText

/// One invocation handed out by the Lambda Runtime API.
public struct Invocation: Sendable {
    public var requestId: String
    /// Deadline in milliseconds since the Unix epoch (`Lambda-Runtime-Deadline-Ms`).
    public var deadlineMs: Int64
    public var invokedFunctionArn: String
    public var traceId: String?
    public var body: [UInt8]

    public init(requestId: String, deadlineMs: Int64, invokedFunctionArn: String, traceId: String?, body: [UInt8]) {
        self.requestId = requestId
        self.deadlineMs = deadlineMs
        self.invokedFunctionArn = invokedFunctionArn
        self.traceId = traceId
        self.body = body
    }

    /// Milliseconds left before the deadline, by the wall clock (the deadline is wall-clock time).
    public var remainingMs: Int64 { deadlineMs - UnixTime.now().epochMilliseconds }
}

/// A Runtime API failure (connection, protocol, unexpected status).
public struct RuntimeAPIError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = d }
}

/// A blocking HTTP/1.1 client for the Lambda Runtime API (`AWS_LAMBDA_RUNTIME_API`), one kept-alive connection.
public final class RuntimeAPIClient {
    let host: String
    let port: String
    var socket: Int32 = -1
    /// Bytes received and not yet consumed.
    var buffer: [UInt8] = []
    /// Reused receive area, so reading allocates nothing per call.
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    static let base = "/2018-06-01/runtime"

    /// `endpoint` is `host:port` as Lambda sets it in `AWS_LAMBDA_RUNTIME_API`.
    public init(endpoint: String) throws {
        guard let colon = endpoint.lastIndex(of: ":"), !endpoint[endpoint.index(after: colon)...].isEmpty else {
            throw RuntimeAPIError("AWS_LAMBDA_RUNTIME_API must be host:port, got '\(endpoint)'")
        }
        host = String(endpoint[..<colon])
        port = String(endpoint[endpoint.index(after: colon)...])
    }

    deinit { closeSocket() }

    /// Waits for the next invocation.
    public func next() throws -> Invocation {
        let response = try exchange(method: "GET", path: "\(Self.base)/invocation/next", headers: [], body: [])
        guard response.status == 200 else {
            throw RuntimeAPIError("next invocation: HTTP \(response.status) \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        guard let id = response.header("lambda-runtime-aws-request-id") else {
            throw RuntimeAPIError("next invocation: no Lambda-Runtime-Aws-Request-Id header")
        }
        return Invocation(
            requestId: id,
            deadlineMs: response.header("lambda-runtime-deadline-ms").flatMap { Int64($0) } ?? (UnixTime.now().epochMilliseconds + 60_000),
            invokedFunctionArn: response.header("lambda-runtime-invoked-function-arn") ?? "",
            traceId: response.header("lambda-runtime-trace-id"),
            body: response.body)
    }

    /// Reports the invocation's result.
    public func respond(requestId: String, body: [UInt8]) throws {
        let r = try exchange(method: "POST", path: "\(Self.base)/invocation/\(requestId)/response", headers: [], body: body)
        guard (200..<300).contains(r.status) else { throw RuntimeAPIError("response for \(requestId): HTTP \(r.status)") }
    }

    /// Reports a failed invocation; Lambda retries asynchronous events and finally sends them to the DLQ.
    public func fail(requestId: String, errorType: String, message: String) throws {
        let body = ErrorDocument.json(type: errorType, message: message)
        let r = try exchange(
            method: "POST", path: "\(Self.base)/invocation/\(requestId)/error",
            headers: [("Lambda-Runtime-Function-Error-Type", errorType), ("Content-Type", "application/json")], body: body)
        guard (200..<300).contains(r.status) else { throw RuntimeAPIError("error for \(requestId): HTTP \(r.status)") }
    }

    /// Reports that the function cannot start (missing configuration); Lambda then fails the invocation.
    public func initError(errorType: String, message: String) throws {
        let body = ErrorDocument.json(type: errorType, message: message)
        let r = try exchange(
            method: "POST", path: "\(Self.base)/init/error",
            headers: [("Lambda-Runtime-Function-Error-Type", errorType), ("Content-Type", "application/json")], body: body)
        guard (200..<300).contains(r.status) else { throw RuntimeAPIError("init error: HTTP \(r.status)") }
    }

    // MARK: HTTP

    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
    }

    func exchange(method: String, path: String, headers: [(String, String)], body: [UInt8]) throws -> Response {
        // One retry on a fresh connection: the server may have closed an idle keep-alive connection.
        do {
            return try attempt(method: method, path: path, headers: headers, body: body)
        } catch {
            closeSocket()
            return try attempt(method: method, path: path, headers: headers, body: body)
        }
    }

    func attempt(method: String, path: String, headers: [(String, String)], body: [UInt8]) throws -> Response {
        if socket < 0 { try connect() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: catalogwatch-filter/0.1\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse()
    }

    func connect() throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, port, &hints, &result)
        guard rc == 0, let first = result else {
            throw RuntimeAPIError("cannot resolve runtime API host \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        var info: UnsafeMutablePointer<addrinfo>? = first
        var lastError: Int32 = 0
        while let ai = info {
            let fd = Glibc.socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    socket = fd
                    buffer.removeAll(keepingCapacity: true)
                    return
                }
                lastError = errno
                close(fd)
            }
            info = ai.pointee.ai_next
        }
        throw RuntimeAPIError("cannot connect to runtime API \(host):\(port): \(String(cString: strerror(lastError)))")
    }

    func closeSocket() {
        if socket >= 0 { close(socket) }
        socket = -1
        buffer.removeAll(keepingCapacity: true)
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RuntimeAPIError("send: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads more bytes into the buffer; throws at end of stream.
    func fill() throws {
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return
            }
            if n < 0, errno == EINTR { continue }
            throw RuntimeAPIError(n == 0 ? "runtime API closed the connection" : "recv: \(String(cString: strerror(errno)))")
        }
    }

    func readResponse() throws -> Response {
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = Self.find([13, 10, 13, 10], in: buffer)
            if headerEnd == nil {
                guard buffer.count < 64 * 1024 else { throw RuntimeAPIError("response headers too large") }
                try fill()
            }
        }
        let end = headerEnd!
        let lines = String(decoding: buffer[0..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        buffer.removeFirst(end + 4)
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1."),
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw RuntimeAPIError("malformed status line") }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.append((name, String(value)))
        }
        var response = Response(status: status, headers: headers, body: [])
        if let codings = response.header("transfer-encoding"), Self.isChunked(codings) {
            response.body = try readChunked()
        } else {
            let length = response.header("content-length").flatMap { Int($0.trimmingCharacters()) } ?? 0
            while buffer.count < length { try fill() }
            response.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        if response.header("connection")?.lowercased() == "close" { closeSocket() }
        return response
    }

    /// Whether a `Transfer-Encoding` value ends in `chunked` (codings are comma-separated, chunked last).
    static func isChunked(_ codings: String) -> Bool {
        guard let last = codings.split(separator: ",").last else { return false }
        return last.filter { $0 != " " && $0 != "\t" }.lowercased() == "chunked"
    }

    func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            var lineEnd = Self.find([13, 10], in: buffer)
            while lineEnd == nil {
                try fill()
                lineEnd = Self.find([13, 10], in: buffer)
            }
            let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(), radix: 16) else { throw RuntimeAPIError("malformed chunk size") }
            buffer.removeFirst(lineEnd! + 2)
            while buffer.count < size + 2 { try fill() }
            body.append(contentsOf: buffer[0..<size])
            buffer.removeFirst(size + 2)
            if size == 0 { return body }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                var i = 0
                let last = h.count - n.count
                outer: while i <= last {
                    for j in 0..<n.count where h[i + j] != n[j] {
                        i += 1
                        continue outer
                    }
                    return i
                }
                return nil
            }
        }
    }
}

/// The JSON error document the Runtime API expects.
enum ErrorDocument {
    static func json(type: String, message: String) -> [UInt8] {
        Array("{\"errorMessage\":\(quote(message)),\"errorType\":\(quote(type)),\"stackTrace\":[]}".utf8)
    }

    static func quote(_ s: String) -> String { JSONText.quoted(s) }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
