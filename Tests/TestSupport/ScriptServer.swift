import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AWSClient
import URLSessionTransport

/// A Python server that prints its port on the first line, like the fixture scripts
/// (scripts/servicecatalog_fixture.py, aws_fault_proxy.py, credential_endpoints.py, mock_runtime_api.py),
/// with JSON calls for their control endpoints (/__requests, /__faults, /__credentials, /__expire, /__rotate).
public final class ScriptServer: @unchecked Sendable {
    public let child: ChildProcess
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts `python arguments...` (python3 from PATH when nil, XCTSkip without it) and reads the port from
    /// the first line it prints within `readyWithin`. `name` names the server in errors.
    public init(
        name: String, python: String? = nil, arguments: [String], readyWithin: Duration = .seconds(30)
    ) throws {
        child = try ChildProcess(executable: try python ?? Tools.requirePython3(), arguments: arguments)
        guard let port = Int(try child.firstLine(timeout: readyWithin).trimmingCharacters(in: .whitespaces)) else {
            child.stop()
            throw TestFailure("\(name) printed no port: \(child.stderr.suffix(2000))")
        }
        self.port = port
    }

    /// Starts `python3 <script> arguments...`, `script` relative to the package root ("scripts/aws_fault_proxy.py").
    public convenience init(
        script: String, arguments: [String] = [], python: String? = nil, readyWithin: Duration = .seconds(30)
    ) throws {
        try self.init(name: script, python: python, arguments: [Tools.packageRoot.appendingPathComponent(script).path] + arguments,
                      readyWithin: readyWithin)
    }

    /// SIGTERM, then SIGKILL after 5 s.
    public func stop() { child.stop() }

    /// `GET path`, which must answer 200 within 10 s; the body parsed as JSON.
    public func getJSON(_ path: String) async throws -> Any {
        let response = try await URLSessionTransport().send(HTTPRequest(method: "GET", url: url + path), timeout: .seconds(10))
        guard response.status == 200 else { throw TestFailure("GET \(path): HTTP \(response.status)") }
        return try parseJSON(String(decoding: response.body, as: UTF8.self))
    }

    /// `POST path` with `body` as JSON, which must answer 200 within 10 s; the answer parsed as JSON.
    @discardableResult
    public func postJSON(_ path: String, _ body: Any) async throws -> Any {
        let response = try await URLSessionTransport().send(
            HTTPRequest(method: "POST", url: url + path, headers: ["Content-Type": "application/json"], body: try jsonBytes(body)),
            timeout: .seconds(10))
        guard response.status == 200 else { throw TestFailure("POST \(path): HTTP \(response.status)") }
        return try parseJSON(String(decoding: response.body, as: UTF8.self))
    }

    /// `GET /__requests`: every request the server saw, in order.
    public func requests() async throws -> [[String: Any]] {
        guard let list = try await getJSON("/__requests") as? [[String: Any]] else { throw TestFailure("GET /__requests: not a list") }
        return list
    }
}
