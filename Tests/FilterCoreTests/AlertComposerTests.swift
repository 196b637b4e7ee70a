import Foundation
import XCTest

@testable import FilterCore

final class AlertComposerTests: XCTestCase {
    private struct SNSMessage: Decodable, Equatable {
        let `default`: String
        let email: String
        let sqs: String
        let lambda: String
        let https: String
    }

    private let fullEnrichment = Enrichment(
        provisionedProductName: "orders-bucket",
        productId: "prod-abcdefghijklm",
        productName: "S3 Bucket",
        provisioningArtifactName: "v2",
        provisioningArtifactDescription: "Adds versioning",
        recordErrors: ["InvalidParametersException: bucket name taken"],
        rootCause: Enrichment.RootCause(
            logicalResourceId: "Bucket", resourceType: "AWS::S3::Bucket", status: "UPDATE_FAILED",
            reason: "Resource handler returned message: \"exists\""),
        lookupFailures: ["provisioned product pp-abcdefghijklm: AccessDenied (not authorized)"])

    private func decodeSNS(_ alert: Alert, file: StaticString = #filePath, line: UInt = #line) throws -> SNSMessage {
        try JSONDecoder().decode(SNSMessage.self, from: Data(alert.snsMessage.utf8))
    }

    private func subjectIsValid(_ subject: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(subject.isEmpty, file: file, line: line)
        XCTAssertLessThanOrEqual(subject.unicodeScalars.count, 100, file: file, line: line)
        XCTAssertLessThanOrEqual(subject.count, 100, file: file, line: line)
        XCTAssertLessThanOrEqual(subject.utf16.count, AlertComposer.maxSubjectLength, file: file, line: line)
        XCTAssertTrue(subject.unicodeScalars.first.map { $0.isASCII && $0.properties.isAlphabetic } ?? false, file: file, line: line)
        for scalar in subject.unicodeScalars {
            let category = scalar.properties.generalCategory
            XCTAssertFalse(
                category == .control || category == .lineSeparator || category == .paragraphSeparator,
                "control U+\(String(scalar.value, radix: 16)) in subject", file: file, line: line)
        }
    }

    func testFullAlert() throws {
        let alert = AlertComposer.compose(Fixture.failure(), fullEnrichment)
        XCTAssertEqual(alert.subject, "CatalogWatch: UPDATE_ROLLBACK_COMPLETE orders-bucket in 111122223333/ap-northeast-1")
        subjectIsValid(alert.subject)

        let text = alert.text
        for expected in [
            "Account:             111122223333",
            "Region:              ap-northeast-1",
            "Status:              UPDATE_ROLLBACK_COMPLETE",
            "Reason:              The following resource(s) failed to update: [Bucket].",
            "Stack:               SC-111122223333-pp-abcdefghijklm",
            "Provisioned product: orders-bucket (pp-abcdefghijklm)",
            "Product:             S3 Bucket (prod-abcdefghijklm)",
            "Version:             v2 - Adds versioning",
            "Root cause: Bucket (AWS::S3::Bucket) UPDATE_FAILED\n  Resource handler returned message: \"exists\"",
            "Record errors:\n  - InvalidParametersException: bucket name taken",
            "Stack events: https://ap-northeast-1.console.aws.amazon.com/cloudformation/home?region=ap-northeast-1#/stacks/events?stackId=arn%3Aaws%3Acloudformation%3Aap-northeast-1%3A111122223333%3Astack%2FSC-111122223333-pp-abcdefghijklm%2F0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0",
            "Could not look up provisioned product pp-abcdefghijklm: AccessDenied (not authorized)",
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        // The links come last, after the failed lookups: the events, and the member account's provisioned products.
        XCTAssertTrue(text.hasSuffix(
            "(not authorized)\n\nStack events: \(try XCTUnwrap(Fixture.failure().consoleURL))\n"
                + "Provisioned products: https://ap-northeast-1.console.aws.amazon.com/servicecatalog/home?region=ap-northeast-1#provisioned-products\n"), text)

        XCTAssertEqual(
            alert.messageAttributes,
            [
                MessageAttribute(name: "account", value: "111122223333"),
                MessageAttribute(name: "region", value: "ap-northeast-1"),
                MessageAttribute(name: "status", value: "UPDATE_ROLLBACK_COMPLETE"),
                MessageAttribute(name: "product", value: "S3 Bucket"),
            ])

        let sns = try decodeSNS(alert)
        XCTAssertEqual(sns.default, alert.text)
        XCTAssertEqual(sns.email, alert.text)
        XCTAssertEqual(sns.sqs, alert.structured)
        XCTAssertEqual(sns.lambda, alert.structured)
        XCTAssertEqual(sns.https, alert.structured)
        XCTAssertTrue(alert.snsMessage.hasPrefix("{\"default\":"), "fixed key order")
    }

    func testStructuredJSONHasFixedKeyOrderAndValues() throws {
        let alert = AlertComposer.compose(Fixture.failure(), fullEnrichment)
        let keys = [
            "type", "version", "account", "region", "partition", "status", "reason", "stackName", "stackId", "eventId",
            "timestamp", "consoleUrl", "provisionedProductId", "provisionedProductName", "productId", "productName",
            "provisioningArtifactName", "provisioningArtifactDescription", "rootCause", "recordErrors", "lookupFailures",
        ]
        var last = alert.structured.startIndex
        for key in keys {
            let range = try XCTUnwrap(alert.structured.range(of: "\"\(key)\":", range: last..<alert.structured.endIndex), key)
            last = range.upperBound
        }
        let object = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(alert.structured.utf8)) as? [String: Any])
        XCTAssertEqual(object["provisionedProductId"] as? String, "pp-abcdefghijklm")
        XCTAssertEqual(object["productName"] as? String, "S3 Bucket")
        XCTAssertEqual((object["rootCause"] as? [String: Any])?["status"] as? String, "UPDATE_FAILED")
        XCTAssertEqual(object["recordErrors"] as? [String], ["InvalidParametersException: bucket name taken"])
        XCTAssertEqual(object["version"] as? Int, 1)
        // Deterministic.
        XCTAssertEqual(AlertComposer.compose(Fixture.failure(), fullEnrichment), alert)
    }

    func testNoEnrichmentNonServiceCatalogStack() throws {
        let failure = Fixture.failure(status: "ROLLBACK_COMPLETE", stackName: Fixture.otherStack, stackId: Fixture.otherStackId, reason: nil)
        let alert = AlertComposer.compose(failure)
        XCTAssertEqual(alert.subject, "CatalogWatch: ROLLBACK_COMPLETE network-baseline in 111122223333/ap-northeast-1")
        XCTAssertFalse(alert.text.contains("Provisioned product:"))
        XCTAssertFalse(alert.text.contains("Product:"))
        XCTAssertFalse(alert.text.contains("Reason:"))
        XCTAssertFalse(alert.text.contains("Could not look up"))
        XCTAssertEqual(alert.messageAttributes.last, MessageAttribute(name: "product", value: "network-baseline"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(alert.structured.utf8)) as? [String: Any])
        XCTAssertTrue(object["provisionedProductId"] is NSNull)
        XCTAssertTrue(object["rootCause"] is NSNull)
        XCTAssertEqual(object["recordErrors"] as? [String], [])
    }

    func testEmptyAttributeValuesAreOmitted() {
        let failure = StackFailure(
            account: "", region: "  ", partition: "aws", stackId: nil, stackARN: nil, stackName: "s", status: "CREATE_FAILED",
            reason: nil, eventId: nil, timestamp: nil, provisionedProductId: nil)
        let alert = AlertComposer.compose(failure, Enrichment(productName: "\n"))
        XCTAssertEqual(alert.messageAttributes.map(\.name), ["status", "product"])
        XCTAssertEqual(alert.messageAttributes.last?.value, "s")
        XCTAssertTrue(alert.messageAttributes.allSatisfy { !$0.value.isEmpty })
        XCTAssertFalse(alert.text.contains("Stack events:"), "no console link without a stack ARN")
    }

    func testSubjectLimitWithLongJapaneseName() {
        let name = String(repeating: "本番環境の注文管理システム用バケット", count: 10)
        let alert = AlertComposer.compose(Fixture.failure(), Enrichment(provisionedProductName: name))
        subjectIsValid(alert.subject)
        XCTAssertTrue(alert.subject.hasPrefix("CatalogWatch: UPDATE_ROLLBACK_COMPLETE 本番環境"))
        XCTAssertTrue(alert.subject.hasSuffix("… in 111122223333/ap-northeast-1"), alert.subject)
        XCTAssertTrue(alert.text.contains(name), "the body keeps the full name")
    }

    func testSubjectNeverSplitsGraphemes() {
        let family = "👨‍👩‍👧‍👦"  // 7 scalars, 11 UTF-16 units, 1 Character
        let flag = "🇯🇵"
        let accent = "e\u{301}"
        for filler in [family, flag, accent, "ｱ", "a"] {
            for count in 1...60 {
                let name = String(repeating: filler, count: count)
                let subject = AlertComposer.compose(Fixture.failure(), Enrichment(provisionedProductName: name)).subject
                subjectIsValid(subject)
                let body = subject.dropFirst("CatalogWatch: UPDATE_ROLLBACK_COMPLETE ".count)
                    .replacingOccurrences(of: " in 111122223333/ap-northeast-1", with: "")
                    .replacingOccurrences(of: "…", with: "")
                XCTAssertEqual(body, String(repeating: filler, count: body.count), "split grapheme with \(filler) x\(count)")
                XCTAssertTrue(Array(body.unicodeScalars).count % filler.unicodeScalars.count == 0)
            }
        }
    }

    func testSubjectControlCharactersAndLineBreaksBecomeSpaces() {
        let name = "line1\nline2\r\tx\u{0}y\u{7F}z\u{85}w\u{2028}v\u{9B}"
        let subject = AlertComposer.compose(Fixture.failure(), Enrichment(provisionedProductName: name)).subject
        subjectIsValid(subject)
        XCTAssertEqual(subject, "CatalogWatch: UPDATE_ROLLBACK_COMPLETE line1 line2 x y z w v in 111122223333/ap-northeast-1")
    }

    func testSubjectFallsBackWhenEverythingIsLong() {
        let failure = StackFailure(
            account: String(repeating: "9", count: 200), region: String(repeating: "r", count: 200), partition: "aws",
            stackId: nil, stackARN: nil, stackName: "s", status: String(repeating: "X\n", count: 100), reason: nil,
            eventId: nil, timestamp: nil, provisionedProductId: nil)
        subjectIsValid(AlertComposer.compose(failure).subject)
        let blankName = StackFailure(
            account: "111122223333", region: "us-east-1", partition: "aws", stackId: nil, stackARN: nil, stackName: "\n",
            status: "CREATE_FAILED", reason: nil, eventId: nil, timestamp: nil, provisionedProductId: nil)
        XCTAssertEqual(AlertComposer.compose(blankName).subject, "CatalogWatch: CREATE_FAILED unknown stack in 111122223333/us-east-1")
    }

    func testJSONEscapingRoundTrip() throws {
        let nasty = "日本語の\"引用\"と'単引用'\\バックスラッシュ\n改行\r\tタブ\u{0}\u{1}\u{1F}\u{7F}\u{2028}\u{2029} 🇯🇵 </script>"
        let failure = Fixture.failure(reason: nasty)
        let enrichment = Enrichment(
            provisionedProductName: nasty, productId: nasty, productName: nasty, provisioningArtifactName: nasty,
            provisioningArtifactDescription: nasty, recordErrors: [nasty, nasty],
            rootCause: .init(logicalResourceId: nasty, resourceType: nasty, status: nasty, reason: nasty),
            lookupFailures: [nasty])
        let alert = AlertComposer.compose(failure, enrichment)
        let sns = try decodeSNS(alert)
        XCTAssertEqual(sns.email, alert.text)
        XCTAssertEqual(sns.https, alert.structured)
        XCTAssertFalse(alert.snsMessage.unicodeScalars.contains { $0.value < 0x20 }, "raw controls must be escaped")

        struct Structured: Decodable {
            struct Root: Decodable { let logicalResourceId: String; let reason: String }
            let reason: String
            let productName: String
            let rootCause: Root
            let recordErrors: [String]
        }
        let structured = try JSONDecoder().decode(Structured.self, from: Data(sns.lambda.utf8))
        XCTAssertEqual(structured.reason, nasty, "structured JSON keeps text verbatim")
        XCTAssertEqual(structured.productName, nasty)
        XCTAssertEqual(structured.rootCause.reason, nasty)
        XCTAssertEqual(structured.recordErrors, [nasty, nasty])
        // The text body has no control characters other than newline and tab.
        XCTAssertFalse(alert.text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F })
        XCTAssertTrue(alert.text.contains("日本語の\"引用\"と'単引用'\\バックスラッシュ"))
        subjectIsValid(alert.subject)
    }

    func testMultiLineReasonIsIndentedInText() {
        let alert = AlertComposer.compose(Fixture.failure(reason: "first\nsecond\r\nthird"))
        XCTAssertTrue(alert.text.contains("Reason:              first\n                     second\n                     third\n"), alert.text)
    }

    func testOversizedInputIsShrunkBelowSNSLimit() throws {
        let huge = String(repeating: "\"エラー\" ", count: 20_000)
        let enrichment = Enrichment(
            provisionedProductName: huge, recordErrors: Array(repeating: huge, count: 100),
            rootCause: .init(logicalResourceId: "R", reason: huge), lookupFailures: Array(repeating: huge, count: 100))
        let alert = AlertComposer.compose(Fixture.failure(reason: huge), enrichment)
        XCTAssertLessThanOrEqual(alert.snsMessage.utf8.count, AlertComposer.maxMessageBytes)
        _ = try decodeSNS(alert)
        subjectIsValid(alert.subject)
        XCTAssertTrue(alert.text.contains("more)"), "truncated lists say so")
    }

    func testLookupFailureLinesAreNotDoubled() {
        let alert = AlertComposer.compose(
            Fixture.failure(), Enrichment(lookupFailures: ["Could not look up product prod-x: Throttling", "record rec-1: AccessDenied"]))
        XCTAssertTrue(alert.text.contains("\nCould not look up product prod-x: Throttling\nCould not look up record rec-1: AccessDenied\n"))
        XCTAssertFalse(alert.text.contains("Could not look up Could not"))
    }

    func testConsoleLinksForOtherPartitions() {
        let cn = Fixture.failure(stackId: "arn:aws-cn:cloudformation:cn-north-1:111122223333:stack/SC-111122223333-pp-abcdefghijklm/u-1")
        XCTAssertTrue(AlertComposer.compose(cn).text.contains("Stack events: https://cn-north-1.console.amazonaws.cn/cloudformation/home?region=cn-north-1#/stacks/events?stackId=arn%3Aaws-cn%3A"))
        let gov = Fixture.failure(stackId: "arn:aws-us-gov:cloudformation:us-gov-west-1:111122223333:stack/SC-111122223333-pp-abcdefghijklm/u-1")
        XCTAssertTrue(AlertComposer.compose(gov).text.contains("Stack events: https://us-gov-west-1.console.amazonaws-us-gov.com/cloudformation/home?region=us-gov-west-1#"))
    }
}
