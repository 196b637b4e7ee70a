import XCTest
import Foundation
import FilterContract
import FilterCore
import JSONText
import TestSupport
@testable import FilterLambda

/// Canaries in the handler: `test-alert`'s notification and a heartbeat rule's EventBridge event. Neither
/// is looked up, claimed in the ledger or published unless asked; both are logged and counted.
final class CanaryTests: XCTestCase {
    let configuration = FilterConfiguration(
        alertTopicArn: "arn:aws:sns:ap-northeast-1:123456789012:catalogwatch-alerts", memberRoleName: "CatalogWatchMember", region: "ap-northeast-1")
    let nowMs: Int64 = 1_764_900_000_000

    func deliver(_ message: String, sink: FakeSink, enricher: FakeEnricher, log: MemoryLog) async throws -> FilterHandler.Outcome {
        let now = nowMs
        let handler = FilterHandler(configuration: configuration, clockMs: { now })
        return await handler.deliver(
            handler.triage(try jsonBytes(Events.snsEvent(message))), enricher: enricher, sink: sink, deadline: .now + .seconds(30),
            log: StructuredLogger(sink: log, requestId: "req-canary"))
    }

    /// The heartbeat rule's input template as EventBridge renders it for one scheduled event.
    func heartbeatMessage(id: String, time: String, region: String = "eu-central-1") -> String {
        Canary.heartbeatInputTemplate
            .replacingOccurrences(of: "<id>", with: id).replacingOccurrences(of: "<time>", with: time)
            .replacingOccurrences(of: "${AWS::Partition}", with: "aws").replacingOccurrences(of: "${AWS::Region}", with: region)
            .replacingOccurrences(of: "${AWS::AccountId}", with: "123456789012")
    }

    func testAHeartbeatIsCountedAndLoggedAndReachesNobody() async throws {
        let sink = FakeSink(), enricher = FakeEnricher(), log = MemoryLog()
        let id = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
        XCTAssertNoThrow(try JSONValue.parse(heartbeatMessage(id: id, time: "2026-12-05T02:00:00Z")), "the template renders to JSON")
        let outcome = try await deliver(heartbeatMessage(id: id, time: "2026-12-05T02:00:00Z"), sink: sink, enricher: enricher, log: log)
        XCTAssertEqual(outcome.response, #"{"alerts":0,"ignored":0}"#)
        XCTAssertTrue(sink.attempts.isEmpty, "a heartbeat is never published")
        XCTAssertTrue(enricher.calls.isEmpty, "a canary's stack exists nowhere: no lookups")
        let line = try XCTUnwrap(log.objects.first { $0["message"] as? String == Canary.handledMessage })
        XCTAssertEqual(line["canary"] as? String, id)
        XCTAssertEqual(line["region"] as? String, "eu-central-1")
        XCTAssertEqual(line["delivered"] as? Bool, false)
        XCTAssertEqual(line["sentAtMs"] as? Int, 1_796_436_000_000, "the scheduled event's time")
        let metric = try XCTUnwrap(log.objects.first { $0[Canary.heartbeatMetric] != nil }, "the Heartbeats metric")
        XCTAssertEqual(metric[Canary.heartbeatDimension] as? String, "eu-central-1")
        XCTAssertNil(log.objects.first { $0["StackOperations"] != nil }, "a canary is no product's stack operation")
    }

    func testTestAlertsCanaryIsPublishedOnlyWhenAsked() async throws {
        for deliver in [false, true] {
            let sink = FakeSink(), log = MemoryLog()
            let message = Canary.notification(
                id: "0123456789abcdef", account: "123456789012", region: "ap-northeast-1", partition: "aws", timestamp: "2026-12-05T01:59:59.500Z",
                deliver: deliver)
            let outcome = try await self.deliver(message, sink: sink, enricher: FakeEnricher(), log: log)
            XCTAssertEqual(sink.published.count, deliver ? 1 : 0)
            XCTAssertEqual(outcome.response, deliver ? #"{"alerts":1,"ignored":0}"# : #"{"alerts":0,"ignored":0}"#)
            let line = try XCTUnwrap(log.objects.first { $0["message"] as? String == Canary.handledMessage })
            XCTAssertEqual(line["delivered"] as? Bool, deliver)
            XCTAssertEqual(line["sentAtMs"] as? Int, 1_796_435_999_500, "the notification's Timestamp, to the millisecond")
            if deliver {
                XCTAssertTrue(sink.published[0].subject.contains(Canary.stackNamePrefix), sink.published[0].subject)
                XCTAssertTrue(sink.published[0].text.contains("catalogwatch-canary-0123456789abcdef"))
                XCTAssertTrue(sink.published[0].text.contains(Canary.reasonPrefix), "the alert says it is a test")
                XCTAssertNotNil(line["messageId"])
            }
        }
    }

    func testAnotherStackNameIsNoCanary() {
        XCTAssertNil(Canary.id(stackName: "catalogwatch-canary-SHORT"))
        XCTAssertNil(Canary.id(stackName: "SC-123456789012-pp-abcdefghijklm"))
        XCTAssertEqual(Canary.id(stackName: "catalogwatch-canary-0123456789abcdef"), "0123456789abcdef")
        XCTAssertFalse(Canary.asksForDelivery(reason: Canary.heartbeatReason))
    }
}
