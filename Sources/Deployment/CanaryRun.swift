import AWSIdentifiers
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AWSClient
import DeployAPI
import FilterContract
import JSONText
import Layout

/// `catalogwatch test-alert`: publishes a canary (`Canary`) into the receive topic of one region and waits
/// until the filter, in the main region, logs that it handled it; reports each hop's latency. It proves
/// the path a real failure in that region takes: the receive topic, its subscription (or the buffer queue)
/// to the filter, the filter itself, and with `deliver` the publish to the destinations.
package struct CanaryRun: Sendable {
    /// Signs for the management account; its region is the main region (the filter's log group).
    package var client: AWSClient
    package var layout: Layout
    /// Where the canary is published (one of the layout's regions).
    package var region: String
    /// Whether the canary's alert reaches the destinations (a human sees it).
    package var deliver: Bool
    package var waiting: Waiting
    /// Wall-clock milliseconds since the epoch.
    package var clockMs: @Sendable () -> Int64 = { UnixTime.now().epochMilliseconds }
    /// The canary's id (random by default).
    package var id: String = CanaryRun.randomId()

    package init(client: AWSClient, layout: Layout, region: String, deliver: Bool, waiting: Waiting) {
        self.client = client
        self.layout = layout
        self.region = region
        self.deliver = deliver
        self.waiting = waiting
    }

    /// 16 lowercase hexadecimal digits.
    package static func randomId() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// What the filter logged of the canary, and when each hop ended (epoch milliseconds).
    package struct Report: Sendable, Equatable {
        package var id: String
        package var topicArn: String
        /// The Publish call's round trip.
        package var publishMs: Int64
        package var sentAtMs: Int64
        /// When the filter handled it (its own clock).
        package var handledAtMs: Int64
        /// When the filter had published its alert (with `deliver`).
        package var publishedAtMs: Int64?
        /// When CloudWatch Logs took in the filter's line.
        package var loggedAtMs: Int64?
        /// When this run saw the line.
        package var seenAtMs: Int64
        /// Why the filter could not deliver it (with `deliver`), from its error line.
        package var deliveryError: String?
    }

    /// Why the canary run could not be made, or what it found wrong.
    package enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case usage(String)
        case notSeen(String)
        case notDelivered(String)

        package var description: String {
            switch self {
            case .usage(let s), .notSeen(let s), .notDelivered(let s): s
            }
        }
    }

    /// Checks the layout allows a canary from `region`: its source has receive topics, and the region is the layout's.
    package static func check(layout: Layout, region: String) throws(Problem) {
        guard layout.source.usesNotifications else {
            throw .usage("test-alert publishes into a receive topic, and source eventbridge has none (the central rule takes only events that aws.cloudformation sends, which nobody else can send): use source both to test the path, and status for the rule's dead-letter queue")
        }
        guard layout.regions.contains(region) else {
            throw .usage("region \(region) is not one of the layout's regions (\(layout.regions.joined(separator: ", ")))")
        }
    }

    /// Publishes the canary, then polls the filter's log group until the filter's line for it appears.
    package func run(account: String, partition: String, progress: @Sendable (String) -> Void = { _ in }) async throws -> Report {
        try Self.check(layout: layout, region: region)
        let topicArn = "arn:\(partition):sns:\(region):\(account):\(PhysicalName.receiveTopic.name(prefix: layout.namePrefix))"
        let sentAt = clockMs()
        let message = Canary.notification(
            id: id, account: account, region: region, partition: partition, timestamp: Self.iso8601Millis(sentAt), deliver: deliver)
        let regional = client.with(region: region)
        let guardRail = Guard(account: account, region: region)
        try await guardRail.run("Publish to \(topicArn)") {
            _ = try await regional.publish(topicArn: topicArn, message: message, subject: "AWS CloudFormation Notification", deadline: waiting.deadline)
        }
        let publishMs = clockMs() - sentAt
        progress("published canary \(id) to \(topicArn) in \(publishMs) ms; waiting for the filter in \(layout.mainRegion)")
        let logGroup = "/aws/lambda/\(PhysicalName.filter.name(prefix: layout.namePrefix))"
        let interval = min(waiting.pollInterval, .seconds(2))
        while waiting.now() < waiting.deadline {
            let lines = try await Guard(account: account, region: layout.mainRegion).run("FilterLogEvents on \(logGroup)") {
                try await filterLines(logGroup: logGroup, since: sentAt - 60_000)
            }
            guard let events = lines else { break }
            if var report = Self.report(events, id: id, seenAt: clockMs()) {
                report.topicArn = topicArn
                report.publishMs = publishMs
                report.sentAtMs = report.sentAtMs == 0 ? sentAt : report.sentAtMs
                return report
            }
            try await waiting.sleep(interval)
        }
        throw Problem.notSeen(
            "the filter did not log canary \(id) within the timeout: nothing proves that a failure in \(region) reaches it. Check the receive topic's subscription (or the buffer queue) in \(region), the filter's errors in \(logGroup), and its dead-letter queues (catalogwatch status)")
    }

    /// The log lines naming the canary so far; nil when the wait's deadline passed during the call (a poll
    /// started just before the deadline and slower than the time left: the canary was not seen in time,
    /// which is not a failure of the call).
    private func filterLines(logGroup: String, since: Int64) async throws -> [LogEvent]? {
        do {
            return try await client.filterLogEvents(logGroup: logGroup, pattern: "\"\(id)\"", startTime: since, deadline: waiting.deadline)
        } catch let error where waiting.now() >= waiting.deadline && Self.ranOutOfTime(error) {
            return nil
        }
    }

    /// Whether `error` is a call cut short by its deadline.
    static func ranOutOfTime(_ error: any Error) -> Bool {
        if case AWSClientError.deadlineExceeded = error { return true }
        return error as? HTTPTransportError == .timedOut
    }

    /// The report of the filter's lines for canary `id`, or nil when there is none yet.
    static func report(_ events: [LogEvent], id: String, seenAt: Int64) -> Report? {
        for event in events {
            guard let line = try? JSONValue.parse(event.message), line["canary"]?.stringValue == id else { continue }
            func number(_ key: String) -> Int64? {
                if case .number(let n)? = line[key] { return Int64(n) }
                return nil
            }
            let message = line["message"]?.stringValue
            guard message == Canary.handledMessage || message == "canary not delivered" else { continue }
            return Report(
                id: id, topicArn: "", publishMs: 0, sentAtMs: number("sentAtMs") ?? 0, handledAtMs: number("handledAtMs") ?? event.timestamp,
                publishedAtMs: number("publishedAtMs"), loggedAtMs: event.ingestionTime, seenAtMs: seenAt,
                deliveryError: message == Canary.handledMessage ? nil : line["error"]?.stringValue ?? "unknown error")
        }
        return nil
    }

    /// The report as lines: one per hop, then the verdict.
    package static func text(_ r: Report, region: String, mainRegion: String, deliver: Bool) -> [String] {
        func row(_ label: String, _ ms: Int64?) -> String {
            let value = ms.map { "\(max(0, $0)) ms" } ?? "-"
            return "  " + label + String(repeating: " ", count: max(1, 40 - label.count)) + value
        }
        var lines = ["canary \(r.id) → \(r.topicArn)"]
        lines.append(row("publish to the receive topic", r.publishMs))
        lines.append(row("receive topic (\(region)) → filter (\(mainRegion))", r.handledAtMs - r.sentAtMs))
        if deliver { lines.append(row("filter → destinations", r.publishedAtMs.map { $0 - r.handledAtMs })) }
        lines.append(row("filter → its log", r.loggedAtMs.map { $0 - r.handledAtMs }))
        lines.append(row("seen by test-alert", r.seenAtMs - r.sentAtMs))
        return lines
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` of epoch milliseconds.
    static func iso8601Millis(_ ms: Int64) -> String {
        let seconds = UnixTime(secondsSince1970: Double(ms / 1000)).iso8601
        let millis = String(ms % 1000)
        return seconds.dropLast() + "." + String(repeating: "0", count: 3 - millis.count) + millis + "Z"
    }
}
