import AWSClient
import Foundation
import NIOTransport
import TestSupport
import XCTest

/// The filter's NIO transport against scripts/keepalive_server.py, which reports the connections it
/// accepted and the requests each carried.
final class NIOTransportTests: XCTestCase {
    private var servers: [ScriptServer] = []
    private var directories: [URL] = []

    override func tearDown() {
        for server in servers { server.stop() }
        for directory in directories { try? FileManager.default.removeItem(at: directory) }
        servers = []
        directories = []
        super.tearDown()
    }

    /// A plain HTTP server, or an HTTPS one whose CA is written to `<directory>/ca.pem`.
    private func startServer(tls directory: URL? = nil) throws -> ScriptServer {
        var arguments = ["--timeout", "120"]
        if let directory { arguments += ["--tls", directory.path] }
        let server = try ScriptServer(script: "scripts/keepalive_server.py", arguments: arguments)
        servers.append(server)
        return server
    }

    private func send(_ transport: NIOTransport, _ url: String, timeout: Duration = .seconds(10)) async throws -> HTTPResponse {
        try await transport.send(HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "text/plain"], body: Array("hello".utf8)), timeout: timeout)
    }

    /// The connections the server accepted for requests (its own control connections left out), in order.
    private func connections(_ server: ScriptServer) async throws -> [(requests: [String], open: Bool)] {
        guard let list = try await server.getJSON("/__stats") as? [[String: Any]] else { throw TestFailure("/__stats: not a list") }
        return list.map { ($0["requests"] as? [String] ?? [], $0["open"] as? Bool ?? true) }
    }

    /// Opens connections to `url` ahead of requests and waits until each is pooled or given up.
    private func prepare(_ transport: NIOTransport, _ url: String, connections: Int = 1, timeout: Duration = .seconds(5)) async -> Int {
        let tasks = transport.beginPreparing(to: url, connections: connections, timeout: timeout)
        for task in tasks { await task.value }
        return tasks.count
    }

    /// Polls `condition` for up to 5 s.
    private func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let end = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < end {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("not within 5 s: \(what)")
    }

    // MARK: Reuse

    func testSequentialRequestsShareOneConnection() async throws {
        let server = try startServer()
        let transport = NIOTransport()
        for _ in 0..<3 {
            let response = try await send(transport, server.url + "/ok")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(try jsonObject(String(decoding: response.body, as: UTF8.self))["received"] as? Int, 5)
        }
        let accepted = try await connections(server)
        XCTAssertEqual(accepted.map(\.requests), [["/ok", "/ok", "/ok"]], "one connection for three requests")
        XCTAssertEqual(transport.idleConnections, ["127.0.0.1:\(server.port)": 1])
        await transport.shutdown()
        XCTAssertEqual(transport.idleConnections, [:])
        try await eventually("shutdown closes the idle connection") { try await connections(server).allSatisfy { !$0.open } }
    }

    func testAPreparedConnectionServesTheNextRequest() async throws {
        let server = try startServer()
        let transport = NIOTransport()
        let started = await prepare(transport, server.url + "/ok")
        XCTAssertEqual(started, 1)
        XCTAssertEqual(transport.idleConnections, ["127.0.0.1:\(server.port)": 1])
        let again = await prepare(transport, server.url + "/other")
        XCTAssertEqual(again, 0)
        XCTAssertEqual(transport.idleConnections, ["127.0.0.1:\(server.port)": 1], "one idle connection is enough")
        let response = try await send(transport, server.url + "/ok")
        XCTAssertEqual(response.status, 200)
        let seen = try await connections(server).map(\.requests)
        XCTAssertEqual(seen, [["/ok"]], "the request went over the prepared connection")
        // Nothing listens there: the hint is dropped, no error.
        _ = await prepare(transport, "http://127.0.0.1:1/", timeout: .milliseconds(500))
        XCTAssertEqual(transport.idleConnections, ["127.0.0.1:\(server.port)": 1])
        await transport.shutdown()
    }

    func testARequestWaitsForTheConnectionBeingPreparedInsteadOfOpeningItsOwn() async throws {
        let server = try startServer()
        let transport = NIOTransport()
        // Started, not awaited: the request right after finds the connection still being opened.
        let preparing = transport.beginPreparing(to: server.url + "/ok", timeout: .seconds(5))
        XCTAssertEqual(preparing.count, 1)
        XCTAssertEqual(transport.beginPreparing(to: server.url + "/other", timeout: .seconds(5)).count, 0, "one is being prepared already")
        let response = try await send(transport, server.url + "/ok")
        XCTAssertEqual(response.status, 200)
        for task in preparing { await task.value }
        let seen = try await connections(server).map(\.requests)
        XCTAssertEqual(seen, [["/ok"]], "one connection, the prepared one, carried the request")
        await transport.shutdown()
    }

    func testConcurrentRequestsShareTheConnectionsBeingPrepared() async throws {
        let server = try startServer()
        let transport = NIOTransport()
        let preparing = transport.beginPreparing(to: server.url + "/ok", connections: 3, timeout: .seconds(5))
        XCTAssertEqual(preparing.count, 3)
        XCTAssertEqual(transport.beginPreparing(to: server.url + "/ok", connections: 3, timeout: .seconds(5)).count, 0, "3 are being prepared")
        let base = server.url
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for path in ["/ok", "/ok", "/ok"] {
                group.addTask { try await transport.send(HTTPRequest(method: "GET", url: base + path), timeout: .seconds(10)).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses, [200, 200, 200])
        for task in preparing { await task.value }
        // Which prepared connection carries which request depends on timing (one may carry two, when its
        // first request ends before another starts); that no fourth connection was opened does not.
        let seen = try await connections(server).map { $0.requests.count }
        XCTAssertEqual(seen.count, 3, "the three prepared connections carried the requests, no fourth was opened: \(seen)")
        XCTAssertEqual(seen.reduce(0, +), 3, "each request sent once")
        await transport.shutdown()
    }

    func testPreparationsStayWithinThePoolBounds() async throws {
        let servers = try (0..<5).map { _ in try startServer() }
        let transport = NIOTransport()
        let perEndpoint = await prepare(transport, servers[0].url + "/ok", connections: 10)
        XCTAssertEqual(perEndpoint, NIOTransport.maxIdlePerEndpoint, "no more than are kept idle there")
        var started = perEndpoint
        for server in servers.dropFirst() { started += await prepare(transport, server.url + "/ok", connections: 4) }
        XCTAssertEqual(started, NIOTransport.maxIdle, "no more than are kept idle in all")
        XCTAssertEqual(transport.idleConnections.values.reduce(0, +), NIOTransport.maxIdle)
        // None was closed to make room for another.
        var open = 0
        for server in servers { open += try await connections(server).filter(\.open).count }
        XCTAssertEqual(open, NIOTransport.maxIdle)
        await transport.shutdown()
    }

    func testARequestDoesNotWaitForAPreparationThatOutlastsItsDeadline() async throws {
        let port = try FullListener()
        let transport = NIOTransport()
        let url = "http://127.0.0.1:\(port.port)/ok"
        // The listener takes no connection: this preparation gives up only after the 3 s connect timeout.
        let preparing = transport.beginPreparing(to: url, timeout: .seconds(30))
        XCTAssertEqual(preparing.count, 1)
        do {
            _ = try await send(transport, url, timeout: .milliseconds(300))
            XCTFail("nothing answers there")
        } catch let error as HTTPTransportError {
            XCTAssertTrue(error == .timedOut || error.description.contains("127.0.0.1:\(port.port)"), "\(error)")
        }
        XCTAssertEqual(transport.preparingConnections, ["127.0.0.1:\(port.port)": 1], "the request ended by its own deadline, before the preparation")
        for task in preparing { await task.value }
        XCTAssertEqual(transport.preparingConnections, [:])
        XCTAssertEqual(transport.idleConnections, [:])
        await transport.shutdown()
    }

    func testConnectionTheServerClosedIsNotReused() async throws {
        let server = try startServer()
        let transport = NIOTransport()
        // A complete response, then the server closes the connection (without `Connection: close`).
        let first = try await send(transport, server.url + "/close")
        XCTAssertEqual(first.status, 200)
        try await Task.sleep(for: .milliseconds(200))
        let second = try await send(transport, server.url + "/ok")
        XCTAssertEqual(second.status, 200)
        let accepted = try await connections(server)
        XCTAssertEqual(accepted.map(\.requests), [["/close"], ["/ok"]], "each request sent once")
        await transport.shutdown()
    }

    // MARK: Stale connections

    func testStaleConnectionIsRetriedOnceOnANewConnection() async throws {
        let server = try startServer()
        let transport = NIOTransport()
        // /stale is answered when first on a connection; on a reused one the server reads it and closes the
        // connection without a word, as a peer that dropped an idle keep-alive connection.
        let first = try await send(transport, server.url + "/stale")
        XCTAssertEqual(first.status, 200)
        let second = try await send(transport, server.url + "/stale")
        XCTAssertEqual(second.status, 200, "answered on a new connection")
        let accepted = try await connections(server)
        XCTAssertEqual(accepted.map(\.requests), [["/stale", "/stale"], ["/stale"]])
        await transport.shutdown()
    }

    func testRequestThatGotAResponseIsNotSentAgain() async throws {
        let server = try startServer()
        let transport = NIOTransport()
        _ = try await send(transport, server.url + "/ok")
        // On the reused connection: a head and part of the body, then the connection ends.
        do {
            let response = try await send(transport, server.url + "/partial")
            XCTFail("a cut-off response is an error, got \(response)")
        } catch let error as HTTPTransportError {
            guard case .connectionFailed = error else { return XCTFail("\(error)") }
        }
        let accepted = try await connections(server)
        XCTAssertEqual(accepted.map(\.requests), [["/ok", "/partial"]], "/partial sent once")
        // The next request goes out on a new connection.
        _ = try await send(transport, server.url + "/ok")
        let after = try await connections(server)
        XCTAssertEqual(after.map(\.requests), [["/ok", "/partial"], ["/ok"]])
        await transport.shutdown()
    }

    func testTimedOutRequestIsNotSentAgainNorItsConnectionReused() async throws {
        let server = try startServer()
        let transport = NIOTransport()
        _ = try await send(transport, server.url + "/ok")
        do {
            _ = try await send(transport, server.url + "/slow?ms=5000", timeout: .milliseconds(300))
            XCTFail("expected a timeout")
        } catch let error as HTTPTransportError {
            XCTAssertEqual(error, .timedOut)
        }
        _ = try await send(transport, server.url + "/ok")
        let accepted = try await connections(server)
        XCTAssertEqual(accepted.map(\.requests), [["/ok", "/slow"], ["/ok"]])
        await transport.shutdown()
    }

    // MARK: Concurrency and bounds

    func testConcurrentRequestsToOneEndpointUseSeveralConnectionsAndThePoolIsBounded() async throws {
        let server = try startServer()
        let transport = NIOTransport()
        let count = NIOTransport.maxIdlePerEndpoint + 2
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            let url = server.url + "/slow?ms=300"
            for _ in 0..<count {
                group.addTask {
                    try await transport.send(HTTPRequest(method: "GET", url: url), timeout: .seconds(10)).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: 200, count: count))
        let accepted = try await connections(server)
        XCTAssertEqual(accepted.count, count, "one connection per concurrent request")
        XCTAssertEqual(transport.idleConnections, ["127.0.0.1:\(server.port)": NIOTransport.maxIdlePerEndpoint])
        try await eventually("connections beyond the bound are closed") {
            try await connections(server).filter(\.open).count == NIOTransport.maxIdlePerEndpoint
        }
        // Sequential requests now reuse the pooled connections.
        for _ in 0..<3 { _ = try await send(transport, server.url + "/ok") }
        let after = try await connections(server)
        XCTAssertEqual(after.count, count)
        await transport.shutdown()
        try await eventually("shutdown closes every idle connection") { try await connections(server).allSatisfy { !$0.open } }
    }

    // MARK: AWS_CA_BUNDLE

    func testPrivateCAIsTrustedOnlyWithAWSCABundle() async throws {
        let directory = try Tools.temporaryDirectory()
        directories.append(directory)
        let server = try startServer(tls: directory)
        let url = "https://localhost:\(server.port)/ok"
        let bundle = directory.appendingPathComponent("ca.pem").path

        XCTAssertNil(CABundle(environment: [:]))
        XCTAssertNil(CABundle(environment: ["AWS_CA_BUNDLE": ""]))
        let without = NIOTransport(caBundle: CABundle(environment: [:]))
        do {
            let response = try await send(without, url)
            XCTFail("a certificate from an unknown CA was accepted: \(response)")
        } catch let error as HTTPTransportError {
            guard case .connectionFailed = error else { return XCTFail("\(error)") }
        }

        let caBundle = try XCTUnwrap(CABundle(environment: ["AWS_CA_BUNDLE": bundle]))
        XCTAssertNil(caBundle.problem)
        let with = NIOTransport(caBundle: caBundle)
        for _ in 0..<2 {
            let response = try await send(with, url)
            XCTAssertEqual(response.status, 200)
        }
        XCTAssertEqual(with.idleConnections, ["localhost:\(server.port)": 1], "TLS connections are reused too")
        await with.shutdown()
        await without.shutdown()
    }

    func testUnusableCABundleFailsHTTPSRequests() async throws {
        let directory = try Tools.temporaryDirectory()
        directories.append(directory)
        let missing = CABundle(path: directory.appendingPathComponent("missing.pem").path)
        XCTAssertEqual(missing.problem, "cannot open the file: No such file or directory")
        let garbage = directory.appendingPathComponent("garbage.pem")
        try Data("not a certificate\n".utf8).write(to: garbage)
        XCTAssertEqual(CABundle(path: garbage.path).problem, "no PEM certificate in the file")

        let transport = NIOTransport(caBundle: missing)
        do {
            _ = try await send(transport, "https://localhost:1/ok")
            XCTFail("expected a failure")
        } catch let error as HTTPTransportError {
            guard case .failed(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("AWS_CA_BUNDLE \(missing.path): cannot open the file"), reason)
            XCTAssertFalse(RetryPolicy.isRetryable(error), "a configuration error is not retried")
        }
        // Plain HTTP does not need it.
        let server = try startServer()
        let plain = try await send(transport, server.url + "/ok")
        XCTAssertEqual(plain.status, 200)
        await transport.shutdown()
    }
}

/// A TCP port on 127.0.0.1 that accepts no more connections: its listen backlog (0) holds one connection
/// nobody accepts, so the kernel drops further handshakes and a connect there waits for its own timeout.
private final class FullListener {
    let port: Int
    private let listener: Int32
    private let filler: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        self.filler = filler
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(listener, raw, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, raw, &length) == 0
                    && connect(filler, raw, length) == 0
            }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        guard ok, listener >= 0, filler >= 0 else { throw TestFailure("full listener: errno \(errno)") }
    }

    deinit {
        close(filler)
        close(listener)
    }
}
