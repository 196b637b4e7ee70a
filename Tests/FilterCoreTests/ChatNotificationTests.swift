import Foundation
import XCTest

@testable import FilterCore

/// What the chat notification says. ChatNotificationSchemaTests (FilterLambdaTests) validates it against the
/// documented schema with python's jsonschema.
final class ChatNotificationTests: XCTestCase {
    let enrichment = Enrichment(
        provisionedProductName: "orders-bucket", productId: "prod-abcdefghijklm", productName: "S3 Bucket",
        provisioningArtifactName: "v2", provisioningArtifactDescription: "Adds versioning",
        recordErrors: ["InvalidParametersException: bucket name taken"],
        rootCause: Enrichment.RootCause(
            logicalResourceId: "Bucket", resourceType: "AWS::S3::Bucket", status: "UPDATE_FAILED",
            reason: "Resource handler returned message: \"exists\"\nRequest id 42"))

    func document(_ failure: StackFailure, _ enrichment: Enrichment = Enrichment()) throws -> [String: Any] {
        let text = ChatNotification.compose(failure, enrichment)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func content(_ document: [String: Any]) -> [String: Any] { document["content"] as? [String: Any] ?? [:] }
    func metadata(_ document: [String: Any]) -> [String: Any] { document["metadata"] as? [String: Any] ?? [:] }

    func testFullNotification() throws {
        let failure = Fixture.failure()
        let doc = try document(failure, enrichment)
        XCTAssertEqual(doc["version"] as? String, "1.0")
        XCTAssertEqual(doc["source"] as? String, "custom")
        XCTAssertEqual(doc["id"] as? String, failure.eventId)
        let c = content(doc)
        XCTAssertEqual(c["textType"] as? String, "client-markdown")
        XCTAssertEqual(c["title"] as? String, "UPDATE_ROLLBACK_COMPLETE: S3 Bucket in 111122223333")
        let description = try XCTUnwrap(c["description"] as? String)
        let url = try XCTUnwrap(failure.consoleURL)
        XCTAssertEqual(description.split(separator: "\n").map(String.init), [
            "*Account:* `111122223333`", "*Region:* `ap-northeast-1`", "*Stack:* `\(Fixture.scStack)`", "*Status:* `UPDATE_ROLLBACK_COMPLETE`",
            "*Product:* S3 Bucket (`prod-abcdefghijklm`)", "*Version:* v2 - Adds versioning", "*Provisioned product:* orders-bucket (`pp-abcdefghijklm`)",
            "*Time:* 2024-05-01T02:03:04.567Z", "*Reason:* The following resource(s) failed to update: [Bucket].",
            "*Root cause:* `Bucket` (AWS::S3::Bucket) UPDATE_FAILED", "> Resource handler returned message: \"exists\"", "> Request id 42",
            "*Record errors:*", "• InvalidParametersException: bucket name taken", "*Stack events:* \(url)",
            "*Provisioned products:* https://ap-northeast-1.console.aws.amazon.com/servicecatalog/home?region=ap-northeast-1#provisioned-products",
        ])
        XCTAssertEqual(c["keywords"] as? [String], ["UPDATE_ROLLBACK_COMPLETE", "111122223333", "ap-northeast-1", "S3 Bucket"])
        XCTAssertEqual(c["nextSteps"] as? [String], [
            "Open the stack events: \(url)", "Fix the cause, then update the provisioned product again",
        ])
        let m = metadata(doc)
        XCTAssertEqual(m["threadId"] as? String, "pp-abcdefghijklm", "failures of one provisioned product thread together")
        XCTAssertEqual(m["summary"] as? String, "UPDATE_ROLLBACK_COMPLETE: S3 Bucket in 111122223333/ap-northeast-1")
        XCTAssertEqual(m["eventType"] as? String, ChatNotification.eventType)
        XCTAssertEqual(m["relatedResources"] as? [String], [Fixture.scStackId])
        XCTAssertEqual(m["enableCustomActions"] as? Bool, true)
        XCTAssertEqual(m["additionalContext"] as? [String: String], [
            "account": "111122223333", "region": "ap-northeast-1", "status": "UPDATE_ROLLBACK_COMPLETE", "stackName": Fixture.scStack,
            "provisionedProductId": "pp-abcdefghijklm", "productName": "S3 Bucket",
        ])
    }

    func testThreadFallsBackToTheStackARNThenToTheStackName() throws {
        let other = Fixture.failure(status: "DELETE_FAILED", stackName: Fixture.otherStack, stackId: Fixture.otherStackId)
        XCTAssertEqual(metadata(try document(other))["threadId"] as? String, Fixture.otherStackId)
        XCTAssertEqual(content(try document(other))["title"] as? String, "DELETE_FAILED: network-baseline in 111122223333")
        XCTAssertEqual((content(try document(other))["nextSteps"] as? [String])?.last,
                       "Delete or retain the resources that could not be deleted, then terminate the provisioned product again")
        let bare = StackFailure(
            account: "111122223333", region: "eu-west-1", partition: "aws", stackId: nil, stackARN: nil, stackName: "orphan",
            status: "UPDATE_ROLLBACK_FAILED", reason: nil, eventId: nil, timestamp: nil, provisionedProductId: nil)
        let doc = try document(bare)
        XCTAssertNil(doc["id"])
        XCTAssertEqual(metadata(doc)["threadId"] as? String, "111122223333/eu-west-1/orphan")
        XCTAssertEqual(metadata(doc)["relatedResources"] as? [String], [])
        XCTAssertEqual(content(doc)["nextSteps"] as? [String], ["Fix what stopped the rollback, then continue the update rollback of the stack"])
    }

    func testLongFieldsStayWithinTheDocumentedLimits() throws {
        let emoji = String(repeating: "🚨", count: 3_000)
        let failure = Fixture.failure(
            status: "UPDATE_ROLLBACK_FAILED", reason: String(repeating: "Resource creation failed. ", count: 5_000) + emoji)
        var long = enrichment
        long.productName = String(repeating: "製品", count: 2_000)
        long.rootCause?.reason = emoji
        long.recordErrors = Array(repeating: String(repeating: "x", count: 5_000), count: 40)
        long.lookupFailures = Array(repeating: "record rec-1: Throttling", count: 9)
        let c = content(try document(failure, long))
        let description = try XCTUnwrap(c["description"] as? String)
        XCTAssertLessThanOrEqual(description.utf16.count, ChatNotification.maxDescription)
        XCTAssertTrue(description.contains("…"), "long fields are cut")
        XCTAssertTrue(description.contains("• (35 more)"), description.suffix(300).description)
        XCTAssertTrue(description.contains("*Stack events:* https://"), "the link survives the cut")
        XCTAssertLessThanOrEqual(try XCTUnwrap(c["title"] as? String).utf16.count, ChatNotification.maxTitle)
        for keyword in try XCTUnwrap(c["keywords"] as? [String]) { XCTAssertLessThanOrEqual(keyword.utf16.count, ChatNotification.maxKeyword) }
        for step in try XCTUnwrap(c["nextSteps"] as? [String]) { XCTAssertLessThanOrEqual(step.utf16.count, ChatNotification.maxNextStep) }
    }

    func testStackTextCannotMentionOrBreakCodeSpans() throws {
        let failure = Fixture.failure(reason: "<!here> see <https://evil.example|this> & `x`")
        let description = try XCTUnwrap(content(try document(failure))["description"] as? String)
        XCTAssertTrue(description.contains("*Reason:* ‹!here› see ‹https://evil.example|this› & `x`"), description)
        XCTAssertFalse(description.contains("<"))
        var tricky = Enrichment()
        tricky.productId = "prod-`oops`"
        tricky.productName = "Orders"
        let text = try XCTUnwrap(content(try document(Fixture.failure(), tricky))["description"] as? String)
        XCTAssertTrue(text.contains("*Product:* Orders (`prod-'oops'`)"), text)
    }
}
