import XCTest
import Foundation
import FilterCore
import TestSupport

/// The built `catalogwatch-filter` under the mock Runtime API (scripts/mock_runtime_api.py), with only
/// the environment Lambda sets, talking to moto_server and the Service Catalog fixture.
final class EndToEndTests: XCTestCase {
    static let moto = ClassMoto()

    var moto: MotoServer!
    var fixture: CatalogFixture?
    var stackId: String!
    var topicArn: String!
    var queueURL: String!

    let suffix = "nopqrstuvwxyz"
    var stackName: String { Member.stackName(suffix) }
    /// Distinctive so that any leak is found.
    let functionKeyId = "ASIAE2EFUNCTIONKEY01"
    let functionSecret = "e2e/FunctionSecretKey+must-never-be-logged-0123"
    let functionToken = "IQoJb3JpZ2luX2VjEE2ESessionTokenMustNeverBeLogged/0123456789+abcdef=="

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        let name = "e2e-\(UUID().uuidString.prefix(8).lowercased())"
        (topicArn, queueURL) = try moto.topicWithQueue(name: name)
        stackId = try moto.memberStack(name: stackName)
        fixture = try CatalogFixture(fixture: Member.fixture(provisionedProducts: [suffix]), moto: moto)
    }

    override func tearDown() async throws {
        fixture?.stop()
        fixture = nil
        // A stack name is unique per account and region: drop it so that the next test can create it again.
        if let moto = moto as MotoServer? { _ = try? moto.boto3("member('cloudformation').delete_stack(StackName='\(stackName)')") }
    }

    // MARK: Running the filter

    /// What Lambda sets, plus the function's settings and the endpoint overrides.
    func lambdaEnvironment(topic: String?) throws -> [String: String] {
        var env = Member.lambdaEnvironment(keyId: functionKeyId, secret: functionSecret, token: functionToken).merging([
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ENDPOINT_URL_SERVICE_CATALOG": try XCTUnwrap(fixture).endpoint,
        ]) { $1 }
        env["ALERT_TOPIC_ARN"] = topic
        return env
    }

    typealias Run = FilterRun

    /// The alerts on the test queue (SNS envelopes), with the structured body parsed.
    func publishedAlerts() throws -> [(subject: String, body: [String: Any], attributes: [String: String])] {
        try moto.drain(queueURL: queueURL).map { envelope in
            var attributes: [String: String] = [:]
            for (name, value) in envelope["MessageAttributes"] as? [String: [String: Any]] ?? [:] { attributes[name] = value["Value"] as? String }
            return (envelope["Subject"] as? String ?? "", try jsonObject(envelope["Message"] as? String ?? ""), attributes)
        }
    }

    func assertLogLinesAreJSON(_ run: Run, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(run.logLines.isEmpty, file: file, line: line)
        for text in run.logLines {
            guard let object = try? jsonObject(String(text)) else {
                XCTFail("stdout line is not a JSON object: \(text)", file: file, line: line)
                continue
            }
            XCTAssertTrue(object["level"] != nil || object["_aws"] != nil, "neither a log line nor a metric: \(text)", file: file, line: line)
        }
        XCTAssertEqual(run.stderr, "", "nothing but JSON lines on stdout", file: file, line: line)
    }

    /// No credential of the function or of the member role it assumed appears in `texts`.
    func assertNoSecrets(_ texts: [String], file: StaticString = #filePath, line: UInt = #line) async throws {
        var secrets = [functionSecret, functionToken]
        for role in try await moto.assumedRoles() where role["role_arn"] as? String == Member.roleArn {
            secrets += [role["secret_access_key"] as? String, role["session_token"] as? String].compactMap { $0 }
        }
        XCTAssertGreaterThan(secrets.count, 2, "the member role was assumed", file: file, line: line)
        for text in texts {
            for secret in secrets where text.contains(secret) {
                XCTFail("a secret (\(secret.prefix(4))…) appears in the output: \(text.prefix(300))", file: file, line: line)
            }
        }
    }

    // MARK: Tests

    func testEventsOfEveryKindUnderTheRuntimeAPI() async throws {
        let rolesBefore = try await moto.assumedRoles().count
        func failure(_ eventId: String, _ status: String) -> String {
            Events.cfnMessage(stackId: stackId, stackName: stackName, status: status, eventId: eventId)
        }
        let routine = Events.routineMessage(stackId: stackId, stackName: stackName)
        let events: [Any] = [
            Events.snsEvent(routine),
            "this is not JSON {",
            Events.snsEvent(failure("evt-e2e-1", "UPDATE_ROLLBACK_COMPLETE")),
            Events.sqsEvent([
                Events.sqsRecord(messageId: "q-1", message: failure("evt-e2e-2", "DELETE_FAILED")),
                Events.sqsRecord(messageId: "q-2", message: routine),
                Events.sqsRecord(messageId: "q-3", rawBody: "garbage"),
            ]),
            Events.eventBridge(id: "eb-e2e-3", stackId: stackId, status: "UPDATE_ROLLBACK_FAILED"),
            Events.sqsEvent([
                Events.sqsRecord(messageId: "q-4", message: failure("evt-e2e-4", "UPDATE_ROLLBACK_FAILED")),
                Events.sqsRecord(messageId: "q-5", message: failure("evt-e2e-4", "UPDATE_ROLLBACK_FAILED")),
            ]),
        ]
        let run = try runFilter(events: events, environment: try lambdaEnvironment(topic: topicArn))

        XCTAssertNil(run.initError)
        XCTAssertEqual(run.results.map { $0["kind"] as? String }, Array(repeating: "response", count: 6), run.reportText)
        let responses = try run.responses.map { try jsonObject(try XCTUnwrap($0)) as NSDictionary }
        XCTAssertEqual(responses, [
            ["alerts": 0, "ignored": 1], ["alerts": 0, "ignored": 0], ["alerts": 1, "ignored": 0],
            ["batchItemFailures": [Any]()], ["alerts": 1, "ignored": 0], ["batchItemFailures": [Any]()],
        ] as [NSDictionary])

        // Exactly one alert per distinct failure, enriched from the member account; none for routine events.
        let alerts = try publishedAlerts()
        XCTAssertEqual(alerts.compactMap { $0.body["eventId"] as? String }.sorted(), ["eb-e2e-3", "evt-e2e-1", "evt-e2e-2", "evt-e2e-4"])
        for alert in alerts {
            XCTAssertEqual(alert.body["lookupFailures"] as? [String], [], "\(alert.body)")
            XCTAssertEqual(alert.body["productName"] as? String, "Orders database")
            XCTAssertEqual(alert.body["provisionedProductName"] as? String, "orders-db-nop")
            XCTAssertEqual(alert.body["stackId"] as? String, stackId)
            XCTAssertTrue(alert.subject.hasPrefix("CatalogWatch: "), alert.subject)
            XCTAssertTrue(alert.subject.hasSuffix(" orders-db-nop in 111122223333/ap-northeast-1"), alert.subject)
            XCTAssertEqual(alert.attributes["account"], Member.account)
            XCTAssertEqual(alert.attributes["product"], "Orders database")
            XCTAssertEqual(alert.attributes["status"], alert.body["status"] as? String)
        }
        let seen = try await XCTUnwrap(fixture).requests()
        XCTAssertEqual(seen.count, 16, "four lookups per alert")
        XCTAssertTrue(seen.allSatisfy { $0["signature"] as? String == "valid" && $0["roleArn"] as? String == Member.roleArn && $0["status"] as? Int == 200 })
        let newRoles = Array(try await moto.assumedRoles().dropFirst(rolesBefore))
        XCTAssertEqual(newRoles.map { $0["role_arn"] as? String }, [Member.roleArn], "the member role is assumed once and cached across invocations")

        // Logs: JSON lines only; one "alert published" per alert, the duplicate noted, nothing secret anywhere.
        assertLogLinesAreJSON(run)
        let messages = run.logLines.compactMap { (try? jsonObject(String($0)))?["message"] as? String }
        XCTAssertEqual(messages.filter { $0 == "alert published" }.count, 4)
        XCTAssertEqual(messages.filter { $0 == "duplicate event in batch; alerted once" }.count, 1)
        XCTAssertEqual(messages.filter { $0 == "event not understood; ignored" }.count, 1)
        XCTAssertEqual(run.logLines.filter { $0.contains("\"StackOperations\"") }.count, 4, "one metric per stack-level event, the repeat not counted")
        let alertTexts = try moto.drain(queueURL: queueURL).map { try jsonText($0) }
        XCTAssertEqual(alertTexts, [], "the queue was drained above")
        try await assertNoSecrets([run.stdout, run.stderr, run.reportText] + alerts.map { (try? jsonText($0.body)) ?? "" } + alerts.map(\.subject))
    }

    func testUndeliveredAlertsFailOrComeBack() async throws {
        let missingTopic = "arn:aws:sns:ap-northeast-1:\(MotoServer.defaultAccount):does-not-exist"
        func failure(_ eventId: String) -> String {
            Events.cfnMessage(stackId: stackId, stackName: stackName, status: "UPDATE_ROLLBACK_FAILED", eventId: eventId)
        }
        let events: [Any] = [
            Events.snsEvent(failure("evt-lost-1")),
            Events.sqsEvent([
                Events.sqsRecord(messageId: "q-a", message: failure("evt-lost-2")),
                Events.sqsRecord(messageId: "q-b", message: Events.routineMessage(stackId: stackId, stackName: stackName)),
                Events.sqsRecord(messageId: "q-c", message: failure("evt-lost-3")),
                Events.sqsRecord(messageId: "q-d", rawBody: "garbage"),
            ]),
            Events.eventBridge(id: "eb-lost-4", stackId: stackId, status: "UPDATE_ROLLBACK_FAILED"),
            Events.snsEvent(Events.routineMessage(stackId: stackId, stackName: stackName)),
        ]
        let run = try runFilter(events: events, environment: try lambdaEnvironment(topic: missingTopic))
        XCTAssertEqual(run.results.map { $0["kind"] as? String }, ["error", "response", "error", "response"], run.reportText)
        for index in [0, 2] {
            XCTAssertEqual(run.results[index]["errorType"] as? String, "AlertNotDelivered")
            let document = try jsonObject(try XCTUnwrap(run.results[index]["body"] as? String))
            XCTAssertEqual(document["errorType"] as? String, "AlertNotDelivered")
            let message = try XCTUnwrap(document["errorMessage"] as? String)
            XCTAssertTrue(message.contains("1 alert(s) not delivered: \(stackName): NotFound"), message)
        }
        let batch = try jsonObject(try XCTUnwrap(run.responses[1]))
        XCTAssertEqual((batch["batchItemFailures"] as? [[String: String]])?.map { $0["itemIdentifier"] }, ["q-a", "q-c"])
        XCTAssertEqual(try jsonObject(try XCTUnwrap(run.responses[3])) as NSDictionary, ["alerts": 0, "ignored": 1] as NSDictionary)
        XCTAssertEqual(try publishedAlerts().count, 0)
        assertLogLinesAreJSON(run)
        let errors = run.logLines.compactMap { try? jsonObject(String($0)) }.filter { $0["message"] as? String == "alert not delivered" }
        XCTAssertEqual(errors.compactMap { $0["eventId"] as? String }, ["evt-lost-1", "evt-lost-2", "evt-lost-3", "eb-lost-4"])
        try await assertNoSecrets([run.stdout, run.stderr, run.reportText])
    }

    func testMissingTopicIsAnInitError() async throws {
        let run = try runFilter(events: [Events.snsEvent("x")], environment: try lambdaEnvironment(topic: nil))
        let initError = try XCTUnwrap(run.initError, run.reportText)
        XCTAssertEqual(initError["errorType"] as? String, "Runtime.ConfigurationError")
        let document = try jsonObject(try XCTUnwrap(initError["body"] as? String))
        XCTAssertEqual(document["errorType"] as? String, "Runtime.ConfigurationError")
        XCTAssertTrue((document["errorMessage"] as? String)?.contains("ALERT_TOPIC_ARN is not set") == true, "\(document)")
        XCTAssertEqual(run.results.count, 0)
        XCTAssertEqual(run.exitStatus, 1)
        assertLogLinesAreJSON(run)
        XCTAssertTrue(run.stdout.contains("ALERT_TOPIC_ARN is not set"))
        XCTAssertFalse(run.stdout.contains(functionSecret) || run.stdout.contains(functionToken))
    }

    func testUnusableCABundleIsReportedAtStartUp() async throws {
        // The endpoints here are plain HTTP, so the alert still goes out; HTTPS requests would fail.
        var env = try lambdaEnvironment(topic: topicArn)
        env["AWS_CA_BUNDLE"] = "/nonexistent/catalogwatch-ca.pem"
        let run = try runFilter(
            events: [Events.snsEvent(Events.cfnMessage(stackId: stackId, stackName: stackName, status: "UPDATE_ROLLBACK_COMPLETE", eventId: "evt-ca-1"))],
            environment: env)
        XCTAssertNil(run.initError)
        XCTAssertEqual(run.responses.count, 1)
        XCTAssertEqual(try jsonObject(try XCTUnwrap(run.responses.first ?? nil)) as NSDictionary, ["alerts": 1, "ignored": 0] as NSDictionary)
        assertLogLinesAreJSON(run)
        let first = try jsonObject(String(try XCTUnwrap(run.logLines.first)))
        XCTAssertEqual(first["level"] as? String, "ERROR")
        XCTAssertEqual(first["message"] as? String, "AWS_CA_BUNDLE unusable: HTTPS requests will fail until it is fixed")
        XCTAssertEqual(first["path"] as? String, "/nonexistent/catalogwatch-ca.pem")
        XCTAssertEqual(first["error"] as? String, "cannot open the file: No such file or directory")
    }
}
