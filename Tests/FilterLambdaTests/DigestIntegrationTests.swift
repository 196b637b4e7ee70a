import XCTest
import Foundation
import AWSClient
import FilterContract
import FilterCore
import TestSupport
import URLSessionTransport
@testable import FilterLambda

/// Storm digests end to end in the handler, against moto_server's DynamoDB (the ledger), SQS (the digest
/// queue, with its delayed message) and SNS→SQS (the send topic's inbox); enrichment is faked with one
/// product version for every failure.
final class DigestIntegrationTests: XCTestCase {
    static let moto = ClassMoto()

    var moto: MotoServer!
    var topicArn: String!
    var inboxURL: String!
    var table: String!
    var digestQueueURL: String!
    let transport = RecordingTransport()
    let now = Int64(Date().timeIntervalSince1970)
    let setting = DigestSetting(windowSeconds: 300, threshold: 3)

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        let name = "digest-\(UUID().uuidString.prefix(8).lowercased())"
        (topicArn, inboxURL) = try moto.topicWithQueue(name: name)
        table = name
        try moto.ledgerTable(name: name)
        digestQueueURL = try moto.boto3("print(client('sqs', '\(Member.region)').create_queue(QueueName='\(name)-digest')['QueueUrl'])")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Helpers

    var client: AWSClient {
        AWSClient(
            transport: transport, credentials: Credentials(accessKeyId: "AKIDDIGESTTESTS", secretAccessKey: "digest/secret"),
            endpoints: EndpointResolver(environment: ["AWS_ENDPOINT_URL": moto.endpoint]), region: Member.region, requestTimeout: .seconds(20))
    }

    /// Every failure is of one product version, with the stack tag `team: payments`.
    let enricher = FakeEnricher { _ in
        Enrichment(productId: "prod-stormstormst", productName: "Payments API", provisioningArtifactId: "pa-stormstormst", provisioningArtifactName: "v2.0")
    }

    /// Triages and delivers `event` as the Lambda would, with digests on the default route.
    func deliver(_ event: [String: Any], sink: (any AlertSink)? = nil, queueURL: String? = nil, log: MemoryLog = MemoryLog()) async throws -> FilterHandler.Outcome {
        var configuration = FilterConfiguration(alertTopicArn: topicArn, memberRoleName: Member.roleName, region: Member.region, alertLedgerTable: table)
        let rules = DigestRules(defaultRoute: .some(setting), routes: [])
        configuration.digests = rules
        configuration.digestQueueURL = queueURL ?? digestQueueURL
        let now = self.now
        let handler = FilterHandler(configuration: configuration, clockMs: { now * 1000 })
        return await handler.deliver(
            handler.triage(try jsonBytes(event)), enricher: enricher, sink: sink ?? SNSAlertSink(client: client, topicArn: topicArn),
            ledger: AlertLedger(client: client, table: table),
            digests: DigestLedger(client: client, table: table, queueURL: queueURL ?? digestQueueURL, rules: rules),
            deadline: .now + .seconds(60), log: StructuredLogger(sink: log, requestId: "req-digest"))
    }

    /// Failure `n` of the storm: its own account (10 accounts), region and provisioned product.
    func failureRecord(_ n: Int) -> [String: Any] {
        let account = String(format: "3000000000%02d", n % 10)
        let region = ["ap-northeast-1", "eu-west-1", "us-east-1"][n % 3]
        let stackName = "SC-\(account)-pp-storm\(String(format: "%08d", n))"
        let stackId = "arn:aws:cloudformation:\(region):\(account):stack/\(stackName)/0f1e2d3c-4b5a-4978-8796-\(String(format: "%012d", n))"
        let reason = n % 2 == 0 ? "Parameter group not found" : "Resource limit exceeded"
        let message = Events.cfnMessage(
            stackId: stackId, stackName: stackName, status: "UPDATE_ROLLBACK_COMPLETE", eventId: "storm-\(n)", reason: reason,
            timestamp: "2024-05-04T07:08:\(String(format: "%02d", n % 60)).000Z")
        return Events.sqsRecord(messageId: "m-\(n)", message: message)
    }

    /// The storm in SQS batches of 10, as the event source mapping hands it to the filter.
    func deliverStorm(count: Int, sink: (any AlertSink)? = nil, queueURL: String? = nil) async throws -> [FilterHandler.Outcome] {
        var outcomes: [FilterHandler.Outcome] = []
        for start in stride(from: 0, to: count, by: 10) {
            outcomes.append(try await deliver(Events.sqsEvent((start..<min(count, start + 10)).map(failureRecord)), sink: sink, queueURL: queueURL))
        }
        return outcomes
    }

    /// The flush message as the digest queue's event source mapping delivers it.
    func flushEvent(_ body: String) -> [String: Any] {
        Events.sqsEvent([Events.sqsRecord(messageId: "flush-1", rawBody: body)])
    }

    /// The messages on the digest queue, delayed or not (read with boto3 from moto's backend state is not
    /// possible over HTTP, so they are counted by attribute and read from the recorded SendMessage requests).
    func digestQueueCounts() throws -> (visible: Int, delayed: Int) {
        let output = try moto.boto3("""
            a = client('sqs', '\(Member.region)').get_queue_attributes(QueueUrl='\(digestQueueURL!)', AttributeNames=['All'])['Attributes']
            print(json.dumps([int(a['ApproximateNumberOfMessages']), int(a['ApproximateNumberOfMessagesDelayed'])]))
            """)
        let counts = try XCTUnwrap(try parseJSON(output) as? [Int])
        return (counts[0], counts[1])
    }

    /// The SendMessage requests the filter made, as (body, delay) from their query parameters.
    func sentFlushes() -> [(body: String, delay: Int)] {
        transport.requests.compactMap { request -> (String, Int)? in
            guard let text = String(bytes: request.body, encoding: .utf8), text.contains("Action=SendMessage") else { return nil }
            var fields: [String: String] = [:]
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            return (fields["MessageBody"] ?? "", Int(fields["DelaySeconds"] ?? "") ?? -1)
        }
    }

    /// The window's ledger item: strings, numbers as integers, lists as their length.
    func digestItem() throws -> [String: Any] {
        let output = try moto.boto3("""
            items = client('dynamodb', '\(Member.region)').scan(TableName='\(table!)')['Items']
            plain = lambda v: v['S'] if 'S' in v else int(v['N']) if 'N' in v else len(v['L'])
            print(json.dumps([{k: plain(v) for k, v in i.items()} for i in items if i['failure']['S'].startswith('digest|')]))
            """)
        let items = try XCTUnwrap(try parseJSON(output) as? [[String: Any]])
        XCTAssertEqual(items.count, 1, "one item per group and window")
        return try XCTUnwrap(items.first)
    }

    func inbox() throws -> [[String: Any]] {
        try moto.drain(queueURL: inboxURL).map { try jsonObject($0["Message"] as? String ?? "") }
    }

    // MARK: Tests

    func testAFiftyFailureStormIsThreeAlertsAndOneDigestAndNothingIsLost() async throws {
        let outcomes = try await deliverStorm(count: 50)
        XCTAssertEqual(outcomes.map(\.response), Array(repeating: #"{"batchItemFailures":[]}"#, count: 5), "nothing retried")
        let singles = try inbox()
        XCTAssertEqual(singles.count, 3, "the first 3 of the window alert one by one")
        XCTAssertEqual(singles.compactMap { $0["eventId"] as? String }, ["storm-0", "storm-1", "storm-2"])

        // One flush message, due when the window ends (plus the grace), on the digest queue.
        let flushes = sentFlushes()
        XCTAssertEqual(flushes.count, 1, "the first held failure schedules the flush; the others see it scheduled")
        let window = DigestScope(setting: setting, routes: ["(default)"]).window(at: now)
        XCTAssertEqual(flushes[0].delay, Int(window.end - now + DigestLedger.grace))
        let queued = try digestQueueCounts()
        XCTAssertEqual(queued.delayed + queued.visible, 1, "one reading: the message may turn visible between two")

        // The flush: one digest of the 47 held failures, with counts, to the same topic.
        let flushed = try await deliver(flushEvent(flushes[0].body))
        XCTAssertEqual(flushed.response, #"{"batchItemFailures":[]}"#)
        let digests = try inbox()
        XCTAssertEqual(digests.count, 1)
        let digest = digests[0]
        XCTAssertEqual(digest["type"] as? String, "CatalogWatchDigest")
        XCTAssertEqual(digest["count"] as? Int, 47)
        XCTAssertEqual(digest["productId"] as? String, "prod-stormstormst")
        XCTAssertEqual(digest["provisioningArtifactName"] as? String, "v2.0")
        let listed = try XCTUnwrap(digest["failures"] as? [[String: Any]])
        let stacks = Set(listed.compactMap { $0["stackName"] as? String }) .union(Set(singles.compactMap { $0["stackName"] as? String }))
        XCTAssertEqual(stacks.count, 50, "every failure of the storm is in an alert or in the digest")
        let byReason = try XCTUnwrap(digest["byReason"] as? [[String: Any]])
        XCTAssertEqual(byReason.compactMap { $0["count"] as? Int }.reduce(0, +), 47)
        let byAccount = try XCTUnwrap(digest["byAccount"] as? [[String: Any]])
        XCTAssertEqual(byAccount.count, 10)

        let item = try digestItem()
        XCTAssertEqual(item["digestSeen"] as? Int, 50)
        XCTAssertEqual(item["digestFailures"] as? Int, 50, "every failure listed")
        XCTAssertEqual(item["flushScheduled"] as? String, "sent")
        XCTAssertEqual(item["digestSentAt"] as? Int, Int(now))

        // The same flush message again (SQS delivers at least once): nothing more is sent.
        let again = try await deliver(flushEvent(flushes[0].body))
        XCTAssertEqual(again.response, #"{"batchItemFailures":[]}"#)
        XCTAssertEqual(try inbox().count, 0)
    }

    func testAFailureAfterTheFlushIsAlertedOnItsOwn() async throws {
        _ = try await deliverStorm(count: 5)
        XCTAssertEqual(try inbox().count, 3)
        let flush = try XCTUnwrap(sentFlushes().first)
        _ = try await deliver(flushEvent(flush.body))
        XCTAssertEqual(try inbox().count, 1, "the digest of 2")
        // A straggler of the same window, after its flush: alerted at once, never held.
        let late = try await deliver(Events.sqsEvent([failureRecord(40)]))
        XCTAssertEqual(late.response, #"{"batchItemFailures":[]}"#)
        XCTAssertEqual(try inbox().compactMap { $0["eventId"] as? String }, ["storm-40"])
    }

    func testWhenTheFlushCannotBeScheduledEveryFailureIsAlertedOnItsOwn() async throws {
        let missing = "\(moto.endpoint)/123456789012/no-such-digest-queue"
        let log = MemoryLog()
        var outcomes: [FilterHandler.Outcome] = []
        for start in stride(from: 0, to: 20, by: 10) {
            outcomes.append(try await deliver(Events.sqsEvent((start..<start + 10).map(failureRecord)), queueURL: missing, log: log))
        }
        XCTAssertEqual(outcomes.map(\.response), Array(repeating: #"{"batchItemFailures":[]}"#, count: 2))
        XCTAssertEqual(try inbox().count, 20, "nothing held without a scheduled flush")
        XCTAssertTrue(log.messages(level: "WARN").contains("digest flush not scheduled; alerts sent on their own"))
    }

    func testADigestThatCannotBePublishedGoesOutAsSingleAlerts() async throws {
        _ = try await deliverStorm(count: 8)
        XCTAssertEqual(try inbox().count, 3)
        let flush = try XCTUnwrap(sentFlushes().first)
        let sink = DigestRefusingSink(inner: SNSAlertSink(client: client, topicArn: topicArn))
        let log = MemoryLog()
        let outcome = try await deliver(flushEvent(flush.body), sink: sink, log: log)
        XCTAssertEqual(outcome.response, #"{"batchItemFailures":[]}"#)
        XCTAssertEqual(Set(try inbox().compactMap { $0["eventId"] as? String }), Set((3..<8).map { "storm-\($0)" }), "the 5 held failures, one by one")
        XCTAssertTrue(log.messages(level: "ERROR").contains("digest not delivered; its failures go out one by one"))
        // Marked sent: a repeated flush message does not send them a third time.
        _ = try await deliver(flushEvent(flush.body))
        XCTAssertEqual(try inbox().count, 0)
    }

    func testAFlushWhoseDigestAndSinglesFailIsRetried() async throws {
        _ = try await deliverStorm(count: 6)
        _ = try inbox()
        let flush = try XCTUnwrap(sentFlushes().first)
        let outcome = try await deliver(flushEvent(flush.body), sink: FakeSink(fails: { _ in true }))
        XCTAssertEqual(outcome.response, #"{"batchItemFailures":[{"itemIdentifier":"flush-1"}]}"#, "SQS brings the flush back")
        // The retry, with the topic back: the digest goes out.
        _ = try await deliver(flushEvent(flush.body))
        let digest = try XCTUnwrap(try inbox().first)
        XCTAssertEqual(digest["count"] as? Int, 3)
    }
}

/// Refuses digests (as SNS would a message it cannot take) and passes single alerts to `inner`.
final class DigestRefusingSink: AlertSink, @unchecked Sendable {
    let inner: any AlertSink
    init(inner: any AlertSink) { self.inner = inner }

    func publish(_ alert: Alert, deadline: ContinuousClock.Instant) async throws -> String {
        if alert.structured.contains("\"CatalogWatchDigest\"") { throw AWSError(code: "InvalidParameter", message: "refused", httpStatus: 400, service: "sns", operation: "Publish") }
        return try await inner.publish(alert, deadline: deadline)
    }
}
