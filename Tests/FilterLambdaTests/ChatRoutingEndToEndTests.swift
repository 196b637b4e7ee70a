import XCTest
import Foundation
import FilterCore
import TestSupport

/// The built `catalogwatch-filter` under the mock Runtime API with `ROUTE_TAGS` and `CHAT_ROUTES`, talking to
/// moto_server (STS, CloudFormation with tagged member stacks, SNS→SQS, DynamoDB) and the Service Catalog
/// fixture: alerts carry the owner's tags, and each chat topic gets the notifications its policy picks.
final class ChatRoutingEndToEndTests: XCTestCase {
    static let moto = ClassMoto()

    var moto: MotoServer!
    var fixture: CatalogFixture?
    var send: (topicArn: String, queueURL: String)!
    /// Chat topics (with a queue each) by route name.
    var chat: [String: (topicArn: String, queueURL: String)] = [:]
    var taggedId: String!
    var untaggedId: String!

    let tagged = "chatroutetags", untagged = "chatroutenone", gone = "chatroutegone"
    let functionSecret = "chat/FunctionSecretKey+must-never-be-logged-8901"

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        let name = "chat-\(UUID().uuidString.prefix(8).lowercased())"
        send = try moto.topicWithQueue(name: name)
        for route in ["payments", "platform", "account"] {
            chat[route] = try moto.topicWithQueue(name: "\(name)-\(route)")
        }
        taggedId = try moto.memberStack(name: Member.stackName(tagged), tags: ["team": "payments", "owner": "alice", "cost-center": "cc-42"])
        untaggedId = try moto.memberStack(name: Member.stackName(untagged), tags: ["cost-center": "cc-7"])
        fixture = try CatalogFixture(fixture: Member.fixture(provisionedProducts: [tagged, untagged]), moto: moto)
    }

    override func tearDown() async throws {
        fixture?.stop()
        fixture = nil
        for suffix in [tagged, untagged] {
            _ = try? moto.boto3("member('cloudformation').delete_stack(StackName='\(Member.stackName(suffix))')")
        }
    }

    // MARK: Helpers

    func route(_ name: String, _ policy: String, topic: String? = nil) -> String {
        #"{"name": "\#(name)", "topicArn": "\#(topic ?? chat[name]!.topicArn)", "filterPolicy": \#(policy)}"#
    }

    var routes: String {
        "[" + [
            route("payments", #"{"tag.team": ["payments"]}"#), route("platform", #"{"tag.team": ["platform"]}"#),
            route("account", #"{"account": ["\#(Member.account)"]}"#),
        ].joined(separator: ",") + "]"
    }

    func lambdaEnvironment(routeTags: String?, chatRoutes: String, ledger: String? = nil) throws -> [String: String] {
        var env = Member.lambdaEnvironment(keyId: "ASIACHATFUNCTIONKEY1", secret: functionSecret).merging([
            "ALERT_TOPIC_ARN": send.topicArn, "CHAT_ROUTES": chatRoutes,
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ENDPOINT_URL_SERVICE_CATALOG": try XCTUnwrap(fixture).endpoint,
        ]) { $1 }
        env["ROUTE_TAGS"] = routeTags
        env["ALERT_LEDGER_TABLE"] = ledger
        return env
    }

    /// What reached a queue: the SNS `Message`, and the String message attributes.
    func received(_ queueURL: String) throws -> [(message: String, attributes: [String: String])] {
        try moto.drain(queueURL: queueURL).map { envelope in
            var attributes: [String: String] = [:]
            for (name, value) in envelope["MessageAttributes"] as? [String: [String: Any]] ?? [:] { attributes[name] = value["Value"] as? String }
            return (envelope["Message"] as? String ?? "", attributes)
        }
    }

    /// The alerts on the send topic by stack name: the structured body and the attributes.
    func alerts() throws -> [String: (body: [String: Any], attributes: [String: String])] {
        var byStack: [String: (body: [String: Any], attributes: [String: String])] = [:]
        for item in try received(send.queueURL) {
            let body = try jsonObject(item.message)
            byStack[body["stackName"] as? String ?? ""] = (body, item.attributes)
        }
        return byStack
    }

    func events() -> [Any] {
        [
            Events.snsEvent(Events.cfnMessage(stackId: taggedId, stackName: Member.stackName(tagged), status: "UPDATE_ROLLBACK_FAILED", eventId: "evt-chat-1")),
            Events.eventBridge(id: "eb-chat-2", stackId: untaggedId, status: "DELETE_FAILED"),
            Events.snsEvent(Events.cfnMessage(stackId: Member.fakeStackId(gone), stackName: Member.stackName(gone), status: "UPDATE_FAILED", eventId: "evt-chat-3")),
        ]
    }

    func logMessages(_ run: FilterRun) -> [[String: Any]] { run.logLines.compactMap { try? jsonObject(String($0)) } }

    // MARK: Tests

    func testTagsRouteAlertsAndChatNotifications() async throws {
        let run = try runFilter(events: events(), environment: try lambdaEnvironment(routeTags: "team,owner", chatRoutes: routes))
        XCTAssertNil(run.initError, run.reportText)
        let one: NSDictionary = ["alerts": 1, "ignored": 0]
        XCTAssertEqual(try run.responses.map { try jsonObject(try XCTUnwrap($0, run.reportText)) as NSDictionary }, [one, one, one])

        let sent = try alerts()
        XCTAssertEqual(Set(sent.keys), Set([tagged, untagged, gone].map(Member.stackName)))
        let taggedAlert = try XCTUnwrap(sent[Member.stackName(tagged)])
        XCTAssertEqual(taggedAlert.attributes["tag.team"], "payments")
        XCTAssertEqual(taggedAlert.attributes["tag.owner"], "alice")
        XCTAssertNil(taggedAlert.attributes["tag.cost-center"], "only the tags ROUTE_TAGS names")
        XCTAssertEqual(taggedAlert.attributes["account"], Member.account)
        XCTAssertEqual(taggedAlert.body["lookupFailures"] as? [String], [])
        let untaggedAlert = try XCTUnwrap(sent[Member.stackName(untagged)])
        XCTAssertEqual(untaggedAlert.attributes.keys.filter { $0.hasPrefix("tag.") }, [], "no tag, no attribute: the default route")
        XCTAssertEqual(untaggedAlert.body["lookupFailures"] as? [String], [])
        let goneAlert = try XCTUnwrap(sent[Member.stackName(gone)])
        XCTAssertEqual(goneAlert.attributes.keys.filter { $0.hasPrefix("tag.") }, [])
        let goneFailures = goneAlert.body["lookupFailures"] as? [String] ?? []
        XCTAssertTrue(goneFailures.contains { $0.hasPrefix("tags of stack \(Member.stackName(gone)): ") && $0.hasSuffix("alert sent without tag attributes") },
                      "\(goneFailures)")

        // The payments topic gets the tagged stack's notification only; platform gets none; account gets all three.
        let payments = try received(chat["payments"]!.queueURL)
        XCTAssertEqual(payments.count, 1)
        XCTAssertEqual(try received(chat["platform"]!.queueURL).count, 0)
        let account = try received(chat["account"]!.queueURL)
        XCTAssertEqual(account.count, 3)
        let notifications = payments.map(\.message) + account.map(\.message)
        XCTAssertEqual(try ChatNotificationSchemaTests.schemaErrors(notifications), Array(repeating: [], count: 4))
        let paymentsDocument = try jsonObject(try XCTUnwrap(payments.first).message)
        XCTAssertEqual((paymentsDocument["metadata"] as? [String: Any])?["threadId"] as? String, "pp-\(tagged)")
        XCTAssertEqual((paymentsDocument["content"] as? [String: Any])?["title"] as? String, "UPDATE_ROLLBACK_FAILED: Orders database in \(Member.account)")
        XCTAssertEqual(payments.first?.attributes, taggedAlert.attributes, "the chat notification carries the alert's attributes")
        let goneDocument = try XCTUnwrap(try account.map { try jsonObject($0.message) }.first { ($0["id"] as? String) == "evt-chat-3" })
        XCTAssertEqual((goneDocument["metadata"] as? [String: Any])?["threadId"] as? String, "pp-\(gone)")

        let logs = logMessages(run)
        XCTAssertEqual(logs.filter { $0["message"] as? String == "chat notification published" }.count, 4)
        XCTAssertEqual(Set(logs.filter { $0["message"] as? String == "chat notification published" }.compactMap { $0["route"] as? String }), ["payments", "account"])
        let warnings = logs.filter { $0["level"] as? String == "WARN" }.compactMap { $0["detail"] as? String }
        XCTAssertTrue(warnings.contains { $0.hasPrefix("tags of stack \(Member.stackName(gone))") }, "the failed tag lookup is a warning: \(warnings)")
        XCTAssertFalse(run.stdout.contains(functionSecret) || notifications.contains { $0.contains(functionSecret) })
    }

    func testWithoutRouteTagsNoTagsAreLookedUp() async throws {
        let accountOnly = "[" + route("account", #"{"account": ["\#(Member.account)"]}"#) + "]"
        let run = try runFilter(events: events(), environment: try lambdaEnvironment(routeTags: nil, chatRoutes: accountOnly))
        XCTAssertNil(run.initError, run.reportText)
        let sent = try alerts()
        XCTAssertEqual(sent.count, 3)
        for (stack, alert) in sent {
            XCTAssertEqual(alert.attributes.keys.filter { $0.hasPrefix("tag.") }, [], stack)
            XCTAssertFalse((alert.body["lookupFailures"] as? [String] ?? []).contains { $0.hasPrefix("tags of stack") }, "no DescribeStacks: \(stack)")
        }
        XCTAssertEqual(try received(chat["account"]!.queueURL).count, 3)
    }

    func testAFailedChatPublishFailsTheAlertAndReleasesTheClaim() async throws {
        let table = "chat-ledger-\(UUID().uuidString.prefix(8).lowercased())"
        try moto.ledgerTable(name: table)
        let missing = "arn:aws:sns:\(Member.region):\(MotoServer.defaultAccount):does-not-exist"
        let broken = "[" + route("payments", #"{"tag.team": ["payments"]}"#) + "," + route("broken", "{}", topic: missing) + "]"
        let event = events()[0]
        let first = try runFilter(events: [event], environment: try lambdaEnvironment(routeTags: "team", chatRoutes: broken, ledger: table))
        XCTAssertEqual(first.results.first?["errorType"] as? String, "AlertNotDelivered", first.reportText)
        let document = try jsonObject(try XCTUnwrap(first.results.first?["body"] as? String))
        XCTAssertTrue((document["errorMessage"] as? String ?? "").contains("chat route broken: NotFound"), "\(document)")
        XCTAssertEqual(try moto.ledgerItems(table: table).count, 0, "the claim is removed, so that the retry alerts")
        XCTAssertEqual(try received(send.queueURL).count, 1, "the alert itself went out before the chat publish failed")
        XCTAssertEqual(try received(chat["payments"]!.queueURL).count, 1, "the other route was still tried")
        let errors = logMessages(first).filter { $0["level"] as? String == "ERROR" && $0["requestId"] != nil }.compactMap { $0["message"] as? String }
        XCTAssertEqual(errors, ["chat notification not delivered", "alert not delivered"])

        // The retry (Lambda's, once the route is fixed) delivers everything and records the failure as sent.
        let retry = try runFilter(events: [event], environment: try lambdaEnvironment(routeTags: "team", chatRoutes: routes, ledger: table))
        XCTAssertEqual(retry.responses, [#"{"alerts":1,"ignored":0}"#], retry.reportText)
        XCTAssertEqual(try moto.ledgerItems(table: table).values.map { $0["state"] as? String }, ["sent"])
        XCTAssertEqual(try received(send.queueURL).count, 1)
        XCTAssertEqual(try received(chat["payments"]!.queueURL).count, 1)
        XCTAssertEqual(try received(chat["account"]!.queueURL).count, 1)
    }
}
