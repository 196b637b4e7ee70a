import AWSClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The production transport: one HTTP/1.1 exchange per connection over SwiftNIO, TLS through NIOSSL.
/// Small on purpose (the Lambda zip stays small); the event loop starts on the first request, so
/// invocations that need no AWS call never start one.
final class NIOTransport: HTTPTransport {
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let tlsError: String?

    init() {
        group = MultiThreadedEventLoopGroup.singleton
        do {
            tls = try NIOSSLContext(configuration: .makeClientConfiguration())
            tlsError = nil
        } catch {
            tls = nil
            tlsError = String(describing: error)
        }
    }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let target = try Target(url: request.url)
        if target.secure, tls == nil { throw HTTPTransportError.failed("TLS unavailable: \(tlsError ?? "unknown")") }
        let loop = group.next()
        let promise = loop.makePromise(of: HTTPResponse.self)
        let tls = self.tls
        let nanos = max(1_000_000, timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(min(nanos, 3_000_000_000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if target.secure, let tls {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: target.isIPAddress ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: target.host, port: target.port).get()
        } catch {
            promise.fail(HTTPTransportError.connectionFailed(String(describing: error)))
            throw HTTPTransportError.connectionFailed("\(target.host):\(target.port): \(error)")
        }
        let timer = loop.scheduleTask(in: .nanoseconds(nanos)) {
            promise.fail(HTTPTransportError.timedOut)
            channel.close(promise: nil)
        }
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: target.pathAndQuery)
        head.headers.add(name: "Host", value: target.hostHeader)
        for field in request.headers where field.name.lowercased() != "host" { head.headers.add(name: field.name, value: field.value) }
        head.headers.replaceOrAdd(name: "Content-Length", value: String(request.body.count))
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        let body = request.body
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
            promise.fail(HTTPTransportError.connectionFailed(String(describing: error)))
        }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        return try await promise.futureResult.get()
    }

    /// Scheme, host, port and path of an absolute http(s) URL.
    struct Target: Sendable {
        var secure: Bool
        var host: String
        var port: Int
        var pathAndQuery: String
        var hostHeader: String
        var isIPAddress: Bool

        init(url: String) throws {
            let secure: Bool
            var rest: Substring
            if url.hasPrefix("https://") {
                secure = true
                rest = url.dropFirst(8)
            } else if url.hasPrefix("http://") {
                secure = false
                rest = url.dropFirst(7)
            } else {
                throw HTTPTransportError.failed("unsupported URL \(url.prefix(80))")
            }
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            rest = rest.dropFirst(authority.count)
            var host = Substring(authority)
            var port = secure ? 443 : 80
            if host.hasPrefix("[") {
                guard let close = host.firstIndex(of: "]") else { throw HTTPTransportError.failed("bad IPv6 host") }
                let after = host[host.index(after: close)...]
                if after.hasPrefix(":"), let p = Int(after.dropFirst()) { port = p }
                host = host[host.index(after: host.startIndex)..<close]
            } else if let colon = host.lastIndex(of: ":") {
                guard let p = Int(host[host.index(after: colon)...]) else { throw HTTPTransportError.failed("bad port in \(url.prefix(80))") }
                port = p
                host = host[..<colon]
            }
            guard !host.isEmpty else { throw HTTPTransportError.failed("no host in \(url.prefix(80))") }
            self.secure = secure
            self.host = String(host)
            self.port = port
            self.pathAndQuery = rest.isEmpty ? "/" : (rest.hasPrefix("?") ? "/" + rest : String(rest))
            self.hostHeader = String(authority)
            self.isIPAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        }
    }
}

/// Collects one HTTP response and completes the promise with it.
private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPResponse>
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<HTTPResponse>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= 16 * 1024 * 1024 else {
                finish(.failure(HTTPTransportError.failed("response larger than 16 MiB")))
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else {
                finish(.failure(HTTPTransportError.connectionFailed("response without a head")))
                return
            }
            var headers = AWSHeaders()
            for (name, value) in head.headers { headers.add(name: name, value: value) }
            finish(.success(HTTPResponse(status: Int(head.status.code), headers: headers, body: body)))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(HTTPTransportError.connectionFailed("connection closed before the response ended")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(HTTPTransportError.connectionFailed(String(describing: error))))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<HTTPResponse, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
}
