import XCTest
import Foundation
import TestSupport

/// Storm digests end to end: a burst of 50 failures of one product version across 25 member accounts in 2
/// regions, through the built `catalogwatch-filter` under the mock Runtime API, with moto_server (STS,
/// Organizations, CloudFormation, DynamoDB, SQS, SNS→SQS) and the Service Catalog fixture, gives on every route
/// the 3 threshold alerts, then one digest of the other 47 when the window ends; every failure is listed once
/// per route, and nothing is lost when the digest's publish fails once.
///
/// How:
/// - The alert stack comes from `catalogwatch generate` for a layout with two `sqs` routes that both take the
///   storm's alerts (one by product, one by status), each with `digest: {window: 60s, threshold: 3}`, and the
///   default route with the same. The filter gets the template's `DIGEST` as it is; the table and digest queue
///   its `ALERT_LEDGER_TABLE` and `DIGEST_QUEUE_URL` reference are made in moto. moto's CloudFormation skips
///   `AWS::SNS::Subscription`, so each `Route*Subscription` (with its real filter policy) is created in moto's
///   SNS on the send topic, each route with its own SQS inbox; an unfiltered inbox stands for the default route.
/// - The 25 accounts are in moto's organization (moto hands out their ids), so the filter assumes its member
///   role in each; the fixture knows each failure's provisioned product and its record, and one product and
///   version visible in every account and region.
/// - The storm arrives as the buffer queue's event source mapping hands it over: 5 SQS batches of 10 records,
///   each an SNS envelope of a CloudFormation stack event. Failure `n` is in account `n % 25`, region `n / 25`.
/// - The test plays the digest queue's event source mapping: it long-polls moto for the flush message (moto
///   honours `DelaySeconds`, so it becomes visible when the window ends plus the 10 s grace: up to ~70 s) and
///   hands it to the filter as an SQS event, twice (SQS delivers at least once; the repeat must send nothing).
/// - The failed publish: SNS requests go through scripts/aws_fault_proxy.py (SigV4 and botocore's model checked),
///   which refuses the first Publish whose subject is the digest's with a non-retryable 403 `AuthorizationError`.
///   The filter's fallback must then send each held failure as its own alert.
///
/// Windows are fixed (aligned to multiples of 60 s); the storm waits (at most `stormBudget`) for a window with
/// room for it, and the test stops with a clear error should it still cross a boundary.
final class StormEndToEndTests: XCTestCase {
    static let accounts = (0..<25).map { String(format: "2100000000%02d", $0) }
    static let regions = [Member.region, "eu-west-1"]
    /// moto with every member account in the organization of the function's account.
    static let moto = SharedMoto(organizationAccountIds: accounts)

    static let stormSize = 50, threshold = 3, windowSeconds = 60
    static var heldCount: Int { stormSize - threshold }
    /// How much of the window the storm may take (it takes a few seconds).
    static let stormBudget: Double = 30
    static let status = "UPDATE_ROLLBACK_COMPLETE"
    static let productId = "prod-stormdatabase", productName = "Storm database"
    static let artifactId = "pa-stormdbv2point0", artifactName = "v2.0"
    static let functionKeyId = "ASIASTORMFUNCTION001", functionSecret = "storm/FunctionSecretKey-2468"
    /// The digest's subject (`DigestComposer.subject`) starts so; the fault proxy refuses it once.
    static let digestSubjectPrefix = "CatalogWatch: 47 more failures of "
    /// The routes of the layout (flow-syntax match) and the filter policy the template must give each (JSON, keys sorted).
    static let routes: [(name: String, match: String, policy: String)] = [
        ("storm-product", #"{product: ["Storm database"]}"#, #"{"product":["Storm database"]}"#),
        ("rollbacks", #"{status: [UPDATE_ROLLBACK_COMPLETE]}"#, #"{"status":["UPDATE_ROLLBACK_COMPLETE"]}"#),
    ]
    /// An SQS event's answer with nothing to retry.
    static let ok: String? = #"{"batchItemFailures":[]}"#

    /// One failure of the storm.
    struct Failure {
        let n: Int
        let account: String
        let region: String
        /// 13 lower-case alphanumerics: the provisioned product is `pp-<suffix>`.
        let suffix: String

        var stackName: String { "SC-\(account)-pp-\(suffix)" }
        var stackId: String { "arn:aws:cloudformation:\(region):\(account):stack/\(stackName)/0f1e2d3c-4b5a-4978-8796-\(String(format: "%012d", n))" }
        var eventId: String { "storm-\(n)" }
        var reason: String { n % 2 == 0 ? "Parameter group not found" : "Resource limit exceeded" }
        /// The message attributes of its alert (no `ROUTE_TAGS`: no tag attributes).
        var attributes: [String: String] {
            ["account": account, "region": region, "status": StormEndToEndTests.status, "product": StormEndToEndTests.productName]
        }
    }

    /// What reached an inbox: the structured body and the String message attributes.
    struct Delivered {
        let body: [String: Any]
        let attributes: [String: String]
        var type: String? { body["type"] as? String }
        var stackName: String? { body["stackName"] as? String }
    }

    /// The parts of the generated alert stack the test uses.
    struct GeneratedStack {
        var digest: String
        var subscriptions: [String: [String: Any]]
        var digestQueueVisibilityTimeout: Int
    }

    var moto: MotoServer!
    var fixture: CatalogFixture?
    var work: URL!
    var prefix = ""
    var failures: [Failure] = []
    var send: (topicArn: String, queueURL: String)!
    /// Route name → inbox, the default route first.
    var inboxes: [(route: String, queueURL: String)] = []
    var table = ""
    var digestQueueURL = ""

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        prefix = "storm-\(UUID().uuidString.prefix(8).lowercased())"
        work = try Tools.temporaryDirectory()
        let tag = String(prefix.dropFirst("storm-".count).prefix(5))
        failures = (0..<Self.stormSize).map { n in
            Failure(n: n, account: Self.accounts[n % Self.accounts.count], region: Self.regions[n / Self.accounts.count % Self.regions.count],
                    suffix: tag + String(format: "%08d", n))
        }
        send = try moto.topicWithQueue(name: "\(prefix)-alerts", region: Member.region)
        table = "\(prefix)-alerts-sent"
        try moto.ledgerTable(name: table)
        fixture = try CatalogFixture(fixture: catalogFixture(), moto: moto)
    }

    override func tearDown() async throws {
        fixture?.stop()
        fixture = nil
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    // MARK: Fixtures

    /// Each failure's provisioned product and record in its account and region; the product and its version
    /// without an account or region, so that every account sees the same ids (a portfolio shared to the organization).
    func catalogFixture() -> [String: Any] {
        var provisioned: [String: Any] = [:], records: [String: Any] = [:]
        for f in failures {
            provisioned["pp-\(f.suffix)"] = [
                "account": f.account, "region": f.region, "Name": "storm-db-\(f.n)", "ProductId": Self.productId,
                "ProvisioningArtifactId": Self.artifactId, "LastRecordId": "rec-\(f.suffix)", "Status": "TAINTED", "StatusMessage": "Update failed",
            ]
            records["rec-\(f.suffix)"] = [
                "account": f.account, "region": f.region, "Status": "FAILED",
                "RecordErrors": [["Code": "CFN_STACK_UPDATE_FAILED", "Description": f.reason]],
            ]
        }
        return [
            "provisionedProducts": provisioned, "records": records,
            "products": [Self.productId: ["Name": Self.productName, "Owner": "Platform team"]],
            "provisioningArtifacts": [Self.artifactId: ["ProductId": Self.productId, "Name": Self.artifactName, "Description": "Adds a read replica"]],
        ]
    }

    func queueName(_ route: String) -> String { "\(prefix)-\(route)" }

    func queueArn(_ route: String) -> String { "arn:aws:sqs:\(Member.region):\(MotoServer.defaultAccount):\(queueName(route))" }

    // MARK: The generated alert stack

    func layoutText() -> String {
        var text = Member.layoutHead + """
            digest: {window: 60s, threshold: 3}
            routes:

            """
        for route in Self.routes {
            text += "  - name: \(route.name)\n    sqs: \(queueArn(route.name))\n    match: \(route.match)\n    digest: {window: 60s, threshold: 3}\n"
        }
        return text
    }

    /// `catalogwatch generate` of the layout: the filter's `DIGEST`, the route subscriptions, the digest queue.
    func generateAlertStack() throws -> GeneratedStack {
        let layout = work.appendingPathComponent("storm.yaml"), output = work.appendingPathComponent("out")
        try Data(layoutText().utf8).write(to: layout)
        let cli = try Tools.builtExecutable("catalogwatch", for: Self.self).path
        let result = try Tools.execute(cli, ["generate", "--format", "json", "--layout", layout.path, "--output", output.path, "--quiet"],
                                       timeout: .seconds(120))
        guard result.status == 0 else { throw TestFailure("catalogwatch generate exited \(result.status): \(result.stderr)") }
        let template = try jsonObject(try String(contentsOf: output.appendingPathComponent("alert-stack.json"), encoding: .utf8))
        let resources = template["Resources"] as? [String: [String: Any]] ?? [:]
        func properties(_ id: String) -> [String: Any] { resources[id]?["Properties"] as? [String: Any] ?? [:] }
        let variables = (properties("FilterFunction")["Environment"] as? [String: Any])?["Variables"] as? [String: Any] ?? [:]
        XCTAssertEqual(variables["ALERT_LEDGER_TABLE"] as? NSDictionary, ["Ref": "AlertLedger"])
        XCTAssertEqual(variables["DIGEST_QUEUE_URL"] as? NSDictionary, ["Ref": "DigestQueue"])
        let mapping = properties("FilterFunctionDigestSource")
        XCTAssertEqual(mapping["FunctionResponseTypes"] as? [String], ["ReportBatchItemFailures"], "the flush is retried by batchItemFailures")
        let subscriptions = resources.filter { $0.key.hasPrefix("Route") && $0.key.hasSuffix("Subscription") && $0.value["Type"] as? String == "AWS::SNS::Subscription" }
            .compactMapValues { $0["Properties"] as? [String: Any] }
        return GeneratedStack(
            digest: try XCTUnwrap(variables["DIGEST"] as? String, "the filter's DIGEST"), subscriptions: subscriptions,
            digestQueueVisibilityTimeout: try XCTUnwrap(properties("DigestQueue")["VisibilityTimeout"] as? Int))
    }

    /// Generates the alert stack, checks its digest rules and route subscriptions, and makes in moto what the
    /// filter talks to: each route's inbox subscribed with the template's filter policy, and the digest queue.
    func prepareAlertStack() throws -> GeneratedStack {
        let stack = try generateAlertStack()
        let digest = try jsonObject(stack.digest)
        /// A `DIGEST` setting as [window, threshold].
        func setting(_ value: Any?) -> [Int]? {
            guard let object = value as? [String: Any], let window = object["window"] as? Int, let threshold = object["threshold"] as? Int else { return nil }
            return [window, threshold]
        }
        let expected = [Self.windowSeconds, Self.threshold]
        XCTAssertEqual(setting(digest["default"]), expected, "the default route digests: \(stack.digest)")
        let digestRoutes = digest["routes"] as? [[String: Any]] ?? []
        XCTAssertEqual(digestRoutes.compactMap { $0["name"] as? String }, Self.routes.map { $0.name })
        XCTAssertEqual(digestRoutes.map { setting($0["digest"]) }, [[Int]?](repeating: expected, count: Self.routes.count), stack.digest)

        XCTAssertEqual(stack.subscriptions.count, Self.routes.count, "one subscription per route")
        var subscribe: [[String: Any]] = []
        for route in Self.routes {
            let id = "Route" + route.name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Subscription"
            let properties = try XCTUnwrap(stack.subscriptions[id], id)
            XCTAssertEqual(properties["Endpoint"] as? String, queueArn(route.name))
            XCTAssertEqual(properties["Protocol"] as? String, "sqs")
            XCTAssertEqual(properties["FilterPolicyScope"] as? String, "MessageAttributes")
            XCTAssertEqual(try jsonText(properties["FilterPolicy"] ?? NSNull()), route.policy, "both routes take every alert of the storm")
            subscribe.append(["name": queueName(route.name), "policy": properties["FilterPolicy"] ?? [:], "scope": properties["FilterPolicyScope"] ?? ""])
        }
        let encoded = Data(try jsonText(subscribe).utf8).base64EncodedString()
        let output = try moto.boto3("""
            import base64
            sns = client('sns', '\(Member.region)'); sqs = client('sqs', '\(Member.region)'); out = {}
            for s in json.loads(base64.b64decode('\(encoded)').decode('utf-8')):
                url = sqs.create_queue(QueueName=s['name'])['QueueUrl']
                arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
                sns.subscribe(TopicArn='\(send.topicArn)', Protocol='sqs', Endpoint=arn,
                              Attributes={'FilterPolicy': json.dumps(s['policy']), 'FilterPolicyScope': s['scope'], 'RawMessageDelivery': 'false'})
                out[s['name']] = {'url': url, 'arn': arn}
            out['digest'] = sqs.create_queue(QueueName='\(prefix)-digest',
                                             Attributes={'VisibilityTimeout': '\(stack.digestQueueVisibilityTimeout)'})['QueueUrl']
            print(json.dumps(out))
            """)
        let made = try jsonObject(output)
        inboxes = [(route: "(default)", queueURL: send.queueURL)]
        for route in Self.routes {
            let queue = made[queueName(route.name)] as? [String: String]
            XCTAssertEqual(queue?["arn"], queueArn(route.name), "the layout names the queue moto made")
            let url = try XCTUnwrap(queue?["url"], route.name)
            inboxes.append((route: route.name, queueURL: url))
        }
        digestQueueURL = try XCTUnwrap(made["digest"] as? String)
        return stack
    }

    // MARK: Running the filter

    /// What Lambda sets, the template's `DIGEST`, and the names of what the stack's references stand for here.
    func lambdaEnvironment(_ stack: GeneratedStack, snsEndpoint: String? = nil) throws -> [String: String] {
        var env = Member.lambdaEnvironment(keyId: Self.functionKeyId, secret: Self.functionSecret).merging([
            "ALERT_TOPIC_ARN": send.topicArn, "ALERT_LEDGER_TABLE": table, "DIGEST": stack.digest, "DIGEST_QUEUE_URL": digestQueueURL,
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ENDPOINT_URL_SERVICE_CATALOG": try XCTUnwrap(fixture).endpoint,
        ]) { $1 }
        env["AWS_ENDPOINT_URL_SNS"] = snsEndpoint
        return env
    }

    /// The buffer queue's record of a failure: the SNS envelope of its stack event.
    func stormRecord(_ f: Failure) -> [String: Any] {
        let timestamp = "2024-05-04T07:08:" + String(format: "%02d", f.n % 60) + ".000Z"
        let message = Events.cfnMessage(stackId: f.stackId, stackName: f.stackName, status: Self.status, eventId: f.eventId, reason: f.reason,
                                        timestamp: timestamp)
        return Events.sqsRecord(messageId: "buffer-\(f.n)", message: message)
    }

    /// The storm in SQS batches of 10, as the buffer queue's event source mapping hands it to the filter.
    func stormEvents() -> [Any] {
        var events: [Any] = []
        for start in stride(from: 0, to: failures.count, by: 10) {
            events.append(Events.sqsEvent(failures[start..<min(start + 10, failures.count)].map(stormRecord)))
        }
        return events
    }

    static func windowStart(_ epochSeconds: Int) -> Int { epochSeconds / windowSeconds * windowSeconds }

    static var nowSeconds: Int { Int(Date().timeIntervalSince1970) }

    /// Runs the storm through the filter in one digest window (waiting up to `stormBudget` for one with room),
    /// and checks what the filter answered, logged and recorded. Returns the window's ledger key.
    func runStorm(_ environment: [String: String]) async throws -> String {
        let left = Double(Self.windowSeconds) - Date().timeIntervalSince1970.truncatingRemainder(dividingBy: Double(Self.windowSeconds))
        if left < Self.stormBudget { try await Task.sleep(for: .seconds(left + 1)) }
        let window = Self.windowStart(Self.nowSeconds)
        let started = ContinuousClock.now
        let run = try runFilter(events: stormEvents(), environment: environment)
        print("storm: 50 failures through the filter in \(ContinuousClock.now - started) (the window leaves \(Int(Self.stormBudget)) s or more)")
        guard Self.windowStart(Self.nowSeconds) == window else {
            throw TestFailure("the storm crossed a digest window boundary although it started with \(Int(Self.stormBudget)) s or more left: \(run.reportText.prefix(2000))")
        }
        XCTAssertNil(run.initError, run.reportText)
        XCTAssertEqual(run.responses, Array(repeating: Self.ok, count: 5), "no record retried: \(run.reportText)")
        let messages = logMessages(run)
        XCTAssertEqual(messages.filter { $0 == "alert published" }.count, Self.threshold, "the first 3 alert one by one")
        XCTAssertEqual(messages.filter { $0.hasPrefix("alert held for the digest") }.count, Self.heldCount, "the other 47 are held")

        let items = try ledgerItems()
        let digestItems = items.filter { ($0["failure"] as? String)?.hasPrefix("digest|") == true }
        XCTAssertEqual(digestItems.count, 1, "one group: one product version, one set of routes, one window")
        let item = try XCTUnwrap(digestItems.first)
        XCTAssertEqual(item["digestSeen"] as? Int, Self.stormSize)
        XCTAssertEqual(item["digestFailures"] as? Int, Self.stormSize, "every failure recorded in the window's item")
        XCTAssertEqual(item["flushScheduled"] as? String, "sent")
        XCTAssertNil(item["digestSentAt"])
        let claims = items.filter { ($0["failure"] as? String)?.hasPrefix("digest|") == false }
        XCTAssertEqual(claims.filter { $0["state"] as? String == "sent" }.count, Self.stormSize, "every failure handled in the alert ledger, held ones too")
        XCTAssertEqual(try digestQueueMessageCount(), 1, "one flush message for the window, not one per held failure")
        return try XCTUnwrap(item["failure"] as? String)
    }

    /// The SQS records of the flush as the digest queue's event source mapping hands them over: long-polls moto
    /// (at most 90 s) until the delayed message is visible. Checks that it flushes `key`.
    func receiveFlush(key: String) throws -> [String: Any] {
        let output = try moto.boto3("""
            import time
            sqs = client('sqs', '\(Member.region)'); end = time.time() + 90; got = []
            while not got and time.time() < end:
                wait = max(1, min(20, int(end - time.time())))
                got = sqs.receive_message(QueueUrl='\(digestQueueURL)', MaxNumberOfMessages=10, WaitTimeSeconds=wait, AttributeNames=['All']).get('Messages', [])
            print(json.dumps(got))
            """)
        let messages = try XCTUnwrap(try parseJSON(output) as? [[String: Any]])
        XCTAssertEqual(messages.count, 1, "the flush message arrives once the window has ended: \(output)")
        let message = try XCTUnwrap(messages.first, "no flush message within 90 s")
        let body = try jsonObject(try XCTUnwrap(message["Body"] as? String))
        XCTAssertEqual(body["catalogWatchDigest"] as? String, key, "the flush names the window's ledger item")
        return [
            "messageId": message["MessageId"] as? String ?? "", "receiptHandle": message["ReceiptHandle"] as? String ?? "",
            "body": message["Body"] as? String ?? "", "attributes": message["Attributes"] as? [String: Any] ?? [:],
            "messageAttributes": [String: Any](), "md5OfBody": message["MD5OfBody"] as? String ?? "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:\(Member.region):\(MotoServer.defaultAccount):\(prefix)-digest", "awsRegion": Member.region,
        ]
    }

    /// Hands the flush to the filter twice (SQS delivers at least once); both must answer without failures.
    func runFlush(_ record: [String: Any], _ environment: [String: String]) throws -> FilterRun {
        let run = try runFilter(events: [Events.sqsEvent([record]), Events.sqsEvent([record])], environment: environment)
        XCTAssertNil(run.initError, run.reportText)
        XCTAssertEqual(run.responses, [Self.ok, Self.ok], "nothing for SQS to bring back: \(run.reportText)")
        XCTAssertEqual(logMessages(run).filter { $0 == "digest sent already" }.count, 1, "the repeated flush sends nothing")
        let item = try XCTUnwrap(try ledgerItems().first { ($0["failure"] as? String)?.hasPrefix("digest|") == true })
        XCTAssertNotNil(item["digestSentAt"] as? Int, "the window is marked sent")
        return run
    }

    // MARK: Reading the results

    func logMessages(_ run: FilterRun) -> [String] {
        run.logLines.compactMap { (try? jsonObject(String($0)))?["message"] as? String }
    }

    /// The ledger's items: strings and numbers as they are, lists as their length.
    func ledgerItems() throws -> [[String: Any]] {
        let output = try moto.boto3("""
            ddb = client('dynamodb', '\(Member.region)'); out = []
            plain = lambda v: v['S'] if 'S' in v else int(v['N']) if 'N' in v else len(v['L']) if 'L' in v else None
            for page in ddb.get_paginator('scan').paginate(TableName='\(table)'):
                out += [{k: plain(v) for k, v in item.items()} for item in page['Items']]
            print(json.dumps(out))
            """)
        return try XCTUnwrap(try parseJSON(output) as? [[String: Any]])
    }

    /// Messages on the digest queue, visible, delayed or in flight.
    func digestQueueMessageCount() throws -> Int {
        let output = try moto.boto3("""
            a = client('sqs', '\(Member.region)').get_queue_attributes(QueueUrl='\(digestQueueURL)', AttributeNames=['All'])['Attributes']
            print(sum(int(a[k]) for k in ('ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessagesNotVisible')))
            """)
        return try XCTUnwrap(Int(output.trimmingCharacters(in: .whitespacesAndNewlines)), output)
    }

    /// What reached an inbox since it was last read (drained).
    func received(_ queueURL: String) throws -> [Delivered] {
        try moto.drain(queueURL: queueURL, region: Member.region).map { envelope in
            var attributes: [String: String] = [:]
            for (name, value) in envelope["MessageAttributes"] as? [String: [String: Any]] ?? [:] { attributes[name] = value["Value"] as? String }
            return Delivered(body: try jsonObject(envelope["Message"] as? String ?? ""), attributes: attributes)
        }
    }

    /// Every inbox got the first `threshold` failures, one alert each with its own attributes; the alerts by route.
    func assertThresholdAlerts() throws -> [String: [Delivered]] {
        var byRoute: [String: [Delivered]] = [:]
        for (route, queueURL) in inboxes {
            let alerts = try received(queueURL)
            XCTAssertEqual(alerts.map(\.type), Array(repeating: "CatalogWatchAlert", count: Self.threshold), "route \(route)")
            XCTAssertEqual(Set(alerts.compactMap { $0.body["eventId"] as? String }), ["storm-0", "storm-1", "storm-2"], "route \(route)")
            for alert in alerts {
                let failure = failures.first { $0.stackName == alert.stackName }
                XCTAssertEqual(alert.attributes, failure?.attributes, "route \(route): \(alert.stackName ?? "?")")
                XCTAssertEqual(alert.body["productId"] as? String, Self.productId, "enriched from the member account")
                XCTAssertEqual(alert.body["provisioningArtifactId"] as? String, Self.artifactId)
            }
            byRoute[route] = alerts
        }
        return byRoute
    }

    /// Values and how often they occur.
    func tally(_ values: [String]) -> [String: Int] { values.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

    /// A digest's `byAccount`/`byRegion`/`byReason` list (`[{value, count}]`) as a dictionary.
    func countList(_ value: Any?) -> [String: Int] {
        var out: [String: Int] = [:]
        for entry in value as? [[String: Any]] ?? [] {
            if let name = entry["value"] as? String { out[name] = entry["count"] as? Int }
        }
        return out
    }

    /// Each of `stackNames` is a failure of the storm, and every failure is there exactly once.
    func assertEveryFailureOnce(_ stackNames: [String?], _ label: String, line: UInt = #line) {
        XCTAssertEqual(stackNames.map { $0 ?? "?" }.sorted(), failures.map(\.stackName).sorted(), label, line: line)
    }

    // MARK: Tests

    func testAStormIsTheThresholdAlertsThenOneDigestOnEveryRoute() async throws {
        let stack = try prepareAlertStack()
        let environment = try lambdaEnvironment(stack)
        let key = try await runStorm(environment)
        let singles = try assertThresholdAlerts()

        let flush = try runFlush(try receiveFlush(key: key), environment)
        XCTAssertEqual(logMessages(flush).filter { $0 == "digest published" }.count, 1, "one digest for the group, which SNS hands to every route")

        let held = Array(failures.dropFirst(Self.threshold))
        let first = try XCTUnwrap(failures.first)
        for (route, queueURL) in inboxes {
            let delivered = try received(queueURL)
            XCTAssertEqual(delivered.map(\.type), ["CatalogWatchDigest"], "route \(route): one digest, and nothing for the repeated flush")
            guard let digest = delivered.first else { continue }
            XCTAssertEqual(digest.body["count"] as? Int, Self.heldCount, "route \(route)")
            XCTAssertEqual(digest.body["unlisted"] as? Int, 0, "route \(route): every held failure listed")
            XCTAssertEqual(digest.body["alertedOneByOne"] as? Int, Self.threshold)
            XCTAssertEqual(digest.body["productId"] as? String, Self.productId)
            XCTAssertEqual(digest.body["provisioningArtifactName"] as? String, Self.artifactName)
            XCTAssertEqual(digest.attributes, first.attributes, "route \(route): the group's first alert's attributes, so the same routes")
            let listed = digest.body["failures"] as? [[String: Any]] ?? []
            XCTAssertEqual(Set(listed.compactMap { $0["stackName"] as? String }), Set(held.map(\.stackName)), "route \(route): the held failures")
            assertEveryFailureOnce(singles[route, default: []].map(\.stackName) + listed.map { $0["stackName"] as? String },
                                   "route \(route): every failure exactly once, in an alert or in the digest")

            let byAccount = countList(digest.body["byAccount"]), byRegion = countList(digest.body["byRegion"])
            XCTAssertEqual(byAccount.count, Self.accounts.count, "route \(route): 25 accounts")
            XCTAssertEqual(byAccount, tally(held.map(\.account)), "route \(route)")
            XCTAssertEqual(byRegion.count, Self.regions.count, "route \(route): 2 regions")
            XCTAssertEqual(byRegion, tally(held.map(\.region)), "route \(route)")
            XCTAssertEqual(countList(digest.body["byReason"]), tally(held.map(\.reason)), "route \(route)")
        }
    }

    func testWhenTheDigestPublishFailsOnceEveryHeldFailureStillReachesEveryRoute() async throws {
        let stack = try prepareAlertStack()
        let proxy = try ScriptServer(script: "scripts/aws_fault_proxy.py", arguments: ["--upstream", moto.endpoint, "--timeout", "900"],
                                     python: try Tools.requirePythonAWS())
        defer { proxy.stop() }
        try await proxy.postJSON("/__credentials", [["accessKeyId": Self.functionKeyId, "secretAccessKey": Self.functionSecret]])
        try await proxy.postJSON("/__faults", [[
            "service": "sns", "action": "Publish", "match": ["Subject": ["prefix": Self.digestSubjectPrefix]],
            "responses": [["status": 403, "code": "AuthorizationError", "message": "scripted: not authorized to publish the digest"] as [String: Any]],
        ] as [String: Any]])
        let environment = try lambdaEnvironment(stack, snsEndpoint: proxy.url)
        let key = try await runStorm(environment)
        let singles = try assertThresholdAlerts()

        let flush = try runFlush(try receiveFlush(key: key), environment)
        let messages = logMessages(flush)
        XCTAssertEqual(messages.filter { $0 == "digest not delivered; its failures go out one by one" }.count, 1)
        XCTAssertEqual(messages.filter { $0 == "digest's failures published one by one" }.count, 1)

        let held = Array(failures.dropFirst(Self.threshold))
        for (route, queueURL) in inboxes {
            let delivered = try received(queueURL)
            XCTAssertEqual(delivered.map(\.type), Array(repeating: "CatalogWatchAlert", count: Self.heldCount), "route \(route): no digest, 47 alerts")
            XCTAssertEqual(Set(delivered.compactMap(\.stackName)), Set(held.map(\.stackName)), "route \(route): the held failures")
            for alert in delivered {
                let failure = failures.first { $0.stackName == alert.stackName }
                XCTAssertEqual(alert.attributes, failure?.attributes, "route \(route): \(alert.stackName ?? "?") carries its own account and region")
                XCTAssertEqual(alert.body["productId"] as? String, Self.productId, "the group's product")
            }
            assertEveryFailureOnce(singles[route, default: []].map(\.stackName) + delivered.map(\.stackName),
                                   "route \(route): every failure exactly once, nothing lost")
        }

        // The proxy saw every publish: valid, and exactly one refused, the digest's.
        let publishes = try await proxy.requests().filter { $0["service"] as? String == "sns" && $0["action"] as? String == "Publish" }
        XCTAssertEqual(publishes.count, Self.threshold + 1 + Self.heldCount, "3 alerts, the refused digest, 47 alerts")
        let refused = publishes.filter { $0["faulted"] as? Bool == true }
        XCTAssertEqual(refused.count, 1)
        XCTAssertEqual(((refused.first?["params"] as? [String: Any])?["Subject"] as? String)?.hasPrefix(Self.digestSubjectPrefix), true)
        XCTAssertTrue(publishes.allSatisfy { $0["signatureValid"] as? Bool == true }, "every publish signed with the function's keys")
        XCTAssertTrue(publishes.allSatisfy { ($0["modelErrors"] as? [Any])?.isEmpty == true }, "every publish valid for SNS's model")
    }
}
