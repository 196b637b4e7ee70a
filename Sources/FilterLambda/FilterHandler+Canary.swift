import AWSClient
import FilterContract
import FilterCore
import JSONText

extension FilterHandler {
    /// A canary (`Canary`): no ledger, no lookups (its stack exists nowhere), published only when its reason
    /// asks for delivery; logs `Canary.handledMessage` with its id and times, which `catalogwatch test-alert`
    /// waits for, and counts a heartbeat of its region.
    func deliverCanary(_ failure: StackFailure, id: String, _ d: Delivery) async -> ItemResult {
        let log = d.log
        let handledAt = clockMs()
        let sentAt = failure.timestamp.flatMap(AWSTimestamp.parseISO8601).map(\.epochMilliseconds)
        let fields: [(String, JSONValue)] = [
            ("canary", .string(id)), ("region", .string(failure.region)), ("account", .string(failure.account)),
            ("sentAtMs", sentAt.map { .number(Double($0)) } ?? .null), ("handledAtMs", .number(Double(handledAt))),
        ]
        log.sink.write(MetricsEMF.heartbeat(region: failure.region, timestampMillis: handledAt))
        let alert = AlertComposer.compose(failure, Enrichment(), links: ConsoleLinks())
        guard let sink = d.sink else { return .delivered(alert) }
        guard Canary.asksForDelivery(reason: failure.reason) else {
            log.info(Canary.handledMessage, fields + [("delivered", .bool(false))])
            return .alertedAlready
        }
        do {
            let messageId = try await sink.publish(alert, deadline: d.deadline)
            try await d.chat?.publish(alert, failure: failure, enrichment: Enrichment(), links: ConsoleLinks(), deadline: d.deadline, log: log)
            log.info(Canary.handledMessage, fields + [
                ("delivered", .bool(true)), ("messageId", .string(messageId)), ("publishedAtMs", .number(Double(clockMs()))),
            ])
            return .delivered(alert)
        } catch {
            let description = AWSEnricher.describe(error)
            log.error("canary not delivered", fields + [("error", .string(description))])
            return .undelivered(description)
        }
    }
}
