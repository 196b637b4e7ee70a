import AWSClient
import FilterCore
import JSONText


/// Makes one failure one alert when it arrives more than once: EventBridge delivers at least once, and with
/// the source `both` a failure comes as an SNS notification and as an EventBridge event (other ids, times a
/// few seconds apart). The DynamoDB table `ALERT_LEDGER_TABLE` holds one item per stack and status
/// (`Entry.key`) with the time of the failure last alerted; a delivery claims the item before publishing,
/// and a claim fails (a duplicate) when the item holds a failure within `window` seconds of this one.
///
/// The ledger never costs an alert: a ledger that cannot be used means publishing anyway (a duplicate is
/// better than a lost alert), a failed publish removes its claim so that the retry alerts, only a claim
/// marked sent makes a delivery a duplicate (one that meets a claim still being sent fails, so that it
/// comes back), and a claim whose publisher crashed is taken over once it is `staleClaim` seconds old.
public struct AlertLedger: Sendable {
    /// Signs with the function's credentials, in the function's region (where the table is).
    public let client: AWSClient
    /// The table: hash key `failure` (S), TTL attribute `expiresAt` (epoch seconds).
    public let table: String

    /// Two deliveries of one stack and status whose event times are at most this many seconds apart are one failure.
    public static let window: Int64 = 300
    /// A claim older than this (seconds; twice the function timeout) belongs to a publisher that crashed.
    public static let staleClaim: Int64 = 120
    /// An item expires (`expiresAt`) this many seconds after it was claimed.
    public static let retention: Int64 = 2 * 86_400
    /// The longest one ledger call may take, so that a slow table never eats the time left for publishing.
    static let callBudget: Duration = .seconds(3)

    public init(client: AWSClient, table: String) {
        self.client = client
        self.table = table
    }

    /// What claiming a failure found.
    public enum Claim: Sendable, Equatable {
        /// This delivery owns the failure: publish, then `markSent` or `release`.
        case claimed(Entry)
        /// Another delivery alerted the same failure (its claim is marked sent): do not publish.
        case duplicate
        /// Another delivery holds an unsent claim of the same failure (publishing now, or crashed less than
        /// `staleClaim` ago): do not publish, and fail this delivery so that it comes back and finds the
        /// claim sent (a duplicate), released or stale (then it alerts). Counting it a duplicate would lose
        /// the alert whenever the claim's publisher crashed.
        case heldByAnother
        /// The ledger could not be used: publish without it.
        case unavailable
    }

    /// The ledger item of one failure as one delivery claims it (built without I/O).
    public struct Entry: Sendable, Equatable {
        /// `<stack ARN, else account/region/stackName>|<status>`: the same for every delivery of the failure.
        public let key: String
        /// The failure's time (epoch seconds): its timestamp, or the claim time without a usable one.
        public let eventTime: Int64
        /// When this delivery claimed it (epoch seconds).
        public let claimedAt: Int64

        /// The claim of `failure` made at `now` (epoch seconds).
        public init(failure: StackFailure, now: Int64) {
            key = Entry.key(failure)
            eventTime = Entry.eventTime(failure, now: now)
            claimedAt = now
        }

        static func key(_ failure: StackFailure) -> String {
            let stack = failure.stackARN != nil ? failure.stackId ?? "" : "\(failure.account)/\(failure.region)/\(failure.stackName)"
            return stack + "|" + failure.status
        }

        /// The failure's timestamp in whole epoch seconds (ISO 8601, with or without fractional seconds), else `now`.
        static func eventTime(_ failure: StackFailure, now: Int64) -> Int64 {
            guard let text = failure.timestamp, let date = AWSTimestamp.parseISO8601(text) else { return now }
            return Int64(date.epochSeconds)
        }

        /// Writes the claim unless the item holds another delivery of this failure that is sent or still being sent.
        static let claimCondition =
            "attribute_not_exists(failure) OR eventTime < :lo OR eventTime > :hi OR (#state = :claimed AND claimedAt < :stale)"

        var keyAttributes: [String: DynamoDBAttribute] { ["failure": .string(key)] }

        /// The item a claim writes.
        var item: [String: DynamoDBAttribute] {
            [
                "failure": .string(key), "eventTime": .integer(eventTime), "state": .string("claimed"),
                "claimedAt": .integer(claimedAt), "expiresAt": .integer(claimedAt + AlertLedger.retention),
            ]
        }

        /// The values of `claimCondition`: the window around `eventTime` and the stale-claim limit.
        var claimValues: [String: DynamoDBAttribute] {
            [
                ":lo": .integer(eventTime - AlertLedger.window), ":hi": .integer(eventTime + AlertLedger.window),
                ":claimed": .string("claimed"), ":stale": .integer(claimedAt - AlertLedger.staleClaim),
            ]
        }

        /// The condition of `markSent` and `release`: the item still holds this delivery's claim.
        static let ownCondition = "#state = :claimed AND claimedAt = :claimedAt"

        var ownValues: [String: DynamoDBAttribute] { [":claimed": .string("claimed"), ":claimedAt": .integer(claimedAt)] }
    }

    static let stateName = ["#state": "state"]

    /// Claims `failure` at `now` (epoch seconds) before it is published; logs a duplicate (info) and an
    /// unusable ledger (warning).
    public func claim(_ failure: StackFailure, now: Int64, deadline: ContinuousClock.Instant, log: StructuredLogger) async -> Claim {
        let entry = Entry(failure: failure, now: now)
        do {
            try await client.putItem(
                table: table, item: entry.item, condition: Entry.claimCondition, names: Self.stateName, values: entry.claimValues,
                deadline: bounded(deadline))
            return .claimed(entry)
        } catch let error as AWSError where error.isConditionalCheckFailed {
            if await isSent(entry, deadline: deadline) {
                log.info("duplicate failure; alerted already", fields(failure, entry))
                return .duplicate
            }
            log.info("failure held by another delivery; this one is retried", fields(failure, entry))
            return .heldByAnother
        } catch {
            log.warn("alert ledger unavailable; alert sent without it", fields(failure, entry) + [("error", .string(AWSEnricher.describe(error)))])
            return .unavailable
        }
    }

    /// Whether the item of `entry`'s failure is marked sent: a conditional write that succeeds only then
    /// (it stamps `seenAgainAt`), so no read permission and no race with the claim's owner are needed.
    /// Any answer but success (a claim still unsent, released meanwhile, an error) reads as not sent.
    func isSent(_ entry: Entry, deadline: ContinuousClock.Instant) async -> Bool {
        let values: [String: DynamoDBAttribute] = [
            ":sent": .string("sent"), ":lo": .integer(entry.eventTime - AlertLedger.window),
            ":hi": .integer(entry.eventTime + AlertLedger.window), ":now": .integer(entry.claimedAt),
        ]
        do {
            try await client.updateItem(
                table: table, key: entry.keyAttributes, update: "SET seenAgainAt = :now",
                condition: "#state = :sent AND eventTime BETWEEN :lo AND :hi", names: Self.stateName, values: values,
                deadline: bounded(deadline))
            return true
        } catch {
            return false
        }
    }

    /// Records that the claimed failure was published; a failure to do so is only a warning.
    public func markSent(_ entry: Entry, failure: StackFailure, now: Int64, deadline: ContinuousClock.Instant, log: StructuredLogger) async {
        var values = entry.ownValues
        values[":sent"] = .string("sent")
        values[":now"] = .integer(now)
        do {
            try await client.updateItem(
                table: table, key: entry.keyAttributes, update: "SET #state = :sent, sentAt = :now", condition: Entry.ownCondition,
                names: Self.stateName, values: values, deadline: bounded(deadline))
        } catch {
            log.warn("alert ledger not updated after publishing", fields(failure, entry) + [("error", .string(AWSEnricher.describe(error)))])
        }
    }

    /// Removes the claim of a failure that could not be published, so that its retry alerts (best effort:
    /// a claim left behind is taken over once stale). A claim already taken over is left alone.
    public func release(_ entry: Entry, failure: StackFailure, deadline: ContinuousClock.Instant, log: StructuredLogger) async {
        do {
            try await client.deleteItem(
                table: table, key: entry.keyAttributes, condition: Entry.ownCondition, names: Self.stateName, values: entry.ownValues,
                deadline: bounded(deadline))
        } catch let error as AWSError where error.isConditionalCheckFailed {
            return
        } catch {
            log.warn(
                "alert ledger claim not removed; a retry alerts once the claim is stale",
                fields(failure, entry) + [("error", .string(AWSEnricher.describe(error)))])
        }
    }

    private func bounded(_ deadline: ContinuousClock.Instant) -> ContinuousClock.Instant {
        min(deadline, ContinuousClock.now + Self.callBudget)
    }

    private func fields(_ failure: StackFailure, _ entry: Entry) -> [(String, JSONValue)] {
        [
            ("stack", .string(failure.stackName)), ("status", .string(failure.status)), ("eventId", .string(failure.eventId ?? "")),
            ("eventTime", .number(Double(entry.eventTime))),
        ]
    }
}
