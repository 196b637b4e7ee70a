import FilterCore
import JSONText

#if canImport(Glibc)
import Glibc
#endif

/// Where the filter writes its structured JSON log lines and metric lines.
public protocol LogSink: Sendable {
    /// Writes one line (no newline inside).
    func write(_ line: String)
}

/// Writes lines to standard output, which Lambda sends to CloudWatch Logs.
public struct StandardOutputLog: LogSink {
    public init() {}

    public func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(10)
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

/// Keeps lines in memory (tests, `invoke`).
public final class MemoryLog: LogSink, @unchecked Sendable {
    private let lock = Mutex()
    private var storage: [String] = []

    public init() {}

    public func write(_ line: String) { lock.with { storage.append(line) } }

    /// Everything written so far.
    public var lines: [String] { lock.with { storage } }
}

/// A small pthread mutex (no Foundation).
final class Mutex: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func with<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

/// Structured JSON log lines: `{"level":"INFO","message":...,"requestId":...,<fields>}`.
public struct StructuredLogger: Sendable {
    public let sink: any LogSink
    public var requestId: String?

    public init(sink: any LogSink, requestId: String? = nil) {
        self.sink = sink
        self.requestId = requestId
    }

    public func info(_ message: String, _ fields: [(String, JSONValue)] = []) { log("INFO", message, fields) }
    public func warn(_ message: String, _ fields: [(String, JSONValue)] = []) { log("WARN", message, fields) }
    public func error(_ message: String, _ fields: [(String, JSONValue)] = []) { log("ERROR", message, fields) }

    func log(_ level: String, _ message: String, _ fields: [(String, JSONValue)]) {
        var object: [(key: String, value: JSONValue)] = [("level", .string(level)), ("message", .string(message))]
        if let requestId { object.append(("requestId", .string(requestId))) }
        for (k, v) in fields { object.append((k, v)) }
        sink.write(JSONValue.object(object).serialized())
    }
}
