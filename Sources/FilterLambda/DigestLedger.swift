import AWSClient
import FilterContract
import FilterCore
import JSONText

/// Storm digests, kept in the alert ledger's table (no new always-on compute). One item per group and
/// window (`DigestScope.groupKey`): every failure of the group appends its `DigestEntry` and counts itself
/// (`seen`); the first `threshold` are published one by one; past the threshold, a failure is held, and
/// the first to be held sends one delayed SQS message (`DigestFlushMessage`) to the digest queue, due when
/// the window ends. That message brings the filter back to `flush`, which closes the window (`flushedAt`)
/// and returns what it held; the handler publishes the digest, then `markSent`.
///
/// Nothing is lost: a failure is held only once its window's flush message is on the queue (`flushScheduled`
/// is `sent`); every other path publishes it one by one (the ledger unusable, the flush not yet scheduled
/// or not schedulable, the window already flushed). A flush whose digest cannot be published falls back to
/// single alerts, and a flush message that fails comes back from SQS (a digest is sent again rather than lost).
package struct DigestLedger: Sendable {
    let client: AWSClient
    let table: String
    let queueURL: String
    let policy: DigestPolicy

    /// The flush comes this many seconds after the window ends, for the deliveries still under way.
    package static let grace: Int64 = 10
    /// A flush being scheduled for longer than this (seconds) belongs to a delivery that crashed.
    static let staleSchedule: Int64 = 60
    /// An item expires this many seconds after its window.
    static let retention: Int64 = 2 * 86_400
    static let callBudget: Duration = .seconds(3)

    package init(client: AWSClient, table: String, queueURL: String, rules: DigestRules) {
        self.client = client
        self.table = table
        self.queueURL = queueURL
        self.policy = DigestPolicy(rules)
    }

    /// What to do with one failure's alert.
    package enum Admission: Sendable, Equatable {
        /// Publish it now, as always.
        case publish
        /// It is held for the digest of this ledger key: do not publish.
        case held(key: String)
    }

    /// Records `failure` in its group's window and says whether to publish its `alert` or hold it.
    package func admit(
        _ failure: StackFailure, _ enrichment: Enrichment, _ alert: Alert, now: Int64, deadline: ContinuousClock.Instant, log: StructuredLogger
    ) async -> Admission {
        guard let scope = policy.scope(alert.messageAttributes),
            let key = scope.groupKey(productId: enrichment.productId, provisioningArtifactId: enrichment.provisioningArtifactId, at: now),
            let productId = enrichment.productId
        else { return .publish }
        let window = scope.window(at: now)
        let entry = DigestEntry(failure).json
        let subject = DigestContent.Subject(
            productId: productId, productName: enrichment.productName, provisioningArtifactId: enrichment.provisioningArtifactId,
            provisioningArtifactName: enrichment.provisioningArtifactName, attributes: alert.messageAttributes, setting: scope.setting)
        let item: [String: DynamoDBAttribute]
        do {
            item = try await client.updateItem(
                table: table, key: ["failure": .string(key)],
                update: "SET digestFailures = list_append(if_not_exists(digestFailures, :none), :one), digestSubject = if_not_exists(digestSubject, :subject), "
                    + "windowStart = :start, windowEnd = :end, expiresAt = :expires ADD digestSeen :inc",
                condition: "attribute_not_exists(flushedAt)",
                values: [
                    ":none": .list([]), ":one": .list([.string(entry)]), ":subject": .string(subject.json), ":start": .integer(window.start),
                    ":end": .integer(window.end), ":expires": .integer(window.end + Self.retention), ":inc": .integer(1),
                ],
                returnValues: .allNew, deadline: bounded(deadline))
        } catch let error as AWSError where error.isConditionalCheckFailed {
            log.info("digest window already flushed; alert sent on its own", [("group", .string(key))])
            return .publish
        } catch {
            log.warn("digest ledger unavailable; alert sent on its own", [("group", .string(key)), ("error", .string(AWSEnricher.describe(error)))])
            return .publish
        }
        let seen = item["digestSeen"]?.integerValue ?? 1
        guard seen > Int64(scope.setting.threshold) else { return .publish }
        if item["flushScheduled"]?.stringValue == "sent" {
            log.info("alert held for the digest", [("group", .string(key)), ("seen", .number(Double(seen)))])
            return .held(key: key)
        }
        if await scheduleFlush(key: key, windowEnd: window.end, now: now, deadline: deadline, log: log) {
            log.info("alert held for the digest; its flush is scheduled", [("group", .string(key)), ("seen", .number(Double(seen)))])
            return .held(key: key)
        }
        await markAlertedSingly(key: key, entry: entry, deadline: deadline)
        return .publish
    }

    /// Takes the right to schedule the window's flush, sends the delayed message and records it sent; false
    /// when another delivery is scheduling it or the message could not be sent (the caller then publishes).
    func scheduleFlush(key: String, windowEnd: Int64, now: Int64, deadline: ContinuousClock.Instant, log: StructuredLogger) async -> Bool {
        let keyAttributes: [String: DynamoDBAttribute] = ["failure": .string(key)]
        do {
            try await client.updateItem(
                table: table, key: keyAttributes, update: "SET flushScheduled = :pending, flushScheduledAt = :now",
                condition: "attribute_not_exists(flushScheduled) OR (flushScheduled = :pending AND flushScheduledAt < :stale)",
                values: [":pending": .string("pending"), ":now": .integer(now), ":stale": .integer(now - Self.staleSchedule)],
                deadline: bounded(deadline))
        } catch {
            return false
        }
        do {
            let delay = Int(min(900, max(0, windowEnd - now + Self.grace)))
            try await client.sendMessage(queueURL: queueURL, body: DigestFlushMessage.body(ledgerKey: key), delaySeconds: delay, deadline: bounded(deadline))
        } catch {
            log.warn("digest flush not scheduled; alerts sent on their own", [("group", .string(key)), ("error", .string(AWSEnricher.describe(error)))])
            _ = try? await client.updateItem(
                table: table, key: keyAttributes, update: "REMOVE flushScheduled", condition: "flushScheduled = :pending",
                values: [":pending": .string("pending")], deadline: bounded(deadline))
            return false
        }
        // The message is on the queue: held alerts are safe even if this mark is lost (later ones then go out singly).
        _ = try? await client.updateItem(
            table: table, key: keyAttributes, update: "SET flushScheduled = :sent", values: [":sent": .string("sent")], deadline: bounded(deadline))
        return true
    }

    /// Notes that a failure past the threshold went out on its own, so that the digest does not repeat it (best effort).
    func markAlertedSingly(key: String, entry: String, deadline: ContinuousClock.Instant) async {
        _ = try? await client.updateItem(
            table: table, key: ["failure": .string(key)], update: "SET alertedSingly = list_append(if_not_exists(alertedSingly, :none), :one)",
            values: [":none": .list([]), ":one": .list([.string(entry)])], deadline: bounded(deadline))
    }

    /// Closes the window of `key` and returns what it held; nil when its digest was sent already (or the
    /// window is unknown). Throws when the ledger cannot be used (the flush message is retried).
    package func flush(key: String, now: Int64, deadline: ContinuousClock.Instant) async throws -> DigestContent? {
        let item: [String: DynamoDBAttribute]
        do {
            item = try await client.updateItem(
                table: table, key: ["failure": .string(key)], update: "SET flushedAt = if_not_exists(flushedAt, :now)",
                condition: "attribute_exists(digestSubject) AND attribute_not_exists(digestSentAt)", values: [":now": .integer(now)],
                returnValues: .allNew, deadline: bounded(deadline))
        } catch let error as AWSError where error.isConditionalCheckFailed {
            return nil
        }
        guard let subject = item["digestSubject"]?.stringValue.flatMap(DigestContent.Subject.init(json:)) else { return nil }
        let entries = (item["digestFailures"]?.listValue ?? []).compactMap { $0.stringValue.flatMap(DigestEntry.init(json:)) }
        let singly = Set((item["alertedSingly"]?.listValue ?? []).compactMap(\.stringValue))
        return DigestContent(
            subject: subject, entries: entries, alertedSingly: singly, windowStart: item["windowStart"]?.integerValue ?? 0,
            windowEnd: item["windowEnd"]?.integerValue ?? 0)
    }

    /// Records that the digest of `key` went out, so that a repeated flush message sends nothing.
    package func markSent(key: String, now: Int64, deadline: ContinuousClock.Instant, log: StructuredLogger) async {
        do {
            try await client.updateItem(
                table: table, key: ["failure": .string(key)], update: "SET digestSentAt = :now", values: [":now": .integer(now)],
                deadline: bounded(deadline))
        } catch {
            log.warn("digest ledger not updated after publishing; a repeated flush sends the digest again", [
                ("group", .string(key)), ("error", .string(AWSEnricher.describe(error))),
            ])
        }
    }

    private func bounded(_ deadline: ContinuousClock.Instant) -> ContinuousClock.Instant {
        min(deadline, ContinuousClock.now + Self.callBudget)
    }
}
