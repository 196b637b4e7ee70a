import AWSClient
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An `HTTPTransport` over URLSession, for the CLI and tests; the filter Lambda uses `NIOTransport` (SwiftNIO + NIOSSL).
public struct URLSessionTransport: HTTPTransport {
    public init() {}

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        guard let url = URL(string: request.url) else { throw HTTPTransportError.failed("bad URL") }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        // swift-corelibs-foundation truncates `timeoutInterval` to whole seconds (a timeout under one second
        // fires at once), so URLSession only gets a rounded-up backstop and the exact timeout is ours.
        urlRequest.timeoutInterval = max(1, seconds.rounded(.up))
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await Self.data(for: urlRequest, timeout: timeout)
        } catch let error as URLError {
            switch error.code {
            case .timedOut: throw HTTPTransportError.timedOut
            case .cannotConnectToHost, .networkConnectionLost, .cannotFindHost, .notConnectedToInternet, .dnsLookupFailed:
                throw HTTPTransportError.connectionFailed("URLError \(error.code.rawValue)")
            default: throw HTTPTransportError.failed("URLError \(error.code.rawValue)")
            }
        }
        guard let http = response as? HTTPURLResponse else { throw HTTPTransportError.failed("not an HTTP response") }
        var headers = HTTPHeaders()
        for (name, value) in http.allHeaderFields { headers.add(name: "\(name)", value: "\(value)") }
        return HTTPResponse(status: http.statusCode, headers: headers, body: Array(data))
    }

    /// The response, or `HTTPTransportError.timedOut` once `timeout` has passed (the request is then cancelled).
    static func data(for request: URLRequest, timeout: Duration) async throws -> (Data, URLResponse) {
        try await withThrowingTaskGroup(of: (Data, URLResponse)?.self) { group in
            group.addTask { try await URLSession.shared.data(for: request) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next() ?? nil else { throw HTTPTransportError.timedOut }
            return result
        }
    }
}
