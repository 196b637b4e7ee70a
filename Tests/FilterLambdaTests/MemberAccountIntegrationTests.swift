import XCTest
import Foundation
import AWSClient
import FilterCore
import URLSessionTransport
import TestSupport
@testable import FilterLambda

/// Publishes to the first or the second sink by EventId (one batch, some alerts undeliverable).
struct RoutingSink: AlertSink {
    let deliverable: SNSAlertSink
    let undeliverable: SNSAlertSink
    let undeliverableEventIds: Set<String>

    func publish(_ alert: Alert, deadline: ContinuousClock.Instant) async throws -> String {
        let sink = undeliverableEventIds.contains(alert.eventId ?? "") ? undeliverable : deliverable
        return try await sink.publish(alert, deadline: deadline)
    }
}

/// Signs like the real client, then changes the request before sending it (a forged request).
struct TamperingTransport: HTTPTransport {
    let base = URLSessionTransport()
    let tamper: @Sendable (inout HTTPRequest) -> Void

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        var copy = request
        tamper(&copy)
        return try await base.send(copy, timeout: timeout)
    }
}

/// The filter's AWS side against a real moto_server (STS, SNS→SQS, CloudFormation) and the Service
/// Catalog fixture (which verifies every signature): enrichment from the member account, faults, delivery.
final class MemberAccountIntegrationTests: XCTestCase {
    static let moto = ClassMoto()

    var fixture: CatalogFixture?
    var moto: MotoServer!
    var stackId: String!
    var topicArn: String!
    var queueURL: String!

    let suffix = "abcdefghijklm"
    var stackName: String { Member.stackName(suffix) }
    let functionCredentials = Credentials(accessKeyId: "AKIDFUNCTIONEXAMPLE", secretAccessKey: "function/secret+key")

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        stackId = try await Self.moto.memberStack(stackName)
        (topicArn, queueURL) = try moto.topicWithQueue(name: "alerts-\(UUID().uuidString.prefix(8).lowercased())")
    }

    override func tearDown() async throws {
        fixture?.stop()
        fixture = nil
    }

    // MARK: Helpers

    func startFixture(_ data: [String: Any] = Member.fixture(), faults: [[String: Any]] = [], viaMoto: Bool = true) throws -> CatalogFixture {
        var data = data
        data["faults"] = faults
        let f = try CatalogFixture(fixture: data, moto: viaMoto ? moto : nil)
        fixture = f
        return f
    }

    func client(region: String = Member.region, transport: any HTTPTransport = URLSessionTransport(), credentials: Credentials? = nil) throws -> AWSClient {
        let f = try XCTUnwrap(fixture)
        return AWSClient(
            transport: transport, credentials: credentials ?? functionCredentials,
            endpoints: EndpointResolver(environment: ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_ENDPOINT_URL_SERVICE_CATALOG": f.endpoint]),
            region: region, requestTimeout: .seconds(20))
    }

    func enricher() throws -> AWSEnricher {
        AWSEnricher(sts: try client(), memberRoleName: Member.roleName, cache: AssumeRoleCache())
    }

    func handler(topic: String? = nil) -> FilterHandler {
        FilterHandler(
            configuration: FilterConfiguration(alertTopicArn: topic ?? topicArn, memberRoleName: Member.roleName, region: Member.region),
            clockMs: { 1_714_528_985_000 })
    }

    func failureEvent(eventId: String = "evt-\(UUID().uuidString.lowercased())", status: String = "UPDATE_ROLLBACK_COMPLETE") -> [String: Any] {
        Events.snsEvent(Events.cfnMessage(stackId: stackId, stackName: stackName, status: status, eventId: eventId))
    }

    /// Triage and deliver `event` with the real enricher and a sink for `topic` (the test topic by default).
    func deliver(_ event: [String: Any], sink: (any AlertSink)? = nil, log: MemoryLog = MemoryLog()) async throws -> FilterHandler.Outcome {
        let handler = handler()
        let triage = handler.triage(try jsonBytes(event))
        let sink = try sink ?? SNSAlertSink(client: client(), topicArn: topicArn)
        return await handler.deliver(triage, enricher: try enricher(), sink: sink, deadline: .now + .seconds(60),
                                     log: StructuredLogger(sink: log, requestId: "req-it"))
    }

    /// The alerts on the test queue: (subject, structured body, message attributes).
    func publishedAlerts() throws -> [(subject: String, body: [String: Any], text: String, attributes: [String: String])] {
        try moto.drain(queueURL: queueURL).map { envelope in
            let message = envelope["Message"] as? String ?? ""
            var attributes: [String: String] = [:]
            for (name, value) in envelope["MessageAttributes"] as? [String: [String: Any]] ?? [:] {
                XCTAssertEqual(value["Type"] as? String, "String")
                attributes[name] = value["Value"] as? String
            }
            return (envelope["Subject"] as? String ?? "", try jsonObject(message), message, attributes)
        }
    }

    func lookupFailures(_ body: [String: Any]) -> [String] { body["lookupFailures"] as? [String] ?? [] }

    // MARK: Enrichment from the member account

    func testEnrichmentFromTheMemberAccount() async throws {
        let f = try startFixture()
        let rolesBefore = try await moto.assumedRoles().count
        let triage = handler().triage(try jsonBytes(failureEvent()))
        let failure = try XCTUnwrap(triage.batch.alerts.first?.failure)
        let enricher = try enricher()
        let enrichment = await enricher.enrich(failure, deadline: .now + .seconds(30))
        XCTAssertEqual(enrichment.lookupFailures, [])
        XCTAssertEqual(enrichment.provisionedProductName, "orders-db-abc")
        XCTAssertEqual(enrichment.productId, "prod-\(suffix)")
        XCTAssertEqual(enrichment.productName, "Orders database")
        XCTAssertEqual(enrichment.provisioningArtifactName, "v2.1")
        XCTAssertEqual(enrichment.provisioningArtifactDescription, "Adds a read replica")
        XCTAssertEqual(enrichment.recordErrors, ["CFN_STACK_UPDATE_FAILED: Replica: Parameter group not found"])
        XCTAssertNil(enrichment.rootCause, "moto's stacks have stack-level events only: nothing failed")

        // Every Service Catalog call was signed with the member role's credentials, in the stack's region.
        let requests = try await f.requests()
        XCTAssertEqual(Set(requests.compactMap { $0["operation"] as? String }),
                       ["DescribeProvisionedProduct", "DescribeProvisioningArtifact", "DescribeProduct", "DescribeRecord"])
        XCTAssertEqual(requests.count, 4)
        for r in requests {
            XCTAssertEqual(r["signature"] as? String, "valid")
            XCTAssertEqual(r["account"] as? String, Member.account)
            XCTAssertEqual(r["roleArn"] as? String, Member.roleArn)
            XCTAssertEqual(r["region"] as? String, Member.region)
            XCTAssertEqual(r["status"] as? Int, 200)
        }
        let roles = Array(try await moto.assumedRoles().dropFirst(rolesBefore))
        XCTAssertEqual(roles.map { $0["role_arn"] as? String }, [Member.roleArn], "one AssumeRole, cached for all the lookups")
        XCTAssertEqual(roles.map { $0["session_name"] as? String }, ["catalogwatch-filter"])
        XCTAssertEqual(Set(requests.compactMap { $0["accessKeyId"] as? String }), Set(roles.compactMap { $0["access_key_id"] as? String }))
    }

    func testStackEventsOfTheMemberStack() async throws {
        _ = try startFixture()
        let sts = try client()
        let member = sts.with(credentials: AssumedRoleCredentials(sts: sts, cache: AssumeRoleCache(), roleArn: Member.roleArn, sessionName: "catalogwatch-filter"))
        let page = try await member.describeStackEvents(stackName: stackId)
        let events = page.events
        XCTAssertEqual(events.map(\.resourceStatus), ["UPDATE_COMPLETE", "UPDATE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_IN_PROGRESS"], "newest first")
        XCTAssertTrue(events.allSatisfy { $0.stackId == stackId && $0.logicalResourceId == stackName && $0.resourceType == "AWS::CloudFormation::Stack" })
        XCTAssertNil(page.nextToken)
        XCTAssertEqual(RootCause.operationStart(in: events, stackName: stackName), 1, "the latest operation is the update")
        XCTAssertNil(RootCause.find(in: events, stackName: stackName), "stack-level events are never the root cause")
        // The same events with a failed resource of the update and one of the create added, as CloudFormation writes them.
        var withFailures = events
        let template = events[1]
        withFailures.insert(StackEvent(eventId: "Replica-1", stackId: stackId, stackName: stackName, logicalResourceId: "Replica",
                                       resourceType: "AWS::RDS::DBInstance", resourceStatus: "UPDATE_FAILED",
                                       resourceStatusReason: "DBParameterGroup not found", timestamp: template.timestamp), at: 1)
        withFailures.append(StackEvent(eventId: "Old-1", stackId: stackId, stackName: stackName, logicalResourceId: "Old",
                                       resourceType: "AWS::S3::Bucket", resourceStatus: "CREATE_FAILED", timestamp: template.timestamp))
        XCTAssertEqual(RootCause.find(in: withFailures, stackName: stackName)?.logicalResourceId, "Replica")
    }

    func testMissingStackBecomesALookupLine() async throws {
        _ = try startFixture()
        let other = "bbbbbbbbbbbbb"
        let event = Events.snsEvent(Events.cfnMessage(stackId: Member.fakeStackId(other), stackName: Member.stackName(other),
                                                      status: "DELETE_FAILED", eventId: "evt-missing"))
        let outcome = try await deliver(event)
        XCTAssertNil(outcome.failure)
        let alert = try XCTUnwrap(try publishedAlerts().first)
        XCTAssertEqual(lookupFailures(alert.body).count, 2)
        XCTAssertTrue(lookupFailures(alert.body).contains { $0.hasPrefix("stack events of \(Member.stackName(other)): ValidationError (") && $0.contains("does not exist") },
                      "\(lookupFailures(alert.body))")
        XCTAssertTrue(lookupFailures(alert.body).contains { $0.hasPrefix("provisioned product pp-\(other): ResourceNotFoundException") })
    }

    // MARK: Delivery through SNS to the subscribed queue

    func testPublishedAlertReachesTheSubscribedQueue() async throws {
        _ = try startFixture()
        let outcome = try await deliver(failureEvent(eventId: "evt-publish-1"))
        XCTAssertEqual(try jsonObject(try XCTUnwrap(outcome.response)) as NSDictionary, ["alerts": 1, "ignored": 0] as NSDictionary)
        let sent = try XCTUnwrap(outcome.alerts.first)
        let alerts = try publishedAlerts()
        XCTAssertEqual(alerts.count, 1)
        let alert = try XCTUnwrap(alerts.first)
        XCTAssertEqual(alert.subject, sent.subject)
        XCTAssertEqual(alert.subject, "CatalogWatch: UPDATE_ROLLBACK_COMPLETE orders-db-abc in 111122223333/ap-northeast-1")
        XCTAssertEqual(alert.text, sent.structured, "SQS subscribers get the `sqs` body of the MessageStructure=json message")
        XCTAssertEqual(alert.body["type"] as? String, "CatalogWatchAlert")
        XCTAssertEqual(alert.body["eventId"] as? String, "evt-publish-1")
        XCTAssertEqual(alert.body["stackId"] as? String, stackId)
        XCTAssertEqual(alert.body["productName"] as? String, "Orders database")
        XCTAssertEqual(alert.body["provisioningArtifactName"] as? String, "v2.1")
        XCTAssertEqual(alert.body["recordErrors"] as? [String], ["CFN_STACK_UPDATE_FAILED: Replica: Parameter group not found"])
        XCTAssertEqual(lookupFailures(alert.body), [])
        XCTAssertEqual(alert.attributes, ["account": Member.account, "region": Member.region, "status": "UPDATE_ROLLBACK_COMPLETE", "product": "Orders database"])
    }

    func testTopicInAnotherRegionThanTheClient() async throws {
        _ = try startFixture()
        // SNS finds a topic only through its own region's endpoint: the sink follows the topic ARN.
        let sink = SNSAlertSink(client: try client(region: "us-east-1"), topicArn: topicArn)
        let failure = try XCTUnwrap(handler().triage(try jsonBytes(failureEvent())).batch.alerts.first?.failure)
        _ = try await sink.publish(AlertComposer.compose(failure), deadline: .now + .seconds(20))
        XCTAssertEqual(try publishedAlerts().count, 1)
    }

    // MARK: Service Catalog faults

    func testThrottlingIsRetried() async throws {
        let f = try startFixture(faults: [[
            "operation": "DescribeProduct", "id": "prod-\(suffix)",
            "responses": [["status": 400, "code": "ThrottlingException", "message": "Rate exceeded"],
                          ["status": 400, "code": "ThrottlingException", "message": "Rate exceeded"]],
        ]])
        _ = try await deliver(failureEvent())
        let calls = try await f.requests("DescribeProduct")
        XCTAssertEqual(calls.map { $0["status"] as? Int }, [400, 400, 200])
        XCTAssertEqual(calls.map { $0["code"] as? String }, ["ThrottlingException", "ThrottlingException", nil])
        let alert = try XCTUnwrap(try publishedAlerts().first)
        XCTAssertEqual(alert.body["productName"] as? String, "Orders database")
        XCTAssertEqual(lookupFailures(alert.body), [])
    }

    func testServerErrorIsRetried() async throws {
        let f = try startFixture(faults: [[
            "operation": "DescribeRecord", "responses": [["status": 500, "code": "InternalFailure", "message": "We encountered an internal error"]],
        ]])
        _ = try await deliver(failureEvent())
        let calls = try await f.requests("DescribeRecord")
        XCTAssertEqual(calls.map { $0["status"] as? Int }, [500, 200])
        let alert = try XCTUnwrap(try publishedAlerts().first)
        XCTAssertEqual(alert.body["recordErrors"] as? [String], ["CFN_STACK_UPDATE_FAILED: Replica: Parameter group not found"])
        XCTAssertEqual(lookupFailures(alert.body), [])
    }

    func testPersistentThrottlingGivesUpWithALine() async throws {
        let f = try startFixture(faults: [[
            "operation": "DescribeProvisioningArtifact",
            "responses": [["status": 400, "code": "ThrottlingException", "message": "Rate exceeded", "repeat": true]],
        ]])
        _ = try await deliver(failureEvent())
        let calls = try await f.requests("DescribeProvisioningArtifact")
        XCTAssertEqual(calls.count, RetryPolicy().maxAttempts)
        let alert = try XCTUnwrap(try publishedAlerts().first)
        XCTAssertEqual(lookupFailures(alert.body), ["product version pa-\(suffix): ThrottlingException (Rate exceeded)"])
        XCTAssertEqual(alert.body["productName"] as? String, "Orders database", "the other lookups still count")
    }

    func testAccessDeniedIsNotRetriedAndNamedInTheAlert() async throws {
        let message = "User: arn:aws:sts::111122223333:assumed-role/CatalogWatchMember/catalogwatch-filter is not authorized to perform: servicecatalog:DescribeRecord"
        let f = try startFixture(faults: [[
            "operation": "DescribeRecord", "id": "rec-\(suffix)", "responses": [["status": 400, "code": "AccessDeniedException", "message": message, "repeat": true]],
        ]])
        let log = MemoryLog()
        let outcome = try await deliver(failureEvent(), log: log)
        XCTAssertNil(outcome.failure)
        let calls = try await f.requests("DescribeRecord")
        XCTAssertEqual(calls.count, 1)
        let alerts = try publishedAlerts()
        XCTAssertEqual(alerts.count, 1)
        let alert = try XCTUnwrap(alerts.first)
        let line = "record rec-\(suffix): AccessDeniedException (\(message))"
        XCTAssertEqual(lookupFailures(alert.body), [line])
        XCTAssertEqual(alert.body["recordErrors"] as? [String], [])
        XCTAssertEqual(alert.body["productName"] as? String, "Orders database")
        let text = try XCTUnwrap(outcome.alerts.first?.text)
        XCTAssertTrue(text.contains("\nCould not look up \(line)\n"), text)
        XCTAssertTrue(log.objects.contains { $0["message"] as? String == "lookup failed; alert sent without it" && $0["detail"] as? String == line })
    }

    func testUnknownProvisionedProductStopsTheProductLookups() async throws {
        let f = try startFixture(faults: [[
            "operation": "DescribeProvisionedProduct", "responses": [["status": 400, "code": "ResourceNotFoundException", "message": "Provisioned product not found", "repeat": true]],
        ]])
        _ = try await deliver(failureEvent(status: "DELETE_FAILED"))
        let requests = try await f.requests()
        XCTAssertEqual(requests.compactMap { $0["operation"] as? String }, ["DescribeProvisionedProduct"], "nothing else to look up without its details")
        let alert = try XCTUnwrap(try publishedAlerts().first)
        XCTAssertEqual(lookupFailures(alert.body), ["provisioned product pp-\(suffix): ResourceNotFoundException (Provisioned product not found)"])
        XCTAssertEqual(alert.subject, "CatalogWatch: DELETE_FAILED \(stackName) in 111122223333/ap-northeast-1")
        XCTAssertEqual(alert.attributes["product"], stackName)
        XCTAssertEqual(alert.body["stackId"] as? String, stackId)
    }

    func testUnverifiableSignatureIsRejectedAndReported() async throws {
        // Without moto's keys the fixture cannot check the member credentials' signatures: 403 for each call.
        let f = try startFixture(viaMoto: false)
        _ = try await deliver(failureEvent())
        let requests = try await f.requests()
        XCTAssertEqual(requests.count, 1)
        XCTAssertEqual(requests.first?["status"] as? Int, 403)
        XCTAssertEqual(requests.first?["code"] as? String, "InvalidSignatureException")
        XCTAssertTrue((requests.first?["signature"] as? String)?.hasPrefix("invalid: unknown access key id ASIA") == true)
        let alert = try XCTUnwrap(try publishedAlerts().first)
        XCTAssertEqual(lookupFailures(alert.body).count, 1)
        XCTAssertTrue(lookupFailures(alert.body)[0].hasPrefix("provisioned product pp-\(suffix): InvalidSignatureException (unknown access key id"))
    }

    func testFixtureRejectsAForgedRequest() async throws {
        var data = Member.fixture()
        data["credentials"] = [["accessKeyId": "AKIDFIXTURE", "secretAccessKey": "fixture/secret", "account": Member.account]]
        let f = try startFixture(data, viaMoto: false)
        let credentials = Credentials(accessKeyId: "AKIDFIXTURE", secretAccessKey: "fixture/secret")
        let honest = try client(credentials: credentials)
        let record = try await honest.describeRecord(id: "rec-\(suffix)")
        XCTAssertEqual(record.status, "FAILED")
        let forged = try client(transport: TamperingTransport { request in
            request.body = Array(String(decoding: request.body, as: UTF8.self).replacingOccurrences(of: "rec-", with: "rex-").utf8)
        }, credentials: credentials)
        do {
            _ = try await forged.describeRecord(id: "rec-\(suffix)")
            XCTFail("a request changed after signing was accepted")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "InvalidSignatureException")
            XCTAssertEqual(error.httpStatus, 403)
        }
        let wrongKey = try client(credentials: Credentials(accessKeyId: "AKIDFIXTURE", secretAccessKey: "not/the/secret"))
        do {
            _ = try await wrongKey.describeRecord(id: "rec-\(suffix)")
            XCTFail("a request signed with the wrong secret was accepted")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "InvalidSignatureException")
        }
        let requests = try await f.requests()
        XCTAssertEqual(requests.map { $0["signature"] as? String == "valid" }, [true, false, false])
    }

    // MARK: Undelivered alerts

    func testUndeliveredSNSAlertFailsTheInvocation() async throws {
        _ = try startFixture()
        let missingTopic = "arn:aws:sns:ap-northeast-1:\(MotoServer.defaultAccount):does-not-exist"
        let outcome = try await deliver(failureEvent(), sink: SNSAlertSink(client: try client(), topicArn: missingTopic))
        XCTAssertNil(outcome.response)
        let failure = try XCTUnwrap(outcome.failure)
        XCTAssertEqual(failure.type, "AlertNotDelivered")
        XCTAssertTrue(failure.message.contains("\(stackName): NotFound"), failure.message)
        XCTAssertEqual(try publishedAlerts().count, 0)
    }

    func testSQSBatchReportsExactlyTheUndeliveredRecords() async throws {
        _ = try startFixture(Member.fixture(provisionedProducts: [suffix, "bbbbbbbbbbbbb", "ccccccccccccc"]))
        let missingTopic = "arn:aws:sns:ap-northeast-1:\(MotoServer.defaultAccount):does-not-exist"
        func failure(_ s: String, _ eventId: String) -> String {
            Events.cfnMessage(stackId: s == suffix ? stackId : Member.fakeStackId(s), stackName: Member.stackName(s), status: "UPDATE_ROLLBACK_FAILED", eventId: eventId)
        }
        let event = Events.sqsEvent([
            Events.sqsRecord(messageId: "m-1", message: failure(suffix, "evt-a")),
            Events.sqsRecord(messageId: "m-2", message: failure("bbbbbbbbbbbbb", "evt-b")),
            Events.sqsRecord(messageId: "m-3", message: Events.routineMessage(stackId: stackId, stackName: stackName)),
            Events.sqsRecord(messageId: "m-4", rawBody: "not a notification"),
            Events.sqsRecord(messageId: "m-5", message: failure("ccccccccccccc", "evt-c")),
            Events.sqsRecord(messageId: "m-6", message: failure("bbbbbbbbbbbbb", "evt-b")),
        ])
        let sink = RoutingSink(deliverable: SNSAlertSink(client: try client(), topicArn: topicArn),
                               undeliverable: SNSAlertSink(client: try client(), topicArn: missingTopic), undeliverableEventIds: ["evt-b"])
        let outcome = try await deliver(event, sink: sink)
        let response = try jsonObject(try XCTUnwrap(outcome.response))
        XCTAssertEqual((response["batchItemFailures"] as? [[String: String]])?.map { $0["itemIdentifier"] }, ["m-2"])
        XCTAssertEqual(Set(try publishedAlerts().compactMap { $0.body["eventId"] as? String }), ["evt-a", "evt-c"])

        // Every alert undeliverable: exactly the failure records come back, not the routine or garbage ones.
        let allLost = RoutingSink(deliverable: sink.deliverable, undeliverable: sink.undeliverable, undeliverableEventIds: ["evt-a", "evt-b", "evt-c"])
        let lost = try await deliver(event, sink: allLost)
        XCTAssertEqual(lost.failedItems, ["m-1", "m-2", "m-5"])
        XCTAssertEqual(try publishedAlerts().count, 0)
    }
}
