#if canImport(Glibc)
import Glibc
#else
#error("LambdaRuntime is Linux only: the filter runs on Lambda's provided.al2023 (glibc)")
#endif

/// What a handler made of one invocation.
public enum HandlerOutcome: Sendable {
    /// The response body (JSON).
    case success([UInt8])
    /// A failed invocation: Lambda retries asynchronous events, then sends them to the dead-letter queue.
    case failure(type: String, message: String)
}

/// The Runtime API loop: next, handle, respond or fail, forever (or `limit` times, for tests and benchmarks).
public enum RuntimeLoop {
    /// Runs until the Runtime API goes away. The handler must not throw: every outcome is reported.
    public static func run(client: RuntimeAPIClient, limit: Int? = nil, log: (String) -> Void, handler: (Invocation) -> HandlerOutcome) throws {
        var handled = 0
        while limit.map({ handled < $0 }) ?? true {
            let invocation = try client.next()
            let outcome = handler(invocation)
            do {
                switch outcome {
                case .success(let body): try client.respond(requestId: invocation.requestId, body: body)
                case .failure(let type, let message): try client.fail(requestId: invocation.requestId, errorType: type, message: message)
                }
            } catch {
                // Lambda may have timed the invocation out already; the loop goes on with the next one.
                log("could not report invocation \(invocation.requestId): \(error)")
            }
            handled += 1
        }
    }

    /// The runtime API endpoint from the environment, or nil (with a message) when it is missing.
    public static func endpoint(from environment: [String: String]) -> String? {
        environment["AWS_LAMBDA_RUNTIME_API"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The process environment as a dictionary (no Foundation).
    public static func processEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p = p.advanced(by: 1)
        }
        return env
    }
}
