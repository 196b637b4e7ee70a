import Foundation
import XCTest

@testable import FilterCore

/// Real-format CloudFormation notifications and Lambda events, built independently of FilterCore's JSON code.
enum Fixture {
    static let account = "111122223333"
    static let region = "ap-northeast-1"
    static let scStack = "SC-111122223333-pp-abcdefghijklm"
    static let scStackId =
        "arn:aws:cloudformation:ap-northeast-1:111122223333:stack/SC-111122223333-pp-abcdefghijklm/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"
    static let otherStack = "network-baseline"
    static let otherStackId =
        "arn:aws:cloudformation:ap-northeast-1:111122223333:stack/network-baseline/6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
    static let topicArn = "arn:aws:sns:ap-northeast-1:111122223333:catalogwatch-stack-events"
    static let stackType = "AWS::CloudFormation::Stack"

    /// A notification in CloudFormation's usual key order, one `Key='Value'` per line, trailing newline.
    static func notification(
        status: String,
        stackName: String = scStack,
        stackId: String = scStackId,
        logicalResourceId: String? = nil,
        resourceType: String = stackType,
        physicalResourceId: String? = nil,
        reason: String = "",
        eventId: String = "8c3d9a10-0781-11ef-9f6e-0a1b2c3d4e5f",
        timestamp: String = "2024-05-01T02:03:04.567Z",
        properties: String = "null",
        clientRequestToken: String = "null"
    ) -> String {
        let fields: [(String, String)] = [
            ("StackId", stackId),
            ("Timestamp", timestamp),
            ("EventId", eventId),
            ("LogicalResourceId", logicalResourceId ?? stackName),
            ("Namespace", account),
            ("PhysicalResourceId", physicalResourceId ?? stackId),
            ("PrincipalId", "AROAEXAMPLEROLEID12345:servicecatalog"),
            ("ResourceProperties", properties),
            ("ResourceStatus", status),
            ("ResourceStatusReason", reason),
            ("ResourceType", resourceType),
            ("StackName", stackName),
            ("ClientRequestToken", clientRequestToken),
        ]
        return fields.map { "\($0.0)='\($0.1)'\n" }.joined()
    }

    static func json(_ object: Any) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func snsRecord(_ message: String, messageId: String = UUID().uuidString.lowercased(),
                          subject: String? = "AWS CloudFormation Notification") -> [String: Any] {
        var sns: [String: Any] = [
            "Type": "Notification",
            "MessageId": messageId,
            "TopicArn": topicArn,
            "Message": message,
            "Timestamp": "2024-05-01T02:03:05.123Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertUrl": "https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-0000.pem",
            "UnsubscribeUrl": "https://sns.ap-northeast-1.amazonaws.com/?Action=Unsubscribe",
            "MessageAttributes": [String: Any](),
        ]
        if let subject { sns["Subject"] = subject }
        return [
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": topicArn + ":5b8a0c1e-2d3f-4a5b-8c7d-9e0f1a2b3c4d",
            "Sns": sns,
        ]
    }

    /// An SNS-triggered Lambda event with one record per message.
    static func snsEvent(_ messages: [String]) -> [UInt8] {
        bytes(json(["Records": messages.map { snsRecord($0) }]))
    }

    /// The SNS envelope SQS receives as `body` (without raw message delivery).
    static func snsEnvelope(_ message: String, messageId: String = "5d6e7f80-91a2-4bbc-8d3e-4f5a6b7c8d9e") -> String {
        json([
            "Type": "Notification",
            "MessageId": messageId,
            "TopicArn": topicArn,
            "Subject": "AWS CloudFormation Notification",
            "Message": message,
            "Timestamp": "2024-05-03T05:06:08.000Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertURL": "https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-0000.pem",
            "UnsubscribeURL": "https://sns.ap-northeast-1.amazonaws.com/?Action=Unsubscribe",
        ])
    }

    static func sqsRecord(body: String, messageId: String) -> [String: Any] {
        [
            "messageId": messageId,
            "receiptHandle": "AQEBexample==",
            "body": body,
            "attributes": ["ApproximateReceiveCount": "1", "SentTimestamp": "1714528985123"],
            "messageAttributes": [String: Any](),
            "md5OfBody": "00000000000000000000000000000000",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:ap-northeast-1:111122223333:catalogwatch-stack-events",
            "awsRegion": "ap-northeast-1",
        ]
    }

    /// An SQS-triggered Lambda event: (messageId, body) per record.
    static func sqsEvent(_ records: [(id: String, body: String)]) -> [UInt8] {
        bytes(json(["Records": records.map { sqsRecord(body: $0.body, messageId: $0.id) }]))
    }

    static func eventBridge(
        status: String, stackId: String = scStackId, reason: String = "", id: String = "7f8091a2-b3c4-4dde-8f50-6b7c8d9e0f1a",
        detailType: String = "CloudFormation Stack Status Change", source: String = "aws.cloudformation"
    ) -> String {
        json([
            "version": "0",
            "id": id,
            "detail-type": detailType,
            "source": source,
            "account": account,
            "time": "2024-05-04T07:08:09Z",
            "region": region,
            "resources": [stackId],
            "detail": [
                "stack-id": stackId,
                "status-details": ["status": status, "status-reason": reason],
                "client-request-token": "",
            ],
        ])
    }

    /// Decodes and returns the only record, failing the test otherwise.
    static func onlyRecord(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> InboundRecord {
        let event = try EventDecoder.decode(bytes)
        XCTAssertEqual(event.records.count, 1, file: file, line: line)
        return try XCTUnwrap(event.records.first, file: file, line: line)
    }

    static func notificationPayload(_ record: InboundRecord, file: StaticString = #filePath, line: UInt = #line) throws
        -> StackNotification
    {
        guard case .notification(let n) = record.payload else {
            XCTFail("expected a notification, got \(record.payload)", file: file, line: line)
            throw FixtureError.unexpectedPayload
        }
        return n
    }

    enum FixtureError: Error { case unexpectedPayload }

    /// A failure as the classifier would build it for the SC fixture stack.
    static func failure(
        status: String = "UPDATE_ROLLBACK_COMPLETE", stackName: String = scStack, stackId: String = scStackId,
        reason: String? = "The following resource(s) failed to update: [Bucket]."
    ) -> StackFailure {
        let arn = StackARN(parsing: stackId)
        return StackFailure(
            account: arn?.account ?? account, region: arn?.region ?? region, partition: arn?.partition ?? "aws",
            stackId: stackId, stackARN: arn, stackName: stackName, status: status, reason: reason,
            eventId: "8c3d9a10-0781-11ef-9f6e-0a1b2c3d4e5f", timestamp: "2024-05-01T02:03:04.567Z",
            provisionedProductId: ServiceCatalogStack(stackName: stackName)?.provisionedProductId)
    }
}
