import AWSClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The filter Lambda's transport: HTTP/1.1 over SwiftNIO, TLS through NIOSSL, with keep-alive connections
/// reused per endpoint (scheme, host, port) for as long as the process lives, so that warm invocations
/// skip the TCP and TLS handshakes. Small on purpose (the Lambda zip stays small); the event loop starts
/// on the first request, so invocations that need no AWS call never start one.
///
/// A connection carries one request at a time; concurrent requests to one endpoint open more connections,
/// except that a request finding connections to its endpoint still being prepared (`beginPreparing`)
/// waits for one of those instead of opening its own, when that preparation gives up before the request's
/// own deadline. Preparations stay within the pool's bounds.
/// At most `maxIdlePerEndpoint` idle connections are kept per endpoint and `maxIdle` in all (the oldest
/// are closed first). A pooled connection the peer closed while it sat idle (for instance while Lambda
/// froze the process) is noticed when the request cannot be written, or the connection ends before any
/// response arrives: the request is then sent once more, on a new connection. A request that got any
/// response is never sent again by the transport.
public final class NIOTransport: HTTPTransport, Sendable {
    /// Idle connections kept per endpoint.
    public static let maxIdlePerEndpoint = 4
    /// Idle connections kept in all.
    public static let maxIdle = 16
    /// How long one connect attempt may take at most.
    static let connectTimeout = TimeAmount.seconds(3)

    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let tlsError: String?
    /// Idle connections, oldest first, the connections being prepared, and whether `shutdown` was called.
    private let pool = NIOLockedValueBox(Pool())

    private struct Pool {
        var idle: [(Endpoint, any Channel)] = []
        /// Connections being prepared, by endpoint: a request waits for one rather than opening its own.
        var preparing: [Endpoint: [Preparation]] = [:]
        var lastPreparation = 0
        var closed = false

        /// Idle connections to `endpoint` that are still open.
        func idleCount(_ endpoint: Endpoint) -> Int { idle.filter { $0.0 == endpoint && $0.1.isActive }.count }
        /// Connections idle or being prepared, everywhere.
        var held: Int { idle.count + preparing.values.reduce(0) { $0 + $1.count } }
    }

    /// A connection being opened ahead of the request that will use it.
    private struct Preparation {
        var id: Int
        var task: Task<Void, Never>
        /// When its connect attempt gives up at the latest.
        var deadline: NIODeadline
    }

    /// `caBundle`: extra trust roots (`AWS_CA_BUNDLE`). When it cannot be used, HTTPS requests fail
    /// (`HTTPTransportError.failed`, not retried) rather than quietly trusting only the system's roots.
    public init(caBundle: CABundle? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
        var configuration = TLSConfiguration.makeClientConfiguration()
        var context: NIOSSLContext?
        var problem: String?
        if let caBundle {
            if let p = caBundle.problem {
                problem = "AWS_CA_BUNDLE \(caBundle.path): \(p)"
            } else {
                configuration.additionalTrustRoots = [.certificates(caBundle.certificates)]
            }
        }
        if problem == nil {
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                problem = "TLS setup: \(error)"
            }
        }
        tls = context
        tlsError = problem
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let target = try Target(url: request.url)
        if target.secure, tls == nil { throw HTTPTransportError.failed("TLS unavailable: \(tlsError ?? "unknown")") }
        let deadline = Self.deadline(after: timeout, atLeast: .milliseconds(1))
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: target.url.requestTarget)
        head.headers.add(name: "Host", value: target.url.hostHeader)
        for field in request.headers where field.name.lowercased() != "host" { head.headers.add(name: field.name, value: field.value) }
        head.headers.replaceOrAdd(name: "Content-Length", value: String(request.body.count))
        let exchange = Exchange(head: head, body: ByteBuffer(bytes: request.body))
        // A pooled connection, else one being prepared there (wait for it; another request may take it
        // first: then look again). A pooled one the peer closed while idle: once more, on a new connection.
        reuse: while true {
            switch claim(target.endpoint, before: deadline) {
            case .idle(let channel):
                do {
                    return try await send(exchange, on: channel, endpoint: target.endpoint, deadline: deadline)
                } catch is Unanswered {
                    break reuse
                }
            case .preparing(let preparation):
                await preparation.value
            case .nothing:
                break reuse
            }
        }
        let channel = try await connect(target, deadline: deadline)
        do {
            return try await send(exchange, on: channel, endpoint: target.endpoint, deadline: deadline)
        } catch let error as Unanswered {
            throw HTTPTransportError.connectionFailed("\(target.host):\(target.port): \(error.reason)")
        }
    }

    /// Starts opening connections to the endpoint of `url` until `connections` are idle or being opened
    /// there, and returns at once (the TCP handshakes run while the caller does something else): from now
    /// on a request to that endpoint without an idle connection waits for one of these. Stays within the
    /// pool's bounds (`maxIdlePerEndpoint` there, `maxIdle` idle or being prepared in all), so that prepared
    /// connections do not close each other. Each task ends when its connection is pooled or could not be
    /// opened within `timeout` (then the requests open their own); nobody needs to await it.
    @discardableResult
    public func beginPreparing(to url: String, connections: Int = 1, timeout: Duration) -> [Task<Void, Never>] {
        guard let target = try? Target(url: url), !target.secure || tls != nil else { return [] }
        let deadline = Self.deadline(after: timeout)
        let endpoint = target.endpoint
        return pool.withLockedValue { pool -> [Task<Void, Never>] in
            guard !pool.closed else { return [] }
            let have = pool.idleCount(endpoint) + (pool.preparing[endpoint]?.count ?? 0)
            let room = max(0, Self.maxIdle - pool.held)
            let wanted = max(0, min(connections, Self.maxIdlePerEndpoint) - have)
            return (0..<min(wanted, room)).map { _ in
                pool.lastPreparation += 1
                let id = pool.lastPreparation
                // The task takes the lock when done, so it cannot remove its entry before it is added.
                let task = Task {
                    if let channel = try? await self.connect(target, deadline: deadline) { self.release(channel, endpoint) }
                    self.pool.withLockedValue { $0.preparing[endpoint]?.removeAll { $0.id == id } }
                }
                pool.preparing[endpoint, default: []].append(Preparation(id: id, task: task, deadline: min(deadline, .now() + Self.connectTimeout)))
                return task
            }
        }
    }

    /// Closes the idle connections; connections in use close when their request ends.
    public func shutdown() async {
        let idle = pool.withLockedValue { pool in
            defer { pool.idle = []; pool.closed = true }
            return pool.idle
        }
        for (_, channel) in idle { try? await channel.close() }
    }

    /// Idle connections now, per endpoint `host:port` (for tests).
    public var idleConnections: [String: Int] {
        pool.withLockedValue { pool in
            pool.idle.reduce(into: [:]) { counts, entry in counts["\(entry.0.host):\(entry.0.port)", default: 0] += 1 }
        }
    }

    /// Connections being prepared now, per endpoint `host:port` (for tests).
    public var preparingConnections: [String: Int] {
        pool.withLockedValue { pool in
            pool.preparing.reduce(into: [:]) { counts, entry in
                if !entry.value.isEmpty { counts["\(entry.key.host):\(entry.key.port)"] = entry.value.count }
            }
        }
    }

    /// `timeout` from now on NIO's clock, `atLeast` from now.
    private static func deadline(after timeout: Duration, atLeast least: TimeAmount = .zero) -> NIODeadline {
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        return .now() + max(least, .nanoseconds(nanoseconds))
    }

    /// What a request to an endpoint can use instead of opening a connection.
    private enum Claim {
        /// A pooled open connection, now the request's.
        case idle(any Channel)
        /// A connection being prepared: when it ends, look again.
        case preparing(Task<Void, Never>)
        case nothing
    }

    /// The most recently pooled open connection to `endpoint` (closed ones are dropped on the way), else a
    /// preparation there that gives up before `deadline`; one look under the lock, so that a preparation
    /// pooling its connection meanwhile cannot slip between the two.
    private func claim(_ endpoint: Endpoint, before deadline: NIODeadline) -> Claim {
        while true {
            let (claim, dead) = pool.withLockedValue { pool -> (Claim, (any Channel)?) in
                if let index = pool.idle.lastIndex(where: { $0.0 == endpoint }) {
                    let channel = pool.idle.remove(at: index).1
                    return channel.isActive ? (.idle(channel), nil) : (.nothing, channel)
                }
                if let preparation = pool.preparing[endpoint]?.first(where: { $0.deadline <= deadline }) {
                    return (.preparing(preparation.task), nil)
                }
                return (.nothing, nil)
            }
            guard let dead else { return claim }
            dead.close(promise: nil)
        }
    }

    /// Pools `channel` for the next request to `endpoint`, closing what exceeds the bounds.
    private func release(_ channel: any Channel, _ endpoint: Endpoint) {
        let surplus = pool.withLockedValue { pool -> [any Channel] in
            guard !pool.closed, channel.isActive else { return [channel] }
            var surplus: [any Channel] = []
            if pool.idle.filter({ $0.0 == endpoint }).count >= Self.maxIdlePerEndpoint,
                let oldest = pool.idle.firstIndex(where: { $0.0 == endpoint })
            {
                surplus.append(pool.idle.remove(at: oldest).1)
            }
            pool.idle.append((endpoint, channel))
            while pool.idle.count > Self.maxIdle { surplus.append(pool.idle.removeFirst().1) }
            return surplus
        }
        for channel in surplus { channel.close(promise: nil) }
    }

    private func connect(_ target: Target, deadline: NIODeadline) async throws -> any Channel {
        let tls = target.secure ? self.tls : nil
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(min(deadline - .now(), Self.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: target.url.isIPAddress ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler())
                }
            }
        do {
            return try await bootstrap.connect(host: target.host, port: target.port).get()
        } catch {
            throw HTTPTransportError.connectionFailed("\(target.host):\(target.port): \(error)")
        }
    }

    /// One request and its response on `channel`; pools the channel afterwards when both sides keep it alive.
    private func send(_ exchange: Exchange, on channel: any Channel, endpoint: Endpoint, deadline: NIODeadline) async throws -> HTTPResponse {
        let reply = channel.eventLoop.makePromise(of: Reply.self)
        var exchange = exchange
        exchange.reply = reply
        // The first completion wins: the response, the connection's end, or the timeout.
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            reply.fail(HTTPTransportError.timedOut)
            channel.close(promise: nil)
        }
        channel.writeAndFlush(exchange).whenFailure { error in reply.fail(Unanswered(reason: "write failed: \(error)")) }
        defer { timer.cancel() }
        do {
            let result = try await reply.futureResult.get()
            if result.keepAlive { release(channel, endpoint) } else { channel.close(promise: nil) }
            return result.response
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// Where a connection goes: connections are pooled per endpoint.
    struct Endpoint: Hashable, Sendable {
        var secure: Bool
        var host: String
        var port: Int
    }

    /// Where a request goes, from its URL split by `URLParts` (as SigV4 signed it).
    struct Target: Sendable {
        var url: URLParts
        var endpoint: Endpoint

        var secure: Bool { url.isSecure }
        var host: String { url.connectHost }
        var port: Int { url.effectivePort }

        init(url string: String) throws {
            guard let url = URLParts(string) else { throw HTTPTransportError.failed("unsupported URL \(string.prefix(80))") }
            self.url = url
            endpoint = Endpoint(secure: url.isSecure, host: url.connectHost, port: url.effectivePort)
        }
    }
}

/// The request was not answered at all: it could not be written, or the connection ended before any
/// response byte. On a pooled connection this means the peer closed it while it sat idle.
struct Unanswered: Error {
    var reason: String
}

/// A request to write, and the promise of its response.
struct Exchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
    var reply: EventLoopPromise<Reply>?
}

/// A response, and whether the connection may carry another request.
struct Reply: Sendable {
    var response: HTTPResponse
    var keepAlive: Bool
}

/// One request at a time over a keep-alive connection: writes an `Exchange`, collects its response.
private final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Exchange
    typealias OutboundOut = HTTPClientRequestPart

    private var reply: EventLoopPromise<Reply>?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard reply == nil, context.channel.isActive else {
            exchange.reply?.fail(Unanswered(reason: reply == nil ? "connection closed" : "connection busy"))
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        reply = exchange.reply
        head = nil
        body = []
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if exchange.body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard reply != nil else {
            // Nothing was asked: whatever this is, the connection is not reusable.
            context.close(promise: nil)
            return
        }
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
                context.close(promise: nil)
                return
            }
            var headers = AWSHeaders()
            for (name, value) in head.headers { headers.add(name: name, value: value) }
            let response = HTTPResponse(status: Int(head.status.code), headers: headers, body: body)
            self.head = nil
            body = []
            finish(.success(Reply(response: response, keepAlive: head.isKeepAlive)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(head == nil
            ? Unanswered(reason: "connection closed before a response")
            : HTTPTransportError.connectionFailed("connection closed before the response ended")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A parse error means response bytes arrived: the request was answered, if badly.
        finish(.failure(head == nil && !(error is HTTPParserError)
            ? Unanswered(reason: String(describing: error))
            : HTTPTransportError.connectionFailed(String(describing: error))))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<Reply, any Error>) {
        guard let reply else { return }
        self.reply = nil
        reply.completeWith(result)
    }
}
