import XCTest
import Foundation
import FilterCore
import TestSupport

/// The chat notification as published, validated by python's jsonschema (installed with cfn-lint) against
/// Tests/Fixtures/chat/custom-notification.schema.json, the documented schema of Amazon Q Developer in chat
/// applications custom notifications.
final class ChatNotificationSchemaTests: XCTestCase {
    static let schemaPath = Tools.packageRoot.appendingPathComponent("Tests/Fixtures/chat/custom-notification.schema.json").path

    /// Validates each JSON text; returns the error messages of each (empty when valid).
    static func schemaErrors(_ documents: [String]) throws -> [[String]] {
        guard Tools.hasPythonModule("jsonschema") else {
            throw XCTSkip("python3 has no jsonschema module: scripts/ensure-deps test installs it (with cfn-lint)")
        }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1], encoding='utf-8'))
            jsonschema.Draft7Validator.check_schema(schema)
            validator = jsonschema.Draft7Validator(schema)
            documents = json.loads(sys.stdin.buffer.read().decode('utf-8'))
            print(json.dumps([[f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(d)] for d in documents]))
            """
        let input = "[" + documents.joined(separator: ",") + "]"
        let output = try Tools.python3(script, arguments: [Self.schemaPath], input: Array(input.utf8))
        return try XCTUnwrap(try parseJSON(output) as? [[String]], output)
    }

    /// A failure of `stackName` in 111122223333/ap-northeast-1, with a stack ARN unless `withARN` is false.
    static func failure(
        stackName: String = "SC-111122223333-pp-abcdefghijklm", withARN: Bool = true, status: String = "UPDATE_ROLLBACK_FAILED",
        reason: String? = "The following resource(s) failed to update: [Replica].", eventId: String? = "evt-schema-1"
    ) -> StackFailure {
        let id = withARN ? "arn:aws:cloudformation:ap-northeast-1:111122223333:stack/\(stackName)/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0" : nil
        return StackFailure(
            account: "111122223333", region: "ap-northeast-1", partition: "aws", stackId: id, stackARN: id.flatMap { StackARN(parsing: $0) },
            stackName: stackName, status: status, reason: reason, eventId: eventId, timestamp: "2024-05-01T02:03:04.567Z",
            provisionedProductId: ServiceCatalogStack(stackName: stackName)?.provisionedProductId)
    }

    static let enriched = Enrichment(
        provisionedProductName: "orders-db-abc", productId: "prod-abcdefghijklm", productName: "Orders database",
        provisioningArtifactName: "v2.1", provisioningArtifactDescription: "Adds a read replica",
        recordErrors: ["CFN_STACK_UPDATE_FAILED: Replica: Parameter group not found"],
        rootCause: Enrichment.RootCause(logicalResourceId: "Replica", resourceType: "AWS::RDS::DBInstance", status: "CREATE_FAILED", reason: "DBParameterGroup not found"))

    /// Failures and enrichments that stretch every field: long and multi-line text, unicode that is several
    /// UTF-16 units or scalars per character, control characters, markdown and chat syntax, nothing at all.
    static func cases() -> [(name: String, failure: StackFailure, enrichment: Enrichment)] {
        let zalgo = "e" + String(repeating: "\u{301}", count: 5_000)
        let family = "👨‍👩‍👧‍👦"
        var huge = enriched
        huge.productName = String(repeating: "注文データベース", count: 3_000)
        huge.provisionedProductName = String(repeating: family, count: 2_000)
        huge.provisioningArtifactDescription = String(repeating: "line\r\n", count: 10_000)
        huge.recordErrors = (0..<200).map { "E\($0): " + String(repeating: "x", count: 10_000) }
        huge.lookupFailures = (0..<50).map { "record rec-\($0): Throttling (" + String(repeating: "slow ", count: 1_000) + ")" }
        huge.rootCause?.reason = String(repeating: "Resource handler returned message: ", count: 10_000)
        var unicode = enriched
        unicode.productName = "Zahlungs\u{00AD}dienst \(zalgo) \u{202E}gnp.exe \u{0000}\u{0007}\u{2028}注文"
        unicode.provisionedProductName = zalgo
        unicode.rootCause?.reason = "\u{FEFF}مرحبا \(family) עברית\n\n\t`code` *bold* _it_ <!channel>"
        var failuresOnly = Enrichment()
        failuresOnly.lookupFailures = ["role arn:aws:iam::111122223333:role/CatalogWatchMember: AccessDenied (not authorized)"]
        return [
            ("enriched", failure(), enriched),
            ("missing enrichment", failure(), Enrichment()),
            ("very long reason", failure(reason: String(repeating: "The resource failed to stabilize. ", count: 20_000)), huge),
            ("unicode", failure(status: "DELETE_FAILED", reason: "\(zalgo)\n\(family)\r\n\u{1F6A8} 失敗 \u{0}"), unicode),
            ("no stack ARN, no event id, no reason", failure(stackName: "network-baseline", withARN: false, reason: nil, eventId: nil), failuresOnly),
            ("long names", failure(stackName: "SC-111122223333-pp-" + String(repeating: "z", count: 300), status: String(repeating: "X", count: 500)), Enrichment()),
        ]
    }

    func testComposedNotificationsAreValid() throws {
        let cases = Self.cases()
        let documents = cases.map { ChatNotification.compose($0.failure, $0.enrichment) }
        let errors = try Self.schemaErrors(documents)
        XCTAssertEqual(errors.count, cases.count)
        for (index, found) in errors.enumerated() {
            XCTAssertEqual(found, [], "\(cases[index].name): \(documents[index].prefix(500))")
        }
        XCTAssertLessThan(documents.map(\.utf8.count).max() ?? 0, 60_000, "far below the SNS message limit")
    }

    /// The schema holds the documented limits: documents just past one are rejected.
    func testSchemaRejectsWhatTheServiceDocumentsAsInvalid() throws {
        func text(_ value: Any) throws -> String { try jsonText(value) }
        let valid: [String: Any] = ["version": "1.0", "source": "custom", "content": ["description": "d"]]
        func with(_ change: (inout [String: Any]) -> Void) throws -> String {
            var doc = valid
            change(&doc)
            return try text(doc)
        }
        func content(_ extra: [String: Any]) -> (inout [String: Any]) -> Void {
            { doc in doc["content"] = (doc["content"] as? [String: Any] ?? [:]).merging(extra) { $1 } }
        }
        let invalid: [(String, String)] = [
            ("version 2.0", try with { $0["version"] = "2.0" }),
            ("version as a number", try with { $0["version"] = 1.0 }),
            ("source", try with { $0["source"] = "aws.cloudformation" }),
            ("no content", try with { $0["content"] = nil }),
            ("no description", try with { $0["content"] = ["title": "t"] }),
            ("description 8,001", try with(content(["description": String(repeating: "d", count: 8_001)]))),
            ("title 251", try with(content(["title": String(repeating: "t", count: 251)]))),
            ("textType", try with(content(["textType": "markdown"]))),
            ("next step 351", try with(content(["nextSteps": [String(repeating: "n", count: 351)]]))),
            ("keyword 76", try with(content(["keywords": [String(repeating: "k", count: 76)]]))),
            ("context value not a string", try with { $0["metadata"] = ["additionalContext": ["a": 1]] }),
            ("enableCustomActions not a boolean", try with { $0["metadata"] = ["enableCustomActions": "true"] }),
            ("misspelt key", try with(content(["nextStep": ["x"]]))),
        ]
        let edges = [
            try with(content(["description": String(repeating: "d", count: 8_000), "title": String(repeating: "t", count: 250),
                              "nextSteps": [String(repeating: "n", count: 350)], "keywords": [String(repeating: "🔥", count: 75)]])),
        ]
        let errors = try Self.schemaErrors(invalid.map(\.1) + edges)
        for (index, (name, _)) in invalid.enumerated() {
            XCTAssertFalse(errors[index].isEmpty, "\(name) must be rejected")
        }
        XCTAssertEqual(errors.last, [], "exactly at the limits (75 emoji are 75 characters) is valid")
    }
}
