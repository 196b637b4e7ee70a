import AWSClient
import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The production transport: AsyncHTTPClient (TLS through NIOSSL), created on first use so that
/// invocations that need no AWS call never start an event loop.
final class AHCTransport: HTTPTransport {
    private let client: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(3))
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        var r = HTTPClientRequest(url: request.url)
        r.method = HTTPMethod(rawValue: request.method)
        for field in request.headers { r.headers.add(name: field.name, value: field.value) }
        if !request.body.isEmpty { r.body = .bytes(ByteBuffer(bytes: request.body)) }
        let nanos = max(Int64(1_000_000), timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(r, timeout: .nanoseconds(nanos))
            var body = try await response.body.collect(upTo: 8 * 1024 * 1024)
            var headers = HTTPHeaders()
            for (name, value) in response.headers { headers.add(name: name, value: value) }
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: body.readBytes(length: body.readableBytes) ?? [])
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                throw HTTPTransportError.timedOut
            }
            if error == .remoteConnectionClosed || error == .connectTimeout {
                throw HTTPTransportError.connectionFailed(String(describing: error))
            }
            throw HTTPTransportError.connectionFailed(String(describing: error))
        } catch let error as HTTPTransportError {
            throw error
        } catch {
            // NIO connection errors (refused, reset, DNS) are transient for retry purposes.
            throw HTTPTransportError.connectionFailed(String(describing: error))
        }
    }
}
