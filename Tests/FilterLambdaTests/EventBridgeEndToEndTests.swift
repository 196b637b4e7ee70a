import XCTest
import Foundation
import FilterCore
import TestSupport

/// The built `catalogwatch-filter` under the mock Runtime API with an alert ledger (`ALERT_LEDGER_TABLE`),
/// talking to moto_server (STS, SNS→SQS, CloudFormation, DynamoDB) and the Service Catalog fixture: one
/// alert per failure, however often and by whichever path (EventBridge, buffered EventBridge, SNS) it comes.
final class EventBridgeEndToEndTests: XCTestCase {
    static let moto = ClassMoto()

    var moto: MotoServer!
    var fixture: CatalogFixture?
    var stackId: String!
    var topicArn: String!
    var queueURL: String!
    var table: String!

    let suffix = "ebledgerstack"
    var stackName: String { Member.stackName(suffix) }
    let functionSecret = "eb/FunctionSecretKey+must-never-be-logged-4567"

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        let name = "eb-\(UUID().uuidString.prefix(8).lowercased())"
        (topicArn, queueURL) = try moto.topicWithQueue(name: name)
        table = name
        try moto.ledgerTable(name: name)
        stackId = try moto.memberStack(name: stackName)
        fixture = try CatalogFixture(fixture: Member.fixture(provisionedProducts: [suffix]), moto: moto)
    }

    override func tearDown() async throws {
        fixture?.stop()
        fixture = nil
        if let moto = moto as MotoServer? { _ = try? moto.boto3("member('cloudformation').delete_stack(StackName='\(stackName)')") }
    }

    /// What Lambda sets, the function's settings with the ledger, and the endpoint overrides.
    func lambdaEnvironment() throws -> [String: String] {
        Member.lambdaEnvironment(keyId: "ASIAEBFUNCTIONKEY001", secret: functionSecret).merging([
            "ALERT_TOPIC_ARN": topicArn, "ALERT_LEDGER_TABLE": table,
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ENDPOINT_URL_SERVICE_CATALOG": try XCTUnwrap(fixture).endpoint,
        ]) { $1 }
    }

    /// The structured bodies of the alerts on the test queue.
    func publishedAlerts() throws -> [[String: Any]] {
        try moto.drain(queueURL: queueURL).map { try jsonObject($0["Message"] as? String ?? "") }
    }

    func change(_ id: String, _ status: String, at time: String) -> [String: Any] {
        stackStatusChange(id: id, stackId: stackId, status: status, time: time)
    }

    func notification(_ eventId: String, _ status: String, at timestamp: String) -> [String: Any] {
        Events.snsEvent(Events.cfnMessage(stackId: stackId, stackName: stackName, status: status, eventId: eventId, timestamp: timestamp))
    }

    func buffered(_ messageId: String, _ event: [String: Any]) throws -> [String: Any] {
        Events.sqsEvent([Events.sqsRecord(messageId: messageId, rawBody: try jsonText(event))])
    }

    /// Every alert is enriched from the member account, through the fixture, with no lookup failure.
    func assertEnriched(_ alerts: [[String: Any]], file: StaticString = #filePath, line: UInt = #line) async throws {
        for alert in alerts {
            XCTAssertEqual(alert["lookupFailures"] as? [String], [], "\(alert)", file: file, line: line)
            XCTAssertEqual(alert["productName"] as? String, "Orders database", file: file, line: line)
            XCTAssertEqual(alert["provisionedProductName"] as? String, "orders-db-ebl", file: file, line: line)
            XCTAssertEqual(alert["stackId"] as? String, stackId, file: file, line: line)
        }
        let lookups = try await XCTUnwrap(fixture).requests()
        XCTAssertEqual(lookups.count, 4 * alerts.count, "four lookups per alert, none for a duplicate", file: file, line: line)
        XCTAssertTrue(lookups.allSatisfy { $0["signature"] as? String == "valid" && $0["status"] as? Int == 200 }, file: file, line: line)
    }

    func messages(_ run: FilterRun) -> [String] {
        run.logLines.compactMap { (try? jsonObject(String($0)))?["message"] as? String }
    }

    // MARK: Tests

    func testEventBridgeFailureAlertsOnceWhateverPathRepeatsIt() async throws {
        let t0 = "2024-05-04T07:08:09Z"
        let events: [Any] = [
            change("eb-1", "UPDATE_ROLLBACK_FAILED", at: t0),
            change("eb-1", "UPDATE_ROLLBACK_FAILED", at: t0),  // EventBridge delivers at least once
            notification("evt-sns-1", "UPDATE_ROLLBACK_FAILED", at: "2024-05-04T07:08:12.345Z"),  // source `both`: the SNS copy
            change("eb-2", "UPDATE_ROLLBACK_FAILED", at: "2024-05-04T07:18:09Z"),  // the same stack fails again 10 minutes later
            notification("evt-sns-2", "UPDATE_ROLLBACK_FAILED", at: "2024-05-04T07:18:11.002Z"),
        ]
        let run = try runFilter(events: events, environment: try lambdaEnvironment())
        XCTAssertNil(run.initError, run.reportText)
        let responses = try run.responses.map { try jsonObject(try XCTUnwrap($0, run.reportText)) as NSDictionary }
        let one: NSDictionary = ["alerts": 1, "ignored": 0], none: NSDictionary = ["alerts": 0, "ignored": 0]
        XCTAssertEqual(responses, [one, none, none, one, none], run.reportText)

        let alerts = try publishedAlerts()
        XCTAssertEqual(alerts.compactMap { $0["eventId"] as? String }.sorted(), ["eb-1", "eb-2"])
        XCTAssertEqual(alerts.compactMap { $0["status"] as? String }, ["UPDATE_ROLLBACK_FAILED", "UPDATE_ROLLBACK_FAILED"])
        try await assertEnriched(alerts)

        let items = try moto.ledgerItems(table: table)
        let item = try XCTUnwrap(items["\(stackId!)|UPDATE_ROLLBACK_FAILED"], "\(items)")
        XCTAssertEqual(items.count, 1)
        XCTAssertEqual(item["state"] as? String, "sent")
        XCTAssertEqual(item["eventTime"] as? Int, Int(try epochSeconds("2024-05-04T07:18:09Z")), "the later failure")
        let claimedAt = try XCTUnwrap(item["claimedAt"] as? Int)
        XCTAssertLessThan(abs(claimedAt - Int(Date().timeIntervalSince1970)), 120, "claimed in real time")
        XCTAssertEqual(item["expiresAt"] as? Int, claimedAt + 2 * 86_400)

        let texts = messages(run)
        XCTAssertEqual(texts.filter { $0 == "alert published" }.count, 2)
        XCTAssertEqual(texts.filter { $0 == "duplicate failure; alerted already" }.count, 3)
        XCTAssertFalse(texts.contains { $0.hasPrefix("alert ledger") }, "no ledger warning: \(run.stdout)")
        XCTAssertFalse(run.stdout.contains(functionSecret))
    }

    func testBufferedEventBridgeAndSNSFirstCollapse() async throws {
        let events: [Any] = [
            // Buffered in SQS, and the same event buffered again.
            try buffered("q-1", change("eb-3", "DELETE_FAILED", at: "2024-05-04T08:00:00Z")),
            try buffered("q-2", change("eb-3", "DELETE_FAILED", at: "2024-05-04T08:00:00Z")),
            // SNS first, then EventBridge a few seconds later (direct, and buffered).
            notification("evt-sns-3", "UPDATE_FAILED", at: "2024-05-04T09:00:00.999Z"),
            change("eb-4", "UPDATE_FAILED", at: "2024-05-04T09:00:04Z"),
            try buffered("q-3", change("eb-4", "UPDATE_FAILED", at: "2024-05-04T09:00:04Z")),
        ]
        let run = try runFilter(events: events, environment: try lambdaEnvironment())
        XCTAssertNil(run.initError, run.reportText)
        let responses = try run.responses.map { try jsonObject(try XCTUnwrap($0, run.reportText)) as NSDictionary }
        let batch: NSDictionary = ["batchItemFailures": [Any]()]
        XCTAssertEqual(responses, [batch, batch, ["alerts": 1, "ignored": 0], ["alerts": 0, "ignored": 0], batch], run.reportText)

        let alerts = try publishedAlerts()
        XCTAssertEqual(alerts.compactMap { $0["eventId"] as? String }.sorted(), ["eb-3", "evt-sns-3"])
        try await assertEnriched(alerts)
        let items = try moto.ledgerItems(table: table)
        XCTAssertEqual(Set(items.keys), ["\(stackId!)|DELETE_FAILED", "\(stackId!)|UPDATE_FAILED"])
        XCTAssertEqual(Set(items.values.compactMap { $0["state"] as? String }), ["sent"])
        XCTAssertEqual(items["\(stackId!)|UPDATE_FAILED"]?["eventTime"] as? Int, Int(try epochSeconds("2024-05-04T09:00:00.999Z")))
        XCTAssertEqual(messages(run).filter { $0 == "duplicate failure; alerted already" }.count, 3)
    }

    func testNonServiceCatalogAndRoutineChangesNeitherAlertNorTouchTheLedger() async throws {
        let other = "arn:aws:cloudformation:\(Member.region):\(Member.account):stack/network-baseline/6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
        let events: [Any] = [
            stackStatusChange(id: "eb-other", stackId: other, status: "UPDATE_ROLLBACK_FAILED", time: "2024-05-04T10:00:00Z"),
            change("eb-routine", "UPDATE_COMPLETE", at: "2024-05-04T10:00:00Z"),
            try buffered("q-other", stackStatusChange(id: "eb-other-2", stackId: other, status: "DELETE_FAILED", time: "2024-05-04T10:00:00Z")),
        ]
        let run = try runFilter(events: events, environment: try lambdaEnvironment())
        let responses = try run.responses.map { try jsonObject(try XCTUnwrap($0, run.reportText)) as NSDictionary }
        let ignored: NSDictionary = ["alerts": 0, "ignored": 1]
        XCTAssertEqual(responses, [ignored, ignored, ["batchItemFailures": [Any]()]], run.reportText)
        XCTAssertEqual(try publishedAlerts().count, 0)
        XCTAssertEqual(try moto.ledgerItems(table: table).count, 0)
        let lookups = try await XCTUnwrap(fixture).requests()
        XCTAssertEqual(lookups.count, 0, "nothing looked up")
        XCTAssertEqual(run.logLines.filter { $0.contains("\"StackOperations\"") }.count, 1, "only the Service Catalog stack is counted")
    }
}
