import AWSClient
import Foundation
import TestSupport
import URLSessionTransport
import XCTest

/// The CLI's transport against a local Python HTTP/1.1 server: what goes out, what comes back, and how each
/// failure maps to `HTTPTransportError`.
final class URLSessionTransportTests: XCTestCase {
    /// Paths (any method):
    ///   /status/N        status N, body "status N"
    ///   /echo            200, JSON of what arrived: method, path and query, headers (lowercased names), body
    ///   /headers         200 with a custom header, a repeated one and an empty one, no body
    ///   /slow?ms=N       200 after N ms
    ///   /big?bytes=N     200 with N bytes of a repeating pattern
    static let server = #"""
        import json, sys, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def reply(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers: self.send_header(name, value)
                if status not in (204, 304): self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status not in (204, 304): self.wfile.write(body)
            def handle_any(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if url.path.startswith("/status/"):
                    status = int(url.path[len("/status/"):])
                    return self.reply(status, b"status %d" % status, [("Content-Type", "text/plain")])
                if url.path == "/echo":
                    seen = {"method": self.command, "target": self.path, "body": body.decode("latin-1"),
                            "headers": [[k.lower(), v] for k, v in self.headers.items()]}
                    return self.reply(200, json.dumps(seen).encode(), [("Content-Type", "application/json")])
                if url.path == "/headers":
                    return self.reply(200, b"", [("X-Amzn-RequestId", "req-1"), ("X-Twice", "a"), ("X-Twice", "b"), ("X-Empty", "")])
                if url.path == "/slow":
                    time.sleep(int(query["ms"][0]) / 1000)
                    return self.reply(200, b"late")
                if url.path == "/big":
                    size = int(query["bytes"][0])
                    return self.reply(200, (bytes(range(256)) * (size // 256 + 1))[:size])
                self.reply(404, b"no such path")
            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    private var server: ScriptServer!

    override func setUpWithError() throws {
        server = try ScriptServer(name: "HTTP test server", arguments: ["-c", Self.server])
    }

    override func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private func send(
        _ path: String, method: String = "GET", headers: HTTPHeaders = [:], body: [UInt8] = [], timeout: Duration = .seconds(10)
    ) async throws -> HTTPResponse {
        try await URLSessionTransport().send(HTTPRequest(method: method, url: server.url + path, headers: headers, body: body), timeout: timeout)
    }

    /// The error `body` throws, or a failure when it throws none.
    private func transportError(_ body: () async throws -> HTTPResponse, file: StaticString = #filePath, line: UInt = #line) async -> HTTPTransportError? {
        do {
            let response = try await body()
            XCTFail("expected an error, got \(response)", file: file, line: line)
        } catch let error as HTTPTransportError {
            return error
        } catch {
            XCTFail("expected an HTTPTransportError, got \(error)", file: file, line: line)
        }
        return nil
    }

    func testStatusCodesAndBodiesComeBackAsTheyAre() async throws {
        for status in [200, 201, 400, 403, 404, 429, 500, 503] {
            let response = try await send("/status/\(status)")
            XCTAssertEqual(response.status, status)
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "status \(status)")
            XCTAssertEqual(response.headers["content-type"], "text/plain")
            XCTAssertEqual(response.headers["Content-Length"], "\("status \(status)".utf8.count)")
        }
        let empty = try await send("/status/204")
        XCTAssertEqual(empty.status, 204)
        XCTAssertEqual(empty.body, [])
    }

    func testRequestMethodHeadersAndBodyGoOutAsGiven() async throws {
        let body = Array("Action=Publish&Message=caf%C3%A9".utf8)
        let response = try await send(
            "/echo?a=1&b=%2F", method: "POST",
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "X-Amz-Date": "20150830T123600Z",
                      "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sns/aws4_request"],
            body: body)
        XCTAssertEqual(response.status, 200)
        let seen = try jsonObject(String(decoding: response.body, as: UTF8.self))
        XCTAssertEqual(seen["method"] as? String, "POST")
        XCTAssertEqual(seen["target"] as? String, "/echo?a=1&b=%2F")
        XCTAssertEqual(seen["body"] as? String, "Action=Publish&Message=caf%C3%A9")
        let headers = (seen["headers"] as? [[String]] ?? []).reduce(into: [String: String]()) { $0[$1[0]] = $1[1] }
        XCTAssertEqual(headers["content-type"], "application/x-www-form-urlencoded; charset=utf-8")
        XCTAssertEqual(headers["x-amz-date"], "20150830T123600Z")
        XCTAssertEqual(headers["authorization"], "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sns/aws4_request")
        XCTAssertEqual(headers["content-length"], "\(body.count)")
        XCTAssertEqual(headers["host"], "127.0.0.1:\(server.port)")

        for method in ["PUT", "DELETE"] {
            let answer = try await send("/echo", method: method)
            let echoed = try jsonObject(String(decoding: answer.body, as: UTF8.self))
            XCTAssertEqual(echoed["method"] as? String, method)
            XCTAssertEqual(echoed["body"] as? String, "")
        }
    }

    func testResponseHeadersAreReadCaseInsensitively() async throws {
        let response = try await send("/headers")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["x-amzn-requestid"], "req-1")
        XCTAssertEqual(response.headers["X-AMZN-REQUESTID"], "req-1")
        // URLSession folds a repeated field into one, comma-separated, as HTTP allows.
        XCTAssertEqual(response.headers["x-twice"], "a, b")
        XCTAssertEqual(response.headers["x-empty"], "")
        XCTAssertNil(response.headers["x-missing"])
        XCTAssertEqual(response.body, [])
    }

    func testLargeBodiesArriveWhole() async throws {
        let size = 3 << 20 + 17
        let response = try await send("/big?bytes=\(size)")
        XCTAssertEqual(response.body.count, size)
        XCTAssertTrue(response.body.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset) })

        let upload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let echoed = try await send("/echo", method: "PUT", body: upload)
        let seen = try jsonObject(String(decoding: echoed.body, as: UTF8.self))
        XCTAssertEqual((seen["body"] as? String)?.unicodeScalars.map { UInt8($0.value) }, upload)
    }

    func testASlowAnswerTimesOutAtTheTimeoutNotAtWholeSeconds() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = await transportError { try await self.send("/slow?ms=3000", timeout: .milliseconds(300)) }
        let elapsed = clock.now - start
        XCTAssertEqual(error, .timedOut)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(300))
        XCTAssertLessThan(elapsed, .milliseconds(2500), "the timeout is ours, not URLSession's whole seconds")
        // The same request with time to spare succeeds.
        let response = try await send("/slow?ms=100", timeout: .seconds(5))
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "late")
    }

    func testConnectionRefusedIsAConnectionFailure() async throws {
        let port = try Tools.freePort()
        let error = await transportError {
            try await URLSessionTransport().send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"), timeout: .seconds(10))
        }
        guard case .connectionFailed = error else { return XCTFail("expected connectionFailed, got \(String(describing: error))") }
    }

    func testAStoppedServerIsAConnectionFailure() async throws {
        let url = server.url
        server.stop()
        let error = await transportError {
            try await URLSessionTransport().send(HTTPRequest(method: "GET", url: url + "/status/200"), timeout: .seconds(10))
        }
        guard case .connectionFailed = error else { return XCTFail("expected connectionFailed, got \(String(describing: error))") }
    }

    func testAnInvalidURLFailsWithoutRetry() async throws {
        for url in ["", "http://[::1", "not a url"] {
            let error = await transportError {
                try await URLSessionTransport().send(HTTPRequest(method: "GET", url: url), timeout: .seconds(5))
            }
            guard case .failed = error else { return XCTFail("\(url): expected failed, got \(String(describing: error))") }
        }
    }
}
