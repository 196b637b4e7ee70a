import XCTest
import Foundation
import AWSClient
import FilterCore
import TestSupport
@testable import FilterLambda

/// An enricher that answers from a closure and records what it was asked.
final class FakeEnricher: Enricher, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [(failure: StackFailure, deadline: ContinuousClock.Instant)] = []
    let answer: @Sendable (StackFailure) -> Enrichment

    init(_ answer: @escaping @Sendable (StackFailure) -> Enrichment = { _ in Enrichment() }) {
        self.answer = answer
    }

    var calls: [(failure: StackFailure, deadline: ContinuousClock.Instant)] { lock.withLock { recorded } }

    func enrich(_ failure: StackFailure, deadline: ContinuousClock.Instant) async -> Enrichment {
        lock.withLock { recorded.append((failure, deadline)) }
        return answer(failure)
    }
}

/// A sink that fails for the alerts `fails` picks (as SNS does for a missing topic) and records the rest.
final class FakeSink: AlertSink, @unchecked Sendable {
    private let lock = NSLock()
    private var delivered: [Alert] = []
    private var tried: [Alert] = []
    let fails: @Sendable (Alert) -> Bool

    init(fails: @escaping @Sendable (Alert) -> Bool = { _ in false }) {
        self.fails = fails
    }

    var published: [Alert] { lock.withLock { delivered } }
    var attempts: [Alert] { lock.withLock { tried } }

    func publish(_ alert: Alert, deadline: ContinuousClock.Instant) async throws -> String {
        lock.withLock { tried.append(alert) }
        if fails(alert) {
            throw AWSError(code: "NotFound", message: "Topic does not exist", httpStatus: 404, service: "sns", operation: "Publish")
        }
        return lock.withLock {
            delivered.append(alert)
            return "msg-\(delivered.count)"
        }
    }
}

/// A transport that must not be used.
struct NoNetwork: HTTPTransport {
    let used = NSLockedCounter()
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        used.increment()
        throw HTTPTransportError.failed("no network in unit tests")
    }
}

final class NSLockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

final class FilterHandlerTests: XCTestCase {
    let configuration = FilterConfiguration(
        alertTopicArn: "arn:aws:sns:ap-northeast-1:123456789012:catalogwatch-alerts", memberRoleName: "CatalogWatchMember", region: "ap-northeast-1")

    var handler: FilterHandler { FilterHandler(configuration: configuration, clockMs: { 1_714_528_985_000 }) }
    var deadline: ContinuousClock.Instant { .now + .seconds(30) }

    func stack(_ suffix: String) -> (id: String, name: String) { (Member.fakeStackId(suffix), Member.stackName(suffix)) }

    func failureMessage(_ suffix: String, eventId: String, status: String = "UPDATE_ROLLBACK_COMPLETE") -> String {
        let s = stack(suffix)
        return Events.cfnMessage(stackId: s.id, stackName: s.name, status: status, eventId: eventId)
    }

    func routineMessage(_ suffix: String) -> String {
        let s = stack(suffix)
        return Events.routineMessage(stackId: s.id, stackName: s.name)
    }

    func run(_ event: Any, enricher: FakeEnricher = FakeEnricher(), sink: FakeSink = FakeSink(), log: MemoryLog = MemoryLog()) async throws -> FilterHandler.Outcome {
        let bytes: [UInt8] = if let text = event as? String { Array(text.utf8) } else { try jsonBytes(event) }
        let triage = handler.triage(bytes)
        return await handler.deliver(triage, enricher: enricher, sink: sink, deadline: deadline, log: StructuredLogger(sink: log, requestId: "req-1"))
    }

    func batchItemFailures(_ outcome: FilterHandler.Outcome) throws -> [String] {
        let response = try XCTUnwrap(outcome.response, "an SQS invocation always answers")
        let items = try XCTUnwrap(try jsonObject(response)["batchItemFailures"] as? [[String: Any]])
        return items.compactMap { $0["itemIdentifier"] as? String }
    }

    // MARK: Dedup

    func testRepeatedEventIdInABatchAlertsOnce() async throws {
        let enricher = FakeEnricher(), sink = FakeSink(), log = MemoryLog()
        let event = Events.sqsEvent([
            Events.sqsRecord(messageId: "m1", message: failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")),
            Events.sqsRecord(messageId: "m2", message: failureMessage("bbbbbbbbbbbbb", eventId: "evt-2")),
            Events.sqsRecord(messageId: "m3", message: failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")),
        ])
        let outcome = try await run(event, enricher: enricher, sink: sink, log: log)
        XCTAssertEqual(sink.published.compactMap(\.eventId), ["evt-1", "evt-2"])
        XCTAssertEqual(enricher.calls.map(\.failure.eventId), ["evt-1", "evt-2"], "a repeat is not even looked up")
        XCTAssertEqual(try batchItemFailures(outcome), [])
        XCTAssertEqual(outcome.alerts.count, 2)
        let duplicate = try XCTUnwrap(log.objects.first { $0["message"] as? String == "duplicate event in batch; alerted once" })
        XCTAssertEqual(duplicate["record"] as? Int, 2)
        XCTAssertEqual(duplicate["firstRecord"] as? Int, 0)
    }

    func testSameStackWithDifferentEventIdsAlertsForEach() async throws {
        let sink = FakeSink()
        let event = Events.sqsEvent([
            Events.sqsRecord(messageId: "m1", message: failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")),
            Events.sqsRecord(messageId: "m2", message: failureMessage("aaaaaaaaaaaaa", eventId: "evt-2", status: "DELETE_FAILED")),
        ])
        _ = try await run(event, sink: sink)
        XCTAssertEqual(sink.published.compactMap(\.eventId), ["evt-1", "evt-2"])
    }

    // MARK: SQS batch item failures

    func testOnlyUndeliveredRecordsAreBatchItemFailures() async throws {
        let sink = FakeSink(fails: { ["evt-2", "evt-4"].contains($0.eventId ?? "") })
        let event = Events.sqsEvent([
            Events.sqsRecord(messageId: "m1", message: failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")),
            Events.sqsRecord(messageId: "m2", message: failureMessage("bbbbbbbbbbbbb", eventId: "evt-2")),
            Events.sqsRecord(messageId: "m3", message: routineMessage("aaaaaaaaaaaaa")),
            Events.sqsRecord(messageId: "m4", rawBody: "this is not a CloudFormation notification"),
            Events.sqsRecord(messageId: "m5", message: failureMessage("ccccccccccccc", eventId: "evt-4")),
            Events.sqsRecord(messageId: "m6", message: failureMessage("ddddddddddddd", eventId: "evt-5")),
        ])
        let outcome = try await run(event, sink: sink)
        XCTAssertEqual(try batchItemFailures(outcome), ["m2", "m5"])
        guard case .answered(_, let alerts, let failedItems) = outcome else { return XCTFail("expected an answer: \(outcome)") }
        XCTAssertEqual(failedItems, ["m2", "m5"])
        XCTAssertEqual(alerts.compactMap(\.eventId), ["evt-1", "evt-5"])
        XCTAssertNil(outcome.failure, "SQS reports failures per item, never by failing the invocation")
        XCTAssertEqual(sink.attempts.compactMap(\.eventId), ["evt-1", "evt-2", "evt-4", "evt-5"])
        XCTAssertEqual(sink.published.compactMap(\.eventId), ["evt-1", "evt-5"])
    }

    func testRepeatOfAnUndeliveredRecordIsNotReportedTwice() async throws {
        let sink = FakeSink(fails: { _ in true })
        let event = Events.sqsEvent([
            Events.sqsRecord(messageId: "m1", message: failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")),
            Events.sqsRecord(messageId: "m2", message: failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")),
            Events.sqsRecord(messageId: "m3", message: routineMessage("aaaaaaaaaaaaa")),
        ])
        let outcome = try await run(event, sink: sink)
        // m1 comes back and alerts then; m2 (the same event) is dropped, as is the routine m3.
        XCTAssertEqual(try batchItemFailures(outcome), ["m1"])
        XCTAssertEqual(sink.attempts.count, 1)
    }

    func testQuietBatchAnswersEmptyBatchItemFailuresWithoutAWS() async throws {
        let enricher = FakeEnricher(), sink = FakeSink()
        let event = Events.sqsEvent([
            Events.sqsRecord(messageId: "m1", message: routineMessage("aaaaaaaaaaaaa")),
            Events.sqsRecord(messageId: "m2", rawBody: "garbage"),
        ])
        let triage = handler.triage(try jsonBytes(event))
        XCTAssertTrue(triage.isQuiet)
        let outcome = try await run(event, enricher: enricher, sink: sink)
        XCTAssertEqual(try batchItemFailures(outcome), [])
        XCTAssertTrue(enricher.calls.isEmpty)
        XCTAssertTrue(sink.attempts.isEmpty)
    }

    func testUndeliveredSQSRecordWithoutMessageIdFailsTheInvocation() async throws {
        // Without a messageId the record cannot be named in batchItemFailures: the whole batch must come back.
        var record = Events.sqsRecord(messageId: "m1", message: failureMessage("aaaaaaaaaaaaa", eventId: "evt-1"))
        record.removeValue(forKey: "messageId")
        let event = Events.sqsEvent([Events.sqsRecord(messageId: "m0", message: failureMessage("bbbbbbbbbbbbb", eventId: "evt-0")), record])
        let outcome = try await run(event, sink: FakeSink(fails: { $0.eventId == "evt-1" }))
        XCTAssertNil(outcome.response)
        XCTAssertEqual(outcome.failure?.type, "AlertNotDelivered")
    }

    // MARK: SNS and EventBridge

    func testUndeliveredSNSAlertFailsTheInvocation() async throws {
        let sink = FakeSink(fails: { _ in true })
        let log = MemoryLog()
        let outcome = try await run(Events.snsEvent(failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")), sink: sink, log: log)
        guard case .failed(let type, let message, let alerts) = outcome else { return XCTFail("expected a failed invocation: \(outcome)") }
        XCTAssertEqual(type, "AlertNotDelivered")
        XCTAssertTrue(message.contains("1 alert(s) not delivered"), message)
        XCTAssertTrue(message.contains("SC-111122223333-pp-aaaaaaaaaaaaa: NotFound (Topic does not exist)"), message)
        XCTAssertEqual(alerts.count, 0)
        XCTAssertNil(outcome.response)
        XCTAssertEqual(outcome.failedItems, [])
        XCTAssertEqual(log.messages(level: "ERROR"), ["alert not delivered"])
    }

    func testUndeliveredEventBridgeAlertFailsTheInvocation() async throws {
        let s = stack("aaaaaaaaaaaaa")
        let outcome = try await run(Events.eventBridge(id: "eb-1", stackId: s.id, status: "UPDATE_ROLLBACK_FAILED"), sink: FakeSink(fails: { _ in true }))
        XCTAssertNil(outcome.response)
        XCTAssertEqual(outcome.failure?.type, "AlertNotDelivered")
    }

    func testDeliveredSNSAlertAnswersASummary() async throws {
        let sink = FakeSink()
        let outcome = try await run(Events.snsEvent(failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")), sink: sink)
        guard case .answered(let response, let alerts, let failedItems) = outcome else { return XCTFail("expected an answer: \(outcome)") }
        XCTAssertEqual(try jsonObject(response) as NSDictionary, ["alerts": 1, "ignored": 0] as NSDictionary)
        XCTAssertEqual(alerts.count, 1)
        XCTAssertEqual(failedItems, [])
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(sink.published.count, 1)
        XCTAssertEqual(sink.published.first?.messageAttributes.first { $0.name == "account" }?.value, "111122223333")
    }

    func testRoutineAndGarbageEventsAnswerWithoutAlerts() async throws {
        let log = MemoryLog()
        let routine = try await run(Events.snsEvent(routineMessage("aaaaaaaaaaaaa")), log: log)
        XCTAssertEqual(try jsonObject(try XCTUnwrap(routine.response)) as NSDictionary, ["alerts": 0, "ignored": 1] as NSDictionary)
        let garbage = try await run("{not json", log: log)
        XCTAssertEqual(try jsonObject(try XCTUnwrap(garbage.response)) as NSDictionary, ["alerts": 0, "ignored": 0] as NSDictionary)
        XCTAssertEqual(log.messages(level: "WARN"), ["event not understood; ignored"])
        XCTAssertEqual(log.messages(level: "INFO"), ["no alert"])
    }

    // MARK: Enrichment

    func testLookupFailureLinesReachTheAlert() async throws {
        let enricher = FakeEnricher { _ in
            Enrichment(provisionedProductName: "orders-db", lookupFailures: ["record rec-1: AccessDeniedException (not authorized to perform servicecatalog:DescribeRecord)"])
        }
        let sink = FakeSink(), log = MemoryLog()
        _ = try await run(Events.snsEvent(failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")), enricher: enricher, sink: sink, log: log)
        let alert = try XCTUnwrap(sink.published.first)
        XCTAssertTrue(alert.text.contains("\nCould not look up record rec-1: AccessDeniedException (not authorized to perform servicecatalog:DescribeRecord)\n"), alert.text)
        XCTAssertTrue(alert.text.contains("Provisioned product: orders-db (pp-aaaaaaaaaaaaa)"), alert.text)
        XCTAssertEqual(alert.structuredObject["lookupFailures"] as? [String], ["record rec-1: AccessDeniedException (not authorized to perform servicecatalog:DescribeRecord)"])
        let warning = try XCTUnwrap(log.objects.first { $0["message"] as? String == "lookup failed; alert sent without it" })
        XCTAssertEqual(warning["stack"] as? String, "SC-111122223333-pp-aaaaaaaaaaaaa")
    }

    func testLookupsGetLessTimeThanPublishing() async throws {
        let enricher = FakeEnricher()
        let end = ContinuousClock.now + .seconds(10)
        let triage = handler.triage(try jsonBytes(Events.snsEvent(failureMessage("aaaaaaaaaaaaa", eventId: "evt-1"))))
        _ = await handler.deliver(triage, enricher: enricher, sink: FakeSink(), deadline: end, log: StructuredLogger(sink: MemoryLog()))
        let lookupDeadline = try XCTUnwrap(enricher.calls.first?.deadline)
        XCTAssertLessThan(lookupDeadline, end - .seconds(1))
        XCTAssertGreaterThan(lookupDeadline, end - .seconds(3))
    }

    func testDryRunComposesWithoutPublishing() async throws {
        let triage = handler.triage(try jsonBytes(Events.snsEvent(failureMessage("aaaaaaaaaaaaa", eventId: "evt-1"))))
        let outcome = await handler.deliver(triage, enricher: nil, sink: nil, deadline: deadline, log: StructuredLogger(sink: MemoryLog()))
        XCTAssertEqual(outcome.alerts.count, 1)
        XCTAssertNotNil(outcome.response)
    }

    func testMetricLinesAreEMF() async throws {
        let log = MemoryLog()
        _ = try await run(Events.snsEvent(failureMessage("aaaaaaaaaaaaa", eventId: "evt-1")), log: log)
        let metrics = log.objects.filter { $0["_aws"] != nil }
        XCTAssertEqual(metrics.compactMap { $0["StackOperations"] as? Int }, [1])
        XCTAssertEqual(metrics.compactMap { $0["Alerts"] as? Int }, [1])
        XCTAssertEqual(log.lines.count, log.objects.count, "every log line is a JSON object")
    }

    func testEnricherWithoutAccountLooksNothingUp() async throws {
        let transport = NoNetwork()
        let sts = AWSClient(transport: transport, credentials: Credentials(accessKeyId: "AKID", secretAccessKey: "secret"),
                            endpoints: EndpointResolver(), region: "ap-northeast-1")
        let enricher = AWSEnricher(sts: sts, memberRoleName: "CatalogWatchMember", cache: AssumeRoleCache())
        let failure = StackFailure(account: "unknown", region: "unknown", partition: "aws", stackId: nil, stackARN: nil, stackName: "orphan",
                                   status: "CREATE_FAILED", reason: nil, eventId: "e", timestamp: nil, provisionedProductId: nil)
        let enrichment = await enricher.enrich(failure, deadline: deadline)
        XCTAssertEqual(enrichment.lookupFailures, ["refused: member account unknown (no usable StackId); no role assumed, nothing looked up"])
        XCTAssertEqual(transport.used.value, 0)
        // An account id that is not 12 digits is refused the same way, before any call.
        let malformed = StackFailure(account: "12345", region: "ap-northeast-1", partition: "aws", stackId: nil, stackARN: nil, stackName: "SC-12345-pp-x",
                                     status: "CREATE_FAILED", reason: nil, eventId: "e", timestamp: nil, provisionedProductId: nil)
        var checked = enricher
        checked.membership = OrganizationMembership(client: sts)
        let refused = await checked.enrich(malformed, deadline: deadline)
        XCTAssertEqual(refused.lookupFailures, ["refused: member account '12345' is not 12 digits; no role assumed, nothing looked up"])
        XCTAssertEqual(transport.used.value, 0)
    }

    func testLookupErrorDescriptions() {
        XCTAssertEqual(AWSEnricher.describe(AWSError(code: "AccessDeniedException", message: "not allowed", httpStatus: 400, service: "servicecatalog", operation: "DescribeRecord")),
                       "AccessDeniedException (not allowed)")
        XCTAssertEqual(AWSEnricher.describe(AWSError(code: "500", message: "", httpStatus: 500, service: "servicecatalog", operation: "DescribeRecord")),
                       "HTTP 500", "a bare status code reads as one, without empty parentheses")
        XCTAssertEqual(AWSEnricher.describe(AWSError(code: "Throttling", message: "", httpStatus: 400, service: "sts", operation: "AssumeRole")), "Throttling")
        XCTAssertEqual(AWSEnricher.describe(AWSError(code: "X", message: "line one\nline two", httpStatus: 400, service: "s", operation: "o")),
                       "X (line one line two)")
    }
}
