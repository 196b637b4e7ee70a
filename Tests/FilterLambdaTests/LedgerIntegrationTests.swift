import XCTest
import Foundation
import AWSClient
import FilterCore
import TestSupport
import URLSessionTransport
@testable import FilterLambda

/// The handler with a real `AlertLedger` and `SNSAlertSink` against moto_server's DynamoDB and SNS→SQS
/// (enrichment is faked here; EventBridgeEndToEndTests runs the built filter with it).
final class LedgerIntegrationTests: XCTestCase {
    static let moto = ClassMoto()

    var moto: MotoServer!
    var topicArn: String!
    var queueURL: String!
    var table: String!
    let transport = RecordingTransport()
    /// The handler's clock: fixed during a test, in real time so that claim times look like the Lambda's.
    let now = Int64(Date().timeIntervalSince1970)

    let suffix = "abcdefghijklm"
    var stackId: String { Member.fakeStackId(suffix) }
    var stackName: String { Member.stackName(suffix) }

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        let name = "ledger-\(UUID().uuidString.prefix(8).lowercased())"
        (topicArn, queueURL) = try moto.topicWithQueue(name: name)
        table = name
        try moto.ledgerTable(name: name)
    }

    // MARK: Helpers

    var client: AWSClient {
        AWSClient(
            transport: transport, credentials: Credentials(accessKeyId: "AKIDLEDGERTESTS", secretAccessKey: "ledger/secret"),
            endpoints: EndpointResolver(environment: ["AWS_ENDPOINT_URL": moto.endpoint]), region: Member.region, requestTimeout: .seconds(20))
    }

    /// Triages and delivers `event` as the Lambda would, with the ledger `table` and the topic `topic`.
    func deliver(_ event: [String: Any], table: String? = nil, topic: String? = nil, log: MemoryLog = MemoryLog()) async throws -> FilterHandler.Outcome {
        let configuration = FilterConfiguration(
            alertTopicArn: topic ?? topicArn, memberRoleName: Member.roleName, region: Member.region, alertLedgerTable: table ?? self.table)
        let now = self.now
        let handler = FilterHandler(configuration: configuration, clockMs: { now * 1000 })
        let ledger = configuration.alertLedgerTable.map { AlertLedger(client: client, table: $0) }
        return await handler.deliver(
            handler.triage(try jsonBytes(event)), enricher: FakeEnricher(), sink: SNSAlertSink(client: client, topicArn: configuration.alertTopicArn),
            ledger: ledger, deadline: .now + .seconds(30), log: StructuredLogger(sink: log, requestId: "req-ledger"))
    }

    /// The structured bodies of the alerts that reached the topic's queue.
    func published() throws -> [[String: Any]] {
        try moto.drain(queueURL: queueURL).map { try jsonObject($0["Message"] as? String ?? "") }
    }

    func key(_ status: String, stackId: String? = nil) -> String { "\(stackId ?? self.stackId)|\(status)" }

    func failure(_ eventId: String, status: String = "UPDATE_ROLLBACK_FAILED", timestamp: String = "2024-05-04T07:08:12.345Z") -> [String: Any] {
        Events.snsEvent(Events.cfnMessage(stackId: stackId, stackName: stackName, status: status, eventId: eventId, timestamp: timestamp))
    }

    // MARK: Tests

    func testOnlyServiceCatalogFailuresAreAlertedAndRecorded() async throws {
        let otherStack = "arn:aws:cloudformation:\(Member.region):\(Member.account):stack/network-baseline/6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
        func body(_ event: [String: Any]) throws -> String { try jsonText(event) }
        let event = Events.sqsEvent([
            Events.sqsRecord(messageId: "q-other", rawBody: try body(stackStatusChange(id: "eb-other", stackId: otherStack, status: "UPDATE_ROLLBACK_FAILED", time: "2024-05-04T07:08:09Z"))),
            Events.sqsRecord(messageId: "q-routine", rawBody: try body(stackStatusChange(id: "eb-routine", stackId: stackId, status: "UPDATE_COMPLETE", time: "2024-05-04T07:08:09Z"))),
            Events.sqsRecord(messageId: "q-resource", message: Events.routineMessage(stackId: stackId, stackName: stackName)),
            Events.sqsRecord(messageId: "q-failure", rawBody: try body(stackStatusChange(id: "eb-failure", stackId: stackId, status: "DELETE_FAILED", time: "2024-05-04T07:08:09Z"))),
        ])
        let outcome = try await deliver(event)
        XCTAssertEqual(outcome.response, #"{"batchItemFailures":[]}"#)
        XCTAssertEqual(try published().compactMap { $0["eventId"] as? String }, ["eb-failure"])
        let items = try moto.ledgerItems(table: table)
        XCTAssertEqual(Array(items.keys), [key("DELETE_FAILED")], "no item for the other stack or the routine events")
        let item = try XCTUnwrap(items[key("DELETE_FAILED")])
        XCTAssertEqual(item["state"] as? String, "sent")
        XCTAssertEqual(item["eventTime"] as? Int, Int(try epochSeconds("2024-05-04T07:08:09Z")))
        XCTAssertEqual(item["claimedAt"] as? Int, Int(now))
        XCTAssertEqual(item["sentAt"] as? Int, Int(now))
        XCTAssertEqual(item["expiresAt"] as? Int, Int(now + 2 * 86_400))

        // The ledger calls speak DynamoDB's JSON 1.0 protocol.
        let ledgerCalls = transport.requests.compactMap { $0.headers["X-Amz-Target"] }.filter { $0.hasPrefix("DynamoDB") }
        XCTAssertEqual(ledgerCalls, ["DynamoDB_20120810.PutItem", "DynamoDB_20120810.UpdateItem"])
        let put = try XCTUnwrap(transport.requests.first { $0.headers["X-Amz-Target"] == "DynamoDB_20120810.PutItem" })
        XCTAssertEqual(put.headers["Content-Type"], "application/x-amz-json-1.0")
        XCTAssertTrue(put.headers["Authorization"]?.contains("/\(Member.region)/dynamodb/aws4_request") == true)
    }

    func testAFreshUnsentClaimIsRetriedAStaleOneIsTakenOverASentOneIsADuplicate() async throws {
        let eventTime = Int(try epochSeconds("2024-05-04T07:08:12.345Z"))
        // Another delivery claimed the failure 10 s ago and has not marked it sent: it may be publishing, or it
        // may have crashed. This delivery does not publish, and fails so that it comes back (a crash must not
        // cost the alert: Lambda's first retry comes about a minute later, before the claim is stale).
        try moto.putLedgerItem(table: table, item: [
            "failure": key("UPDATE_ROLLBACK_FAILED"), "eventTime": eventTime - 3, "state": "claimed", "claimedAt": Int(now) - 10,
            "expiresAt": Int(now) + 86_400,
        ])
        let log = MemoryLog()
        let held = try await deliver(failure("evt-fresh"), log: log)
        XCTAssertNil(held.response)
        XCTAssertEqual(held.failure?.type, "AlertNotDelivered")
        XCTAssertTrue(held.failure?.message.contains("unsent claim") == true, "\(String(describing: held.failure))")
        XCTAssertEqual(try published().count, 0)
        let note = try XCTUnwrap(log.objects.first { $0["message"] as? String == "failure held by another delivery; this one is retried" })
        XCTAssertEqual(note["level"] as? String, "INFO")
        XCTAssertEqual(note["stack"] as? String, stackName)
        XCTAssertEqual(try moto.ledgerItems(table: table)[key("UPDATE_ROLLBACK_FAILED")]?["claimedAt"] as? Int, Int(now) - 10)

        // Once that claim is marked sent, the same delivery coming back is a duplicate: quiet, and answered.
        try moto.putLedgerItem(table: table, item: [
            "failure": key("UPDATE_ROLLBACK_FAILED"), "eventTime": eventTime - 3, "state": "sent", "claimedAt": Int(now) - 10,
            "expiresAt": Int(now) + 86_400,
        ])
        let quietLog = MemoryLog()
        let quiet = try await deliver(failure("evt-fresh"), log: quietLog)
        XCTAssertEqual(quiet.response, #"{"alerts":0,"ignored":0}"#)
        XCTAssertEqual(try published().count, 0)
        XCTAssertTrue(quietLog.objects.contains { $0["message"] as? String == "duplicate failure; alerted already" }, "\(quietLog.lines)")

        // A claim older than twice the function timeout belongs to a publisher that crashed: taken over.
        try moto.putLedgerItem(table: table, item: [
            "failure": key("UPDATE_ROLLBACK_FAILED"), "eventTime": eventTime - 3, "state": "claimed", "claimedAt": Int(now) - 121,
            "expiresAt": Int(now) + 86_400,
        ])
        let taken = try await deliver(failure("evt-stale"))
        XCTAssertEqual(taken.response, #"{"alerts":1,"ignored":0}"#)
        XCTAssertEqual(try published().compactMap { $0["eventId"] as? String }, ["evt-stale"])
        let item = try XCTUnwrap(try moto.ledgerItems(table: table)[key("UPDATE_ROLLBACK_FAILED")])
        XCTAssertEqual(item["state"] as? String, "sent")
        XCTAssertEqual(item["claimedAt"] as? Int, Int(now))
        XCTAssertEqual(item["eventTime"] as? Int, eventTime)

        // A sent failure is never taken over, however old its claim.
        try moto.putLedgerItem(table: table, item: [
            "failure": key("UPDATE_ROLLBACK_FAILED"), "eventTime": eventTime, "state": "sent", "claimedAt": Int(now) - 3_600,
            "expiresAt": Int(now) + 86_400,
        ])
        _ = try await deliver(failure("evt-sent"))
        XCTAssertEqual(try published().count, 0)
    }

    func testAMissingTableStillAlertsWithAWarning() async throws {
        let log = MemoryLog()
        let outcome = try await deliver(failure("evt-no-table"), table: "no-such-ledger", log: log)
        XCTAssertEqual(outcome.response, #"{"alerts":1,"ignored":0}"#)
        XCTAssertEqual(try published().compactMap { $0["eventId"] as? String }, ["evt-no-table"])
        let warning = try XCTUnwrap(log.objects.first { $0["message"] as? String == "alert ledger unavailable; alert sent without it" }, "\(log.lines)")
        XCTAssertEqual(warning["level"] as? String, "WARN")
        XCTAssertEqual(warning["stack"] as? String, stackName)
        XCTAssertTrue((warning["error"] as? String)?.hasPrefix("ResourceNotFoundException") == true, "\(warning)")
        XCTAssertFalse(log.lines.contains { $0.contains("ledger/secret") })
    }

    func testAFailedPublishRemovesTheClaimSoThatTheRetryAlerts() async throws {
        let missingTopic = "arn:aws:sns:\(Member.region):\(MotoServer.defaultAccount):does-not-exist"
        let log = MemoryLog()
        let first = try await deliver(failure("evt-retry"), topic: missingTopic, log: log)
        XCTAssertEqual(first.failure?.type, "AlertNotDelivered")
        XCTAssertEqual(try moto.ledgerItems(table: table).count, 0, "the claim is removed")
        XCTAssertFalse(log.lines.contains { $0.contains("alert ledger claim not removed") }, "\(log.lines)")

        // Buffered: the record comes back as a batch item failure, and its retry alerts.
        let sqs = Events.sqsEvent([Events.sqsRecord(
            messageId: "q-retry", message: Events.cfnMessage(stackId: stackId, stackName: stackName, status: "DELETE_FAILED", eventId: "evt-q"))])
        let buffered = try await deliver(sqs, topic: missingTopic)
        XCTAssertEqual(buffered.failedItems, ["q-retry"])
        XCTAssertEqual(try moto.ledgerItems(table: table).count, 0)

        let retried = try await deliver(failure("evt-retry"))
        XCTAssertEqual(retried.response, #"{"alerts":1,"ignored":0}"#)
        let retriedBatch = try await deliver(sqs)
        XCTAssertEqual(retriedBatch.failedItems, [])
        XCTAssertEqual(try published().compactMap { $0["eventId"] as? String }.sorted(), ["evt-q", "evt-retry"])
        XCTAssertEqual(try moto.ledgerItems(table: table).mapValues { $0["state"] as? String }, [
            key("UPDATE_ROLLBACK_FAILED"): "sent", key("DELETE_FAILED"): "sent",
        ])
    }
}
