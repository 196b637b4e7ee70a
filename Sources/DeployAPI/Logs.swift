import AWSClient

/// One log event of a CloudWatch Logs log group.
package struct LogEvent: Sendable, Equatable, Decodable {
    /// When it happened (epoch milliseconds).
    package var timestamp: Int64
    /// When CloudWatch Logs took it in (epoch milliseconds).
    package var ingestionTime: Int64?
    package var message: String
}

/// Wire shapes of CloudWatch Logs `FilterLogEvents` (JSON 1.1).
enum LogsWire {
    struct FilterLogEventsInput: Encodable {
        var logGroupName: String
        var filterPattern: String
        var startTime: Int64
        var nextToken: String?
    }

    struct FilterLogEventsOutput: Decodable {
        var events: [LogEvent]?
        var nextToken: String?
    }
}

extension AWSClient {
    /// CloudWatch Logs `FilterLogEvents`: the events of `logGroup` since `startTime` (epoch milliseconds) that
    /// match `pattern`, every page (at most `maxPages`).
    package func filterLogEvents(
        logGroup: String, pattern: String, startTime: Int64, maxPages: Int = 10, deadline: ContinuousClock.Instant? = nil
    ) async throws -> [LogEvent] {
        var events: [LogEvent] = []
        var token: String?
        for _ in 0..<maxPages {
            let input = LogsWire.FilterLogEventsInput(logGroupName: logGroup, filterPattern: pattern, startTime: startTime, nextToken: token)
            let output = try await json(.logs, operation: "FilterLogEvents", input: input, output: LogsWire.FilterLogEventsOutput.self, deadline: deadline)
            events += output.events ?? []
            token = output.nextToken
            if token == nil { break }
        }
        return events
    }
}
