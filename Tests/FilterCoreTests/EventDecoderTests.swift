import XCTest

@testable import FilterCore
import JSONText

final class EventDecoderTests: XCTestCase {
    private func decodeError(_ bytes: [UInt8]) -> EventDecodingError? {
        do {
            _ = try EventDecoder.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    func testSNSMultipleRecords() throws {
        let event = try EventDecoder.decode(
            Fixture.snsEvent([
                Fixture.notification(status: "CREATE_IN_PROGRESS"),
                Fixture.notification(status: "UPDATE_ROLLBACK_COMPLETE", eventId: "e2"),
                "not a notification",
            ]))
        XCTAssertEqual(event.source, .sns)
        XCTAssertEqual(event.records.map(\.index), [0, 1, 2])
        XCTAssertEqual(event.records.map(\.itemIdentifier), [nil, nil, nil])
        XCTAssertEqual(event.records[0].subject, "AWS CloudFormation Notification")
        XCTAssertNotNil(event.records[0].messageId)
        XCTAssertEqual(try Fixture.notificationPayload(event.records[1]).eventId, "e2")
        guard case .unrecognized(let reason) = event.records[2].payload else {
            return XCTFail("expected unrecognized")
        }
        XCTAssertTrue(reason.contains("not a CloudFormation notification"), reason)
        XCTAssertTrue(reason.contains("\"not a notification\""), reason)
        let decisions = Classifier().classify(event)
        XCTAssertEqual(decisions.map { $0.failure != nil }, [false, true, false])
    }

    func testSNSMessageSurvivesJSONEscaping() throws {
        let reason = "He said \"no\" and left \\ a tab\tand\nnew line 日本語 'quoted'"
        let record = try Fixture.onlyRecord(Fixture.snsEvent([Fixture.notification(status: "CREATE_FAILED", reason: reason)]))
        XCTAssertEqual(try Fixture.notificationPayload(record).resourceStatusReason, reason)
    }

    func testSQSBodiesWithSNSEnvelope() throws {
        let event = try EventDecoder.decode(
            Fixture.sqsEvent([
                (id: "m-1", body: Fixture.snsEnvelope(Fixture.notification(status: "UPDATE_ROLLBACK_FAILED"), messageId: "sns-1")),
                (id: "m-2", body: Fixture.snsEnvelope(Fixture.notification(status: "UPDATE_COMPLETE"))),
                (id: "m-3", body: "garbage \u{1} text"),
                (id: "m-4", body: "{\"Type\":\"Notification\"}"),
                (id: "m-5", body: "{not json"),
                (id: "m-6", body: Fixture.notification(status: "DELETE_FAILED")),  // raw message delivery
            ]))
        XCTAssertEqual(event.source, .sqs)
        XCTAssertEqual(event.records.map(\.itemIdentifier), ["m-1", "m-2", "m-3", "m-4", "m-5", "m-6"])
        XCTAssertEqual(event.records[0].messageId, "sns-1")
        XCTAssertEqual(event.records[0].subject, "AWS CloudFormation Notification")
        let kinds = event.records.map { record -> String in
            switch record.payload {
            case .notification: return "n"
            case .statusChange: return "s"
            case .unrecognized: return "u"
            case .digestFlush: return "d"
            }
        }
        XCTAssertEqual(kinds, ["n", "n", "u", "u", "u", "n"])
        let decisions = Classifier().classify(event)
        XCTAssertEqual(decisions.map { $0.failure?.status }, ["UPDATE_ROLLBACK_FAILED", nil, nil, nil, nil, "DELETE_FAILED"])
    }

    func testADigestFlushMessageIsTheFiltersOwnAndNoStackEvent() throws {
        let key = "digest|prod-a/pa-b|(default)|1764892800"
        let body = DigestFlushMessage.body(ledgerKey: key)
        let record: JSONValue = .object([("eventSource", .string("aws:sqs")), ("messageId", .string("m-1")), ("body", .string(body))])
        let extra: JSONValue = .object([
            ("eventSource", .string("aws:sqs")), ("messageId", .string("m-2")),
            ("body", .string(#"{"catalogWatchDigest":"k","other":1}"#)),
        ])
        let event = try EventDecoder.decode(Array(JSONValue.object([("Records", .array([record, extra]))]).serialized().utf8))
        XCTAssertEqual(event.records[0].payload, .digestFlush(key: key))
        guard case .unrecognized = event.records[1].payload else { return XCTFail("a body with more keys is not a flush message") }
        XCTAssertEqual(Classifier().classify(event).map { $0.failure }, [nil, nil])
    }

    func testSQSRecordWithoutBodyOrId() throws {
        let json = #"{"Records":[{"eventSource":"aws:sqs","body":null},{"eventSource":"aws:sqs","messageId":"x"}]}"#
        let event = try EventDecoder.decode(Fixture.bytes(json))
        XCTAssertEqual(event.records.map(\.itemIdentifier), [nil, "x"])
        for record in event.records {
            XCTAssertEqual(record.payload, .unrecognized(reason: "SQS record has no string body"))
        }
    }

    func testEventBridgeEvent() throws {
        let event = try EventDecoder.decode(Fixture.bytes(Fixture.eventBridge(status: "UPDATE_ROLLBACK_COMPLETE", reason: "r")))
        XCTAssertEqual(event.source, .eventBridge)
        let record = try XCTUnwrap(event.records.first)
        XCTAssertNil(record.itemIdentifier)
        XCTAssertEqual(record.messageId, "7f8091a2-b3c4-4dde-8f50-6b7c8d9e0f1a")
        XCTAssertEqual(
            record.payload,
            .statusChange(
                StackStatusChange(
                    eventId: "7f8091a2-b3c4-4dde-8f50-6b7c8d9e0f1a", account: "111122223333", region: "ap-northeast-1",
                    time: "2024-05-04T07:08:09Z", stackId: Fixture.scStackId, status: "UPDATE_ROLLBACK_COMPLETE",
                    statusReason: "r")))
    }

    func testOtherEventBridgeEventsAreUnrecognizedRecords() throws {
        for json in [
            Fixture.eventBridge(status: "CREATE_FAILED", detailType: "CloudFormation Resource Status Change"),
            Fixture.eventBridge(status: "CREATE_FAILED", source: "aws.ec2"),
            #"{"detail-type":"CloudFormation Stack Status Change","source":"aws.cloudformation","id":"x","detail":{}}"#,
        ] {
            let record = try Fixture.onlyRecord(Fixture.bytes(json))
            guard case .unrecognized(let reason) = record.payload else { return XCTFail("expected unrecognized for \(json)") }
            XCTAssertFalse(reason.isEmpty)
        }
    }

    func testEventBridgeEventForwardedThroughSNSAndSQS() throws {
        let eb = Fixture.eventBridge(status: "ROLLBACK_FAILED")
        let viaSNS = try Fixture.onlyRecord(Fixture.snsEvent([eb]))
        XCTAssertEqual(Classifier().classify(viaSNS).failure?.status, "ROLLBACK_FAILED")
        let viaSQS = try Fixture.onlyRecord(Fixture.sqsEvent([(id: "q", body: eb)]))
        XCTAssertEqual(viaSQS.itemIdentifier, "q")
        XCTAssertEqual(Classifier().classify(viaSQS).failure?.status, "ROLLBACK_FAILED")
        let ebInEnvelope = try Fixture.onlyRecord(Fixture.sqsEvent([(id: "r", body: Fixture.snsEnvelope(eb))]))
        XCTAssertEqual(Classifier().classify(ebInEnvelope).failure?.status, "ROLLBACK_FAILED")
    }

    func testInvalidJSON() {
        for text in ["", "not json", "{\"Records\": [", "{\"a\":1}}", "\u{FEFF}x"] {
            guard case .invalidJSON(let message)? = decodeError(Fixture.bytes(text)) else {
                XCTFail("expected invalidJSON for \(text)")
                continue
            }
            XCTAssertFalse(message.isEmpty)
        }
        guard case .invalidJSON? = decodeError([0xFF, 0xFE, 0x7B]) else { return XCTFail("invalid UTF-8") }
    }

    func testUnknownShapes() {
        let cases = [
            "[]", "42", "\"text\"", "null", "{}", #"{"Records":{}}"#, #"{"Records":"x"}"#,
            #"{"Records":[{"eventSource":"aws:s3","s3":{}}]}"#, #"{"Records":[1,2]}"#, #"{"detail":{}}"#,
        ]
        for text in cases {
            guard case .unknownShape(let message)? = decodeError(Fixture.bytes(text)) else {
                XCTFail("expected unknownShape for \(text), got \(String(describing: decodeError(Fixture.bytes(text))))")
                continue
            }
            XCTAssertFalse(message.isEmpty)
        }
        XCTAssertEqual(decodeError(Fixture.bytes(#"{"Records":[]}"#)), .noRecords)
        XCTAssertTrue(EventDecodingError.noRecords.description.contains("empty"))
    }

    func testForeignRecordsNextToSNSRecordsAreUnrecognized() throws {
        let sns = Fixture.json(Fixture.snsRecord(Fixture.notification(status: "CREATE_FAILED")))
        let event = try EventDecoder.decode(Fixture.bytes(#"{"Records":["# + sns + #",{"eventSource":"aws:s3"},"x"]}"#))
        XCTAssertEqual(event.source, .sns)
        XCTAssertEqual(event.records.count, 3)
        guard case .unrecognized(let reason) = event.records[1].payload else { return XCTFail() }
        XCTAssertTrue(reason.contains("aws:s3"), reason)
        guard case .unrecognized = event.records[2].payload else { return XCTFail() }
    }

    func testSNSRecordWithoutMessage() throws {
        let event = try EventDecoder.decode(Fixture.bytes(#"{"Records":[{"EventSource":"aws:sns","Sns":{"Message":7}},{"EventSource":"aws:sns"}]}"#))
        XCTAssertEqual(event.records[0].payload, .unrecognized(reason: "SNS record has no string Message"))
        XCTAssertEqual(event.records[1].payload, .unrecognized(reason: "SNS record has no Sns object"))
    }

    func testJSONMessageThatIsNotEventBridge() throws {
        let record = try Fixture.onlyRecord(Fixture.snsEvent([#"{"AlarmName":"x"}"#]))
        guard case .unrecognized(let reason) = record.payload else { return XCTFail() }
        XCTAssertTrue(reason.contains("JSON"), reason)
    }

    func testDeeplyNestedJSONDoesNotCrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertNotNil(decodeError(Fixture.bytes(deep)))
    }
}
