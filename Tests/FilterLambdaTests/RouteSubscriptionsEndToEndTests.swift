import XCTest
import Foundation
import TestSupport

/// Issue #12's acceptance, end to end: the route subscriptions of the alert stack that `catalogwatch generate`
/// writes, with their real filter policies, deliver each alert of the built `catalogwatch-filter` (under the
/// mock Runtime API, with moto_server and the Service Catalog fixture) to exactly the routes whose match it
/// meets, and the unfiltered default route gets every alert.
///
/// moto's CloudFormation skips `AWS::SNS::Subscription`, so deploying the template would leave the routes
/// unsubscribed: the test reads each `Route<Name>Subscription` (protocol, endpoint, `FilterPolicy`,
/// `FilterPolicyScope`) from the generated template and creates it in moto's SNS itself, on the test's send
/// topic. The expected deliveries come from the route definitions below, not from the queues, so a wrong
/// filter policy (or a wrong message attribute) fails the test.
final class RouteSubscriptionsEndToEndTests: XCTestCase {
    static let moto = ClassMoto()

    /// A route of the test's layout (an `sqs:` destination): what an alert must carry to take it.
    struct TestRoute {
        let name: String
        /// Message attribute (`account`, `status`, `product`, `tag.<key>`) → accepted values.
        let match: [String: [String]]

        /// SNS's rule: every attribute of the match is present with one of its values.
        func matches(_ attributes: [String: String]) -> Bool {
            match.allSatisfy { name, values in attributes[name].map(values.contains) ?? false }
        }

        /// `match:` in layout syntax (JSON is YAML flow syntax): `tag.<key>` goes under `tags`.
        func layoutMatch() throws -> String {
            var object: [String: Any] = [:], tags: [String: [String]] = [:]
            for (name, values) in match {
                if name.hasPrefix("tag.") { tags[String(name.dropFirst(4))] = values } else { object[name] = values }
            }
            if !tags.isEmpty { object["tags"] = tags }
            return try jsonText(object)
        }

        /// The template's logical id: `orders-product` → `RouteOrdersProductSubscription`.
        var subscriptionId: String {
            "Route" + name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Subscription"
        }
    }

    /// A failed Service Catalog stack of the member account: its tags, its product's name, its status.
    struct Failure {
        let suffix: String
        let tags: [String: String]
        let product: String
        let status: String

        var stackName: String { Member.stackName(suffix) }

        /// The message attributes its alert must carry (`ROUTE_TAGS=team`: only the team tag).
        var attributes: [String: String] {
            var out = ["account": Member.account, "region": Member.region, "status": status, "product": product]
            out["tag.team"] = tags["team"]
            return out
        }
    }

    static let routes = [
        TestRoute(name: "payments", match: ["tag.team": ["payments"]]),
        TestRoute(name: "orders-product", match: ["product": ["Orders database"]]),
        TestRoute(name: "member-account", match: ["account": [Member.account], "status": ["UPDATE_ROLLBACK_COMPLETE"]]),
        TestRoute(name: "other-account", match: ["account": ["999999999999"]]),
    ]

    static let failures = [
        Failure(suffix: "rsubtaggedpay", tags: ["team": "payments", "cost-center": "cc-1"], product: "Payments API", status: "ROLLBACK_COMPLETE"),
        Failure(suffix: "rsubuntagged1", tags: ["cost-center": "cc-7"], product: "Payments API", status: "UPDATE_ROLLBACK_COMPLETE"),
        Failure(suffix: "rsubordersdb1", tags: ["team": "platform"], product: "Orders database", status: "ROLLBACK_COMPLETE"),
        Failure(suffix: "rsuballroutes", tags: ["team": "payments"], product: "Orders database", status: "UPDATE_ROLLBACK_COMPLETE"),
    ]

    var moto: MotoServer!
    var fixture: CatalogFixture?
    var work: URL!
    var prefix = ""
    /// The send topic, and the queue subscribed to it without a filter policy (the default route).
    var send: (topicArn: String, queueURL: String)!
    var stackIds: [String: String] = [:]

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        prefix = "rsub-\(UUID().uuidString.prefix(8).lowercased())"
        work = try Tools.temporaryDirectory()
        send = try moto.topicWithQueue(name: "\(prefix)-alerts", region: Member.region)
        for failure in Self.failures {
            stackIds[failure.suffix] = try moto.memberStack(name: failure.stackName, region: Member.region, tags: failure.tags)
        }
        fixture = try CatalogFixture(fixture: catalogFixture(), moto: moto)
    }

    override func tearDown() async throws {
        fixture?.stop()
        fixture = nil
        for failure in Self.failures {
            _ = try? moto?.boto3("member('cloudformation').delete_stack(StackName='\(failure.stackName)')")
        }
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    // MARK: Fixtures

    /// The member fixture with each failure's provisioned product, its product named as the failure says.
    func catalogFixture() -> [String: Any] {
        var data = Member.fixture(provisionedProducts: Self.failures.map(\.suffix))
        var products = data["products"] as? [String: [String: Any]] ?? [:]
        for failure in Self.failures { products["prod-\(failure.suffix)"]?["Name"] = failure.product }
        data["products"] = products
        return data
    }

    func queueName(_ route: TestRoute) -> String { "\(prefix)-\(route.name)" }

    func queueArn(_ route: TestRoute) -> String { "arn:aws:sqs:\(Member.region):\(MotoServer.defaultAccount):\(queueName(route))" }

    /// Creates each route's queue in moto; returns the queue URLs by route name.
    func createQueues() throws -> [String: String] {
        let names = try jsonText(Self.routes.map { queueName($0) })
        let output = try moto.boto3("""
            sqs = client('sqs', '\(Member.region)'); out = {}
            for name in json.loads('\(names)'):
                url = sqs.create_queue(QueueName=name)['QueueUrl']
                arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
                out[name] = {'url': url, 'arn': arn}
            print(json.dumps(out))
            """)
        let queues = try jsonObject(output) as? [String: [String: String]] ?? [:]
        var urls: [String: String] = [:]
        for route in Self.routes {
            XCTAssertEqual(queues[queueName(route)]?["arn"], queueArn(route), "the layout names the queue moto made")
            urls[route.name] = queues[queueName(route)]?["url"]
        }
        return urls
    }

    // MARK: The generated template

    func layoutText() throws -> String {
        var text = Member.layoutHead + """
            routeTags: [team]
            routes:

            """
        for route in Self.routes {
            text += "  - name: \(route.name)\n    sqs: \(queueArn(route))\n    match: \(try route.layoutMatch())\n"
        }
        return text
    }

    /// `catalogwatch generate --format json` of the test's layout: alert-stack.json as an object.
    func generateAlertStack() throws -> [String: Any] {
        let layout = work.appendingPathComponent("routes.yaml"), output = work.appendingPathComponent("out")
        try Data(try layoutText().utf8).write(to: layout)
        let cli = try Tools.builtExecutable("catalogwatch", for: Self.self).path
        let result = try Tools.execute(cli, ["generate", "--format", "json", "--layout", layout.path, "--output", output.path, "--quiet"],
                                       timeout: .seconds(120))
        guard result.status == 0 else { throw TestFailure("catalogwatch generate exited \(result.status): \(result.stderr)") }
        return try jsonObject(try String(contentsOf: output.appendingPathComponent("alert-stack.json"), encoding: .utf8))
    }

    /// The properties of every `Route*Subscription` of the template, by logical id.
    func routeSubscriptions(_ template: [String: Any]) -> [String: [String: Any]] {
        let resources = template["Resources"] as? [String: [String: Any]] ?? [:]
        return resources.filter { $0.key.hasPrefix("Route") && $0.key.hasSuffix("Subscription") }
            .compactMapValues { $0["Type"] as? String == "AWS::SNS::Subscription" ? $0["Properties"] as? [String: Any] : nil }
    }

    /// `ROUTE_TAGS` of the template's filter function.
    func routeTags(_ template: [String: Any]) -> String? {
        let function = (template["Resources"] as? [String: Any])?["FilterFunction"] as? [String: Any]
        let variables = ((function?["Properties"] as? [String: Any])?["Environment"] as? [String: Any])?["Variables"] as? [String: Any]
        return variables?["ROUTE_TAGS"] as? String
    }

    /// Creates the template's subscriptions in moto on the send topic, with their filter policy and scope.
    func subscribe(_ subscriptions: [[String: Any]]) throws {
        for properties in subscriptions {
            XCTAssertEqual(properties["TopicArn"] as? NSDictionary, ["Ref": "SendTopic"])
            XCTAssertEqual(properties["FilterPolicyScope"] as? String, "MessageAttributes")
        }
        let input = subscriptions.map { properties -> [String: Any] in
            ["protocol": properties["Protocol"] ?? "", "endpoint": properties["Endpoint"] ?? "",
             "policy": properties["FilterPolicy"] ?? [:], "scope": properties["FilterPolicyScope"] ?? ""]
        }
        let encoded = Data(try jsonText(input).utf8).base64EncodedString()
        _ = try moto.boto3("""
            import base64
            sns = client('sns', '\(Member.region)')
            for s in json.loads(base64.b64decode('\(encoded)').decode('utf-8')):
                sns.subscribe(TopicArn='\(send.topicArn)', Protocol=s['protocol'], Endpoint=s['endpoint'],
                              Attributes={'FilterPolicy': json.dumps(s['policy']), 'FilterPolicyScope': s['scope'], 'RawMessageDelivery': 'false'})
            """)
    }

    // MARK: Running the filter

    func lambdaEnvironment(routeTags: String) throws -> [String: String] {
        Member.lambdaEnvironment(keyId: "ASIAROUTESUBSKEY0001", secret: "routes/FunctionSecretKey-4567").merging([
            "ALERT_TOPIC_ARN": send.topicArn, "ROUTE_TAGS": routeTags,
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ENDPOINT_URL_SERVICE_CATALOG": try XCTUnwrap(fixture).endpoint,
        ]) { $1 }
    }

    /// One stack event notification per failure.
    func events() throws -> [Any] {
        try Self.failures.enumerated().map { index, failure in
            Events.snsEvent(Events.cfnMessage(stackId: try XCTUnwrap(stackIds[failure.suffix]), stackName: failure.stackName,
                                              status: failure.status, eventId: "evt-rsub-\(index)"))
        }
    }

    /// The alerts in a queue (drained): stack name and String message attributes of each.
    func received(_ queueURL: String) throws -> [(stackName: String, attributes: [String: String])] {
        try moto.drain(queueURL: queueURL, region: Member.region).map { envelope in
            var attributes: [String: String] = [:]
            for (name, value) in envelope["MessageAttributes"] as? [String: [String: Any]] ?? [:] { attributes[name] = value["Value"] as? String }
            let body = try jsonObject(envelope["Message"] as? String ?? "")
            return (body["stackName"] as? String ?? "", attributes)
        }
    }

    /// The queue got the alerts of exactly `expected`, once each, with the attributes each must carry.
    func assertDelivered(_ queueURL: String, _ expected: [Failure], _ label: String, line: UInt = #line) throws {
        let alerts = try received(queueURL)
        XCTAssertEqual(alerts.map(\.stackName).sorted(), expected.map(\.stackName).sorted(), label, line: line)
        for alert in alerts {
            let failure = Self.failures.first { $0.stackName == alert.stackName }
            XCTAssertEqual(alert.attributes, failure?.attributes, "\(label): \(alert.stackName)", line: line)
        }
    }

    // MARK: Tests

    func testEachAlertReachesExactlyTheRouteSubscriptionsItMatches() throws {
        let queues = try createQueues()
        let template = try generateAlertStack()
        let subscriptions = routeSubscriptions(template)
        XCTAssertEqual(Set(subscriptions.keys), Set(Self.routes.map(\.subscriptionId)), "one subscription per route")
        XCTAssertEqual(Set(subscriptions.values.compactMap { $0["Endpoint"] as? String }), Set(Self.routes.map(queueArn)))
        XCTAssertEqual(Set(subscriptions.values.compactMap { $0["Protocol"] as? String }), ["sqs"])
        try subscribe(Array(subscriptions.values))

        let tags = try XCTUnwrap(routeTags(template), "the filter function's ROUTE_TAGS")
        XCTAssertEqual(tags, "team")
        let run = try runFilter(events: try events(), environment: try lambdaEnvironment(routeTags: tags))
        XCTAssertNil(run.initError, run.reportText)
        XCTAssertEqual(run.responses, Array(repeating: #"{"alerts":1,"ignored":0}"#, count: Self.failures.count), run.reportText)

        try assertDelivered(send.queueURL, Self.failures, "default route")
        for route in Self.routes {
            try assertDelivered(try XCTUnwrap(queues[route.name]), Self.failures.filter { route.matches($0.attributes) }, "route \(route.name)")
        }
        let expectedCounts = Self.routes.map { route in Self.failures.filter { route.matches($0.attributes) }.count }
        XCTAssertEqual(expectedCounts, [2, 2, 2, 0], "the cases exercise matches and misses on every route")
    }
}
