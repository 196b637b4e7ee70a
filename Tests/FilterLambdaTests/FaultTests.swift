import XCTest
import Foundation
import AWSClient
import FilterCore
import FilterLambda
import TestSupport
import URLSessionTransport

/// A scripted AWS endpoint on 127.0.0.1 that stops by itself: each request is answered by the first rule
/// naming its operation (`X-Amz-Target` suffix or query `Action`; "*" for any), after the rule's delay,
/// with its status, content type and body as is (so truncated and malformed bodies too). No signature check.
final class FakeAWSEndpoint: @unchecked Sendable {
    let server: ScriptServer
    var endpoint: String { server.url }

    static let script = #"""
        import json, signal, sys, threading, time, urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        rules, lifetime = json.loads(sys.argv[1]), float(sys.argv[2])
        seen, lock = [], threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def answer(self, status, body, content_type):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up waiting
            def do_GET(self):
                with lock:
                    body = json.dumps(seen).encode()
                self.answer(200 if self.path == "/__requests" else 404, body, "application/json")
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = self.headers.get("X-Amz-Target") or ""
                if target:
                    operation = target.rpartition(".")[2]
                else:
                    operation = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
                with lock:
                    seen.append({"operation": operation, "time": time.time()})
                rule = next((r for r in rules if r.get("operation", "*") in ("*", operation)), None)
                if rule is None:
                    return self.answer(500, b"no rule", "text/plain")
                time.sleep(rule.get("delay", 0))
                self.answer(rule.get("status", 200), rule.get("body", "").encode(), rule.get("contentType", "text/xml"))

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print(server.server_address[1], flush=True)
        stopper = threading.Timer(lifetime, server.shutdown)
        stopper.daemon = True
        stopper.start()
        server.serve_forever()
        """#

    init(rules: [[String: Any]], lifetimeSeconds: Int = 180) throws {
        server = try ScriptServer(name: "the fake endpoint", python: try Tools.requirePythonAWS(),
                                  arguments: ["-c", Self.script, try jsonText(rules), String(lifetimeSeconds)])
    }

    func stop() { server.stop() }

    /// The operations requested so far, in order.
    func operations() async throws -> [String] {
        try await server.requests().compactMap { $0["operation"] as? String }
    }
}

/// The filter beyond the happy path: slow, refused, truncated and malformed answers, expired member
/// credentials and a rejected publish. Each ends in a degraded alert, a failed invocation or reported
/// batch items, never a crash.
final class FaultTests: XCTestCase {
    static let moto = ClassMoto()

    var moto: MotoServer!
    var stackId: String!
    var topicArn: String!
    var queueURL: String!
    var fixture: CatalogFixture?
    var fakes: [FakeAWSEndpoint] = []

    let suffix = "faultsnopqrst"
    var stackName: String { Member.stackName(suffix) }
    var provisionedProduct: String { "pp-\(suffix)" }
    let functionCredentials = Credentials(accessKeyId: "AKIDFAULTFUNCTION", secretAccessKey: "fault/function+secret")

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        stackId = try await Self.moto.memberStack(stackName)
        (topicArn, queueURL) = try moto.topicWithQueue(name: "faults-\(UUID().uuidString.prefix(8).lowercased())")
    }

    override func tearDown() async throws {
        fixture?.stop()
        fixture = nil
        for fake in fakes { fake.stop() }
        fakes = []
    }

    // MARK: Helpers

    func fake(_ rules: [[String: Any]]) throws -> FakeAWSEndpoint {
        let f = try FakeAWSEndpoint(rules: rules)
        fakes.append(f)
        return f
    }

    func startFixture(faults: [[String: Any]] = []) throws -> CatalogFixture {
        var data = Member.fixture(provisionedProducts: [suffix])
        data["faults"] = faults
        let f = try CatalogFixture(fixture: data, moto: moto)
        fixture = f
        return f
    }

    /// A port nothing listens on (bound, then released).
    func closedPortEndpoint() throws -> String { "http://127.0.0.1:\(try Tools.freePort())" }

    /// moto for everything but the services given.
    func endpointEnvironment(serviceCatalog: String, sts: String? = nil, sns: String? = nil) -> [String: String] {
        var env = ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_ENDPOINT_URL_SERVICE_CATALOG": serviceCatalog]
        env["AWS_ENDPOINT_URL_STS"] = sts
        env["AWS_ENDPOINT_URL_SNS"] = sns
        return env
    }

    func failureMessage(_ eventId: String) -> String {
        Events.cfnMessage(stackId: stackId, stackName: stackName, status: "UPDATE_ROLLBACK_FAILED", eventId: eventId)
    }

    /// Triage and deliver `event` in-process: AWSEnricher and SNSAlertSink over URLSessionTransport.
    func deliver(
        _ event: [String: Any], endpoints: [String: String], budget: Duration = .seconds(60)
    ) async throws -> (outcome: FilterHandler.Outcome, log: MemoryLog, elapsed: Duration) {
        let handler = FilterHandler(
            configuration: FilterConfiguration(alertTopicArn: topicArn, memberRoleName: Member.roleName, region: Member.region),
            clockMs: { 1_714_528_985_000 })
        let triage = handler.triage(try jsonBytes(event))
        XCTAssertFalse(triage.isQuiet)
        let client = AWSClient(transport: URLSessionTransport(), credentials: functionCredentials,
                               endpoints: EndpointResolver(environment: endpoints), region: Member.region)
        let log = MemoryLog()
        let start = ContinuousClock.now
        let outcome = await handler.deliver(
            triage, enricher: AWSEnricher(sts: client, memberRoleName: Member.roleName, cache: AssumeRoleCache()),
            sink: SNSAlertSink(client: client, topicArn: topicArn), deadline: start + budget, log: StructuredLogger(sink: log, requestId: "req-fault"))
        return (outcome, log, ContinuousClock.now - start)
    }

    /// The alerts on the test queue, structured bodies.
    func publishedAlerts() throws -> [[String: Any]] {
        try moto.drain(queueURL: queueURL).map { try jsonObject(try XCTUnwrap($0["Message"] as? String)) }
    }

    /// The one alert published, which must be complete but for `lookupFailures`.
    func singleDegradedAlert(file: StaticString = #filePath, line: UInt = #line) throws -> (body: [String: Any], lookupFailures: [String]) {
        let alerts = try publishedAlerts()
        XCTAssertEqual(alerts.count, 1, "exactly one alert published", file: file, line: line)
        let body = try XCTUnwrap(alerts.first, file: file, line: line)
        XCTAssertEqual(body["stackId"] as? String, stackId, file: file, line: line)
        XCTAssertEqual(body["status"] as? String, "UPDATE_ROLLBACK_FAILED", file: file, line: line)
        return (body, body["lookupFailures"] as? [String] ?? [])
    }

    func lambdaEnvironment(endpoints: [String: String]) -> [String: String] {
        Member.lambdaEnvironment(keyId: "ASIAFAULTFUNCTION001", secret: "fault/function-secret", token: "fault-token")
            .merging(["ALERT_TOPIC_ARN": topicArn]) { $1 }.merging(endpoints) { $1 }
    }

    static let slowDelaySeconds = 14.0
    static let invalidParameter = """
        <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code>\
        <Message>Invalid parameter: Subject</Message></Error><RequestId>f1e2d3c4-0000-4000-8000-000000000001</RequestId></ErrorResponse>
        """

    // MARK: (a) A slow endpoint near the invocation deadline

    func testSlowServiceCatalogNearTheDeadline() async throws {
        let slow = try fake([["operation": "*", "delay": Self.slowDelaySeconds, "contentType": "application/x-amz-json-1.1", "body": "{}"]])
        let (outcome, log, elapsed) = try await deliver(
            Events.snsEvent(failureMessage("evt-slow-1")), endpoints: endpointEnvironment(serviceCatalog: slow.endpoint), budget: .seconds(10))
        XCTAssertLessThan(elapsed, .seconds(10), "the invocation finishes before its deadline")
        XCTAssertEqual(try jsonObject(try XCTUnwrap(outcome.response)) as NSDictionary, ["alerts": 1, "ignored": 0] as NSDictionary)
        let alert = try singleDegradedAlert()
        XCTAssertEqual(alert.lookupFailures, ["provisioned product \(provisionedProduct): HTTP request timed out"])
        let slowOperations = try await slow.operations()
        XCTAssertEqual(slowOperations, ["DescribeProvisionedProduct"], "no retry past the lookup deadline")
        XCTAssertTrue(log.messages(level: "WARN").contains("lookup failed; alert sent without it"))
    }

    func testSlowServiceCatalogNearTheDeadlineInTheLambda() async throws {
        let slow = try fake([["operation": "*", "delay": Self.slowDelaySeconds, "contentType": "application/x-amz-json-1.1", "body": "{}"]])
        let event: [String: Any] = ["body": Events.snsEvent(failureMessage("evt-slow-2")), "deadlineInMs": 10000]
        let run = try runFilter(events: [event], environment: lambdaEnvironment(endpoints: endpointEnvironment(serviceCatalog: slow.endpoint)))
        XCTAssertEqual(run.results.map { $0["kind"] as? String }, ["response"], run.reportText)
        let elapsedMs = try XCTUnwrap(run.results.first?["elapsedMs"] as? Double)
        XCTAssertLessThan(elapsedMs, 10000, "answered before the 10 s deadline")
        XCTAssertEqual(try jsonObject(try XCTUnwrap(run.responses.first ?? nil)) as NSDictionary, ["alerts": 1, "ignored": 0] as NSDictionary)
        XCTAssertEqual(run.stderr, "")
        let alert = try singleDegradedAlert()
        XCTAssertEqual(alert.lookupFailures, ["provisioned product \(provisionedProduct): HTTP request timed out"])
        let slowOperations = try await slow.operations()
        XCTAssertEqual(slowOperations, ["DescribeProvisionedProduct"])
    }

    // MARK: (b) Connection refused

    func testConnectionRefusedGivesADegradedAlert() async throws {
        let (outcome, _, _) = try await deliver(Events.snsEvent(failureMessage("evt-refused")), endpoints: endpointEnvironment(serviceCatalog: try closedPortEndpoint()))
        XCTAssertNil(outcome.failure)
        let alert = try singleDegradedAlert()
        XCTAssertEqual(alert.lookupFailures.count, 1, "\(alert.lookupFailures)")
        XCTAssertTrue(alert.lookupFailures.first?.hasPrefix("provisioned product \(provisionedProduct): HTTP connection failed") == true, "\(alert.lookupFailures)")
        XCTAssertNil(alert.body["productName"] as? String)
    }

    // MARK: (c) Truncated and malformed responses

    func testMalformedServiceCatalogResponses() async throws {
        let json = "application/x-amz-json-1.1"
        let html = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        let cases: [(rule: [String: Any], line: String, attempts: Int)] = [
            (["body": #"{"ProvisionedProductDetail": "#, "contentType": json],
             "provisioned product \(provisionedProduct): servicecatalog DescribeProvisionedProduct: malformed response: invalid JSON", 1),
            (["body": html, "contentType": "text/html"],
             "provisioned product \(provisionedProduct): servicecatalog DescribeProvisionedProduct: malformed response: invalid JSON", 1),
            (["status": 502, "body": html, "contentType": "text/html"], "provisioned product \(provisionedProduct): HTTP 502", RetryPolicy().maxAttempts),
        ]
        for (index, c) in cases.enumerated() {
            let endpoint = try fake([c.rule.merging(["operation": "DescribeProvisionedProduct"]) { $1 }])
            let (outcome, _, _) = try await deliver(Events.snsEvent(failureMessage("evt-malformed-\(index)")), endpoints: endpointEnvironment(serviceCatalog: endpoint.endpoint))
            XCTAssertNotNil(outcome.response, "case \(index)")
            let alert = try singleDegradedAlert()
            XCTAssertEqual(alert.lookupFailures, [c.line], "case \(index)")
            let endpointOperations = try await endpoint.operations()
            XCTAssertEqual(endpointOperations, Array(repeating: "DescribeProvisionedProduct", count: c.attempts),
                           "case \(index): malformed 2xx answers are not retried, 5xx are")
        }
    }

    func testMalformedAssumeRoleResponses() async throws {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
        let truncated = """
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>\
            <AccessKeyId>ASIATRUNCATED0000001</AccessKeyId><SecretAccessKey>\(secret)</SecretAccessKey><SessionTo
            """
        let bodies = [truncated, "<html><body>Service Unavailable</body></html>", ""]
        for (index, body) in bodies.enumerated() {
            let sts = try fake([["operation": "AssumeRole", "body": body]])
            let (outcome, _, _) = try await deliver(
                Events.snsEvent(failureMessage("evt-sts-\(index)")), endpoints: endpointEnvironment(serviceCatalog: try closedPortEndpoint(), sts: sts.endpoint))
            XCTAssertNotNil(outcome.response, "case \(index)")
            let alert = try singleDegradedAlert()
            XCTAssertEqual(alert.lookupFailures.count, 1, "case \(index): \(alert.lookupFailures)")
            let line = try XCTUnwrap(alert.lookupFailures.first)
            XCTAssertTrue(line.hasPrefix("role \(Member.roleArn): sts AssumeRole: malformed response: "), "case \(index): \(line)")
            XCTAssertTrue(line.hasSuffix("; product details and root cause not looked up"), "case \(index): \(line)")
            XCTAssertFalse(try jsonText(alert.body).contains(secret), "case \(index): the body is never quoted")
            let stsOperations = try await sts.operations()
            XCTAssertEqual(stsOperations, ["AssumeRole"], "case \(index)")
        }
    }

    // MARK: (d) Expired member credentials

    func testExpiredMemberCredentialsAreRefreshedAndTheCallRetried() async throws {
        let f = try startFixture(faults: [[
            "operation": "DescribeProvisionedProduct",
            "responses": [["status": 400, "code": "ExpiredTokenException", "message": "The security token included in the request is expired"]],
        ]])
        let rolesBefore = try await moto.assumedRoles().count
        let (outcome, log, _) = try await deliver(Events.snsEvent(failureMessage("evt-expired")), endpoints: endpointEnvironment(serviceCatalog: f.endpoint))
        XCTAssertNil(outcome.failure)
        let calls = try await f.requests("DescribeProvisionedProduct")
        XCTAssertEqual(calls.map { $0["status"] as? Int }, [400, 200])
        XCTAssertEqual(calls.map { $0["code"] as? String }, ["ExpiredTokenException", nil])
        let roles = Array(try await moto.assumedRoles().dropFirst(rolesBefore))
        XCTAssertEqual(roles.map { $0["role_arn"] as? String }, [Member.roleArn, Member.roleArn], "the cached role credentials were dropped and the role assumed again")
        let keys = roles.compactMap { $0["access_key_id"] as? String }
        XCTAssertEqual(calls.compactMap { $0["accessKeyId"] as? String }, keys, "the retry is signed with the fresh credentials")
        let later = try await f.requests().filter { $0["operation"] as? String != "DescribeProvisionedProduct" }
        XCTAssertEqual(later.count, 3)
        XCTAssertTrue(later.allSatisfy { $0["accessKeyId"] as? String == keys.last && $0["status"] as? Int == 200 })
        let alert = try singleDegradedAlert()
        XCTAssertEqual(alert.lookupFailures, [], "the alert is complete")
        XCTAssertEqual(alert.body["productName"] as? String, "Orders database")
        XCTAssertEqual(alert.body["provisioningArtifactName"] as? String, "v2.1")
        XCTAssertFalse(log.messages(level: "WARN").contains("lookup failed; alert sent without it"))
    }

    // MARK: (e) Publish rejected

    func testRejectedPublishFailsOrReportsAndIsNotRetried() async throws {
        let f = try startFixture()
        let sns = try fake([["operation": "Publish", "status": 400, "body": Self.invalidParameter]])
        let endpoints = endpointEnvironment(serviceCatalog: f.endpoint, sns: sns.endpoint)

        let (single, log, _) = try await deliver(Events.snsEvent(failureMessage("evt-rejected-1")), endpoints: endpoints)
        XCTAssertNil(single.response)
        let failure = try XCTUnwrap(single.failure)
        XCTAssertEqual(failure.type, "AlertNotDelivered")
        XCTAssertEqual(failure.message, "1 alert(s) not delivered: \(stackName): InvalidParameter (Invalid parameter: Subject)")
        let snsOperations = try await sns.operations()
        XCTAssertEqual(snsOperations, ["Publish"], "a 4xx is not retried")
        XCTAssertEqual(log.messages(level: "ERROR"), ["alert not delivered"])

        let batch = Events.sqsEvent([
            Events.sqsRecord(messageId: "r-1", message: failureMessage("evt-rejected-2")),
            Events.sqsRecord(messageId: "r-2", message: Events.routineMessage(stackId: stackId, stackName: stackName)),
            Events.sqsRecord(messageId: "r-3", message: failureMessage("evt-rejected-3")),
        ])
        let (reported, _, _) = try await deliver(batch, endpoints: endpoints)
        XCTAssertEqual(reported.failedItems, ["r-1", "r-3"])
        XCTAssertEqual(reported.response, #"{"batchItemFailures":[{"itemIdentifier":"r-1"},{"itemIdentifier":"r-3"}]}"#)
        let snsOperationsAfterBatch = try await sns.operations()
        XCTAssertEqual(snsOperationsAfterBatch, ["Publish", "Publish", "Publish"], "one attempt per alert")
        XCTAssertEqual(try publishedAlerts().count, 0)
    }

    func testRejectedPublishInTheLambda() async throws {
        let f = try startFixture()
        let sns = try fake([["operation": "Publish", "status": 400, "body": Self.invalidParameter]])
        let events: [Any] = [
            Events.snsEvent(failureMessage("evt-rejected-4")),
            Events.sqsEvent([
                Events.sqsRecord(messageId: "l-1", message: failureMessage("evt-rejected-5")),
                Events.sqsRecord(messageId: "l-2", message: Events.routineMessage(stackId: stackId, stackName: stackName)),
                Events.sqsRecord(messageId: "l-3", message: failureMessage("evt-rejected-6")),
            ]),
        ]
        let run = try runFilter(events: events, environment: lambdaEnvironment(endpoints: endpointEnvironment(serviceCatalog: f.endpoint, sns: sns.endpoint)))
        XCTAssertEqual(run.results.map { $0["kind"] as? String }, ["error", "response"], run.reportText)
        XCTAssertEqual(run.results.first?["errorType"] as? String, "AlertNotDelivered")
        let document = try jsonObject(try XCTUnwrap(run.results.first?["body"] as? String))
        XCTAssertEqual(document["errorMessage"] as? String, "1 alert(s) not delivered: \(stackName): InvalidParameter (Invalid parameter: Subject)")
        XCTAssertEqual(run.responses.last ?? nil, #"{"batchItemFailures":[{"itemIdentifier":"l-1"},{"itemIdentifier":"l-3"}]}"#)
        let snsOperations = try await sns.operations()
        XCTAssertEqual(snsOperations, ["Publish", "Publish", "Publish"], "one attempt per alert: a 4xx is not retried")
        XCTAssertEqual(run.stderr, "")
        XCTAssertEqual(try publishedAlerts().count, 0)
    }
}
