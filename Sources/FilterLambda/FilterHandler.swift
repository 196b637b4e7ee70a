import FilterContract
import FilterCore
import JSONText

/// The filter: decode an event, keep terminal stack failures, enrich, publish one alert each, report what was not delivered.
public struct FilterHandler: Sendable {
    public let configuration: FilterConfiguration
    public let classifier: Classifier
    /// Milliseconds since the epoch, for metric timestamps.
    public let clockMs: @Sendable () -> Int64

    public init(configuration: FilterConfiguration, clockMs: @escaping @Sendable () -> Int64) {
        self.configuration = configuration
        self.classifier = Classifier(alertStatuses: configuration.alertStatuses)
        self.clockMs = clockMs
    }

    /// What one event holds, decided without any I/O.
    public struct Triage: Sendable {
        public var source: EventSource?
        public var decoded: DecodedEvent?
        /// Why the event as a whole was not understood (invalid JSON, unknown shape), if it was not.
        public var rejection: String?
        public var decisions: [Decision]
        public var batch: FailureBatch
        /// EMF lines for the stack-level events seen.
        public var metricLines: [String]
        /// The digest windows whose flush message came (record index and ledger key).
        package var flushes: [(index: Int, key: String)] = []

        /// True when nothing needs AWS: no failure to alert on, no digest to flush.
        public var isQuiet: Bool { batch.alerts.isEmpty && flushes.isEmpty }
    }

    /// The result of one invocation.
    public enum Outcome: Sendable {
        /// The invocation answers `response`. `alerts` were delivered (or, in a dry run, composed);
        /// `failedItems` are the SQS message ids reported as `batchItemFailures` in the response.
        case answered(response: String, alerts: [Alert], failedItems: [String])
        /// The invocation fails with `type` and `message`, so that Lambda retries the event; `alerts`
        /// were delivered before it failed.
        case failed(type: String, message: String, alerts: [Alert])

        /// The response for the Runtime API, or nil when the invocation fails.
        public var response: String? {
            if case .answered(let response, _, _) = self { response } else { nil }
        }

        /// Why the invocation failed, or nil when it answers.
        public var failure: (type: String, message: String)? {
            if case .failed(let type, let message, _) = self { (type, message) } else { nil }
        }

        /// Alerts delivered (or, in a dry run, composed).
        public var alerts: [Alert] {
            switch self {
            case .answered(_, let alerts, _), .failed(_, _, let alerts): alerts
            }
        }

        /// SQS message ids reported as `batchItemFailures` (none when the invocation fails).
        public var failedItems: [String] {
            if case .answered(_, _, let items) = self { items } else { [] }
        }
    }

    /// Decodes and classifies `body`; pure and fast, so routine events never touch the network.
    public func triage(_ body: [UInt8]) -> Triage {
        let decoded: DecodedEvent
        do {
            decoded = try EventDecoder.decode(body)
        } catch {
            return Triage(source: nil, decoded: nil, rejection: error.description, decisions: [], batch: FailureBatch(decisions: []), metricLines: [])
        }
        let decisions = classifier.classify(decoded)
        let now = clockMs()
        let batch = FailureBatch(decisions: decisions)
        // A record repeating an earlier one's EventId is the same stack event delivered twice: counted once.
        let repeats = Set(batch.duplicateIndexes)
        var metrics: [String] = []
        for record in decoded.records where !repeats.contains(record.index) {
            // A canary's stack is counted by its heartbeat metric, not as a product (its name is new each time).
            guard let event = classifier.stackLevelEvent(record), let outcome = event.outcome, Canary.id(stackName: event.stackName) == nil else { continue }
            metrics.append(MetricsEMF.stackOperation(product: event.provisionedProductId ?? event.stackName, outcome: outcome, timestampMillis: now))
        }
        var triage = Triage(source: decoded.source, decoded: decoded, rejection: nil, decisions: decisions, batch: batch, metricLines: metrics)
        triage.flushes = decoded.records.compactMap { record in
            if case .digestFlush(let key) = record.payload { (record.index, key) } else { nil }
        }
        return triage
    }

    /// The response for an event that needs no alert (or could not be read): logged and answered, never retried.
    public func quietOutcome(_ triage: Triage, log: StructuredLogger) -> Outcome {
        if let rejection = triage.rejection {
            log.warn("event not understood; ignored", [("reason", .string(rejection))])
        } else {
            let ignored = triage.decisions.count
            log.info("no alert", [("records", .number(Double(ignored))), ("source", .string(triage.source?.rawValue ?? "unknown"))])
        }
        for line in triage.metricLines { log.sink.write(line) }
        return .answered(response: Self.response(source: triage.source, failedItems: [], alerts: 0, ignored: triage.decisions.count), alerts: [], failedItems: [])
    }

    /// Enriches and publishes every failure of `triage`, and its chat notification to the matching routes of
    /// `chat`. Enrichment never blocks delivery; a failed publish (of the alert or of a chat notification)
    /// fails the invocation (SNS, EventBridge) or is reported as a batch item failure (SQS).
    /// With a `ledger`, a failure that another delivery alerted already is skipped (`AlertLedger`); with
    /// `digests`, a storm's failures past the threshold are held, and flush messages publish their digest.
    package func deliver(
        _ triage: Triage, enricher: (any Enricher)?, sink: (any AlertSink)?, ledger: AlertLedger? = nil, chat: ChatPublisher? = nil,
        digests: DigestLedger? = nil, deadline: ContinuousClock.Instant, log: StructuredLogger
    ) async -> Outcome {
        guard !triage.isQuiet, let decoded = triage.decoded else { return quietOutcome(triage, log: log) }
        for line in triage.metricLines { log.sink.write(line) }
        for d in triage.batch.duplicates {
            log.info("duplicate event in batch; alerted once", [("record", .number(Double(d.index))), ("firstRecord", .number(Double(d.firstIndex)))])
        }
        // Keep time for publishing: lookups get the budget up to two seconds (or a fifth) before the deadline.
        let remaining = deadline - ContinuousClock.now
        let reserve = min(Duration.seconds(2), remaining / 5)
        let lookupDeadline = deadline - reserve
        var alerts: [Alert] = []
        var failedItems: [String] = []
        var undelivered: [String] = []
        /// Undelivered SQS records without a messageId: they cannot be named in `batchItemFailures`.
        var unnamed = 0
        // A dry run (no sink) publishes nothing, so it claims nothing and reaches no chat route either.
        let delivery = Delivery(
            enricher: enricher, sink: sink, ledger: sink == nil ? nil : ledger, chat: sink == nil ? nil : chat,
            digests: sink == nil ? nil : digests, lookupDeadline: lookupDeadline, deadline: deadline, log: log)
        var held = 0
        let work = triage.batch.alerts.map { (index: $0.index, name: $0.failure.stackName, failure: Optional($0.failure), flush: String?.none) }
            + triage.flushes.map { (index: $0.index, name: "digest \($0.key)", failure: StackFailure?.none, flush: Optional($0.key)) }
        for item in work {
            let result = if let failure = item.failure { await deliverOne(failure, delivery) } else { await flushOne(item.flush ?? "", delivery) }
            switch result {
            case .delivered(let alert):
                alerts.append(alert)
            case .alertedAlready:
                continue
            case .held:
                held += 1
            case .undelivered(let description):
                undelivered.append("\(item.name): \(description)")
                if let id = decoded.records.first(where: { $0.index == item.index })?.itemIdentifier, !id.isEmpty {
                    failedItems.append(id)
                } else {
                    unnamed += 1
                }
            }
        }
        // SQS: report the undelivered records so that only they come back; when one cannot be named,
        // fail the invocation so that the whole batch comes back rather than losing that alert.
        if undelivered.isEmpty || (decoded.source == .sqs && unnamed == 0) {
            return .answered(
                response: Self.response(
                    source: decoded.source, failedItems: failedItems, alerts: alerts.count,
                    ignored: triage.decisions.count - triage.batch.alerts.count - triage.flushes.count, held: held),
                alerts: alerts, failedItems: failedItems)
        }
        return .failed(
            type: "AlertNotDelivered", message: "\(undelivered.count) alert(s) not delivered: \(undelivered.joined(separator: "; "))",
            alerts: alerts)
    }

    /// What `deliverOne` works with.
    struct Delivery {
        var enricher: (any Enricher)?
        var sink: (any AlertSink)?
        var ledger: AlertLedger?
        var chat: ChatPublisher?
        var digests: DigestLedger?
        var lookupDeadline: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant
        var log: StructuredLogger
    }

    /// What became of one failure.
    enum ItemResult {
        /// Published (or, without a sink, composed).
        case delivered(Alert)
        /// The ledger holds it as alerted by another delivery (or a digest sent already): not published, not a failure.
        case alertedAlready
        /// Held for its group's digest (`DigestLedger`): not published now, not a failure.
        case held
        /// A publish (of the alert or of a chat notification) failed, for the reason given.
        case undelivered(String)
    }

    /// Claims `failure` in the ledger (if any), enriches, publishes the alert and then its chat notifications,
    /// then marks the claim sent, or removes it when any publish failed (so that the retry alerts).
    func deliverOne(_ failure: StackFailure, _ d: Delivery) async -> ItemResult {
        if let canary = Canary.id(stackName: failure.stackName) { return await deliverCanary(failure, id: canary, d) }
        let log = d.log
        var claim: AlertLedger.Entry?
        if let ledger = d.ledger {
            switch await ledger.claim(failure, now: clockMs() / 1000, deadline: d.lookupDeadline, log: log) {
            case .duplicate: return .alertedAlready
            case .heldByAnother: return .undelivered("another delivery of this failure holds an unsent claim in the alert ledger; retried")
            case .claimed(let entry): claim = entry
            case .unavailable: break
            }
        }
        let enrichment = await d.enricher?.enrich(failure, deadline: d.lookupDeadline) ?? Enrichment()
        for line in enrichment.lookupFailures {
            log.warn("lookup failed; alert sent without it", [("stack", .string(failure.stackName)), ("detail", .string(line))])
        }
        let links = configuration.links(failure, enrichment)
        let alert = AlertComposer.compose(failure, enrichment, links: links)
        guard let sink = d.sink else { return .delivered(alert) }
        if let digests = d.digests, case .held = await digests.admit(failure, enrichment, alert, now: clockMs() / 1000, deadline: d.lookupDeadline, log: log) {
            if let ledger = d.ledger, let claim {
                await ledger.markSent(claim, failure: failure, now: clockMs() / 1000, deadline: d.deadline, log: log)
            }
            return .held
        }
        do {
            let messageId = try await sink.publish(alert, deadline: d.deadline)
            log.info("alert published", [
                ("messageId", .string(messageId)), ("account", .string(failure.account)), ("region", .string(failure.region)),
                ("status", .string(failure.status)), ("stack", .string(failure.stackName)),
            ])
            try await d.chat?.publish(alert, failure: failure, enrichment: enrichment, links: links, deadline: d.deadline, log: log)
            let product = enrichment.productName ?? failure.provisionedProductId ?? failure.stackName
            log.sink.write(MetricsEMF.alert(account: failure.account, product: product, timestampMillis: clockMs()))
            if let ledger = d.ledger, let claim {
                await ledger.markSent(claim, failure: failure, now: clockMs() / 1000, deadline: d.deadline, log: log)
            }
            return .delivered(alert)
        } catch {
            let description = AWSEnricher.describe(error)
            log.error("alert not delivered", [("stack", .string(failure.stackName)), ("eventId", .string(failure.eventId ?? "")), ("error", .string(description))])
            if let ledger = d.ledger, let claim {
                await ledger.release(claim, failure: failure, deadline: d.deadline, log: log)
            }
            return .undelivered(description)
        }
    }

    /// `{"batchItemFailures": [...]}` for SQS (Lambda deletes the other messages), a small summary otherwise.
    /// With `held` alerts (kept for a digest), the summary says how many.
    static func response(source: EventSource?, failedItems: [String], alerts: Int, ignored: Int, held: Int = 0) -> String {
        if source == .sqs {
            let items: [JSONValue] = failedItems.map { .object([("itemIdentifier", .string($0))]) }
            return JSONValue.object([("batchItemFailures", .array(items))]).serialized()
        }
        let heldMember: [(key: String, value: JSONValue)] = held > 0 ? [("held", .number(Double(held)))] : []
        return JSONValue.object([("alerts", .number(Double(alerts))), ("ignored", .number(Double(ignored)))] + heldMember).serialized()
    }
}
