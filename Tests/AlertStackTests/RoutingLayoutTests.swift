import Foundation
import XCTest

@testable import AlertStack
@testable import Layout

/// Bad layouts for the routing and guardrail keys (positions as in `badLayouts`: the extra lines start at line 5).
let routingBadLayouts: [BadLayout] = {
    let route = "routes:\n  - name: x\n    email: a@example.com\n"
    return [
        BadLayout("route match with an unknown attribute", layoutText(route + "    match:\n      produkt: [x]\n"),
                  key: "routes[0].match.produkt", value: "unknown attribute 'produkt'", at: 9, 7, suggestion: "product"),
        BadLayout("route with an empty match", layoutText(route + "    match: {}\n"),
                  key: "routes[0].match", value: "is empty", at: 8, 12),
        BadLayout("route without a match", layoutText(route),
                  key: "routes[0].match", value: "is required", at: 6, 5),
        BadLayout("duplicate route names",
                  layoutText(route + "    match: {account: [\"111122223333\"]}\n  - name: x\n    email: b@example.com\n    match: {account: [\"111122223333\"]}\n"),
                  key: "routes[1].name", value: "duplicate route name 'x'", at: 9, 5),
        BadLayout("chat route without chat configuration", layoutText("routes:\n  - name: ops\n    chat: {}\n    match: {status: [ROLLBACK_COMPLETE]}\n"),
                  key: "routes[0].chat", value: "needs its channel", at: 7, 11),
        BadLayout("chat route without its Slack channel id",
                  layoutText("routes:\n  - name: ops\n    chat:\n      slack: {workspaceId: T0123}\n    match: {status: [ROLLBACK_COMPLETE]}\n"),
                  key: "routes[0].chat.slack.channelId", value: "is required", at: 8, 14),
        BadLayout("route with two destinations", layoutText(route + "    https: https://h.example.com\n    match: {account: [\"111122223333\"]}\n"),
                  key: "routes[0]", value: "has 2 destinations", at: 8, 12),
        BadLayout("route tag not in routeTags", layoutText(route + "    match:\n      tags: {team: [payments]}\n"),
                  key: "routes[0].match.tags.team", value: "is not in routeTags", at: 9, 14),
        BadLayout("route status no alert carries", layoutText(route + "    match: {status: [CREATE_COMPLETE]}\n"),
                  key: "routes[0].match.status[0]", value: "'CREATE_COMPLETE' is not a status an alert carries", at: 8, 22),
        BadLayout("route with a bad queue ARN", layoutText("routes:\n  - name: x\n    sqs: arn:aws:sqs:us-east-1:1234:q\n    match: {account: [\"111122223333\"]}\n"),
                  key: "routes[0].sqs", value: "is not an SQS queue ARN", at: 7, 10),
        BadLayout("default route off without routes", layoutText("defaultRoute: false\n"),
                  key: "defaultRoute", value: "no route is listed", at: 5, 15),
        BadLayout("route tag that cannot name an attribute", layoutText("routeTags: [\"aws:team\"]\n"),
                  key: "routeTags[0]", value: "cannot name a message attribute", at: 5, 13),
        BadLayout("tag with the reserved aws: prefix", layoutText("tags: {\"aws:owner\": platform}\n"),
                  key: "tags.aws:owner", value: "reserved prefix", at: 5, 8),
        BadLayout("runbook that is not https", layoutText("runbooks: {default: http://wiki.example.com}\n"),
                  key: "runbooks.default", value: "'http://wiki.example.com' is not an https:// URL", at: 5, 21),
        BadLayout("console sign-in without its role", layoutText("consoleSignIn: {startUrl: https://d-1234567890.awsapps.com/start}\n"),
                  key: "consoleSignIn.roleName", value: "is required", at: 5, 16),
        BadLayout("boundary that is a role ARN", layoutText("permissionsBoundary: arn:aws:iam::111122223333:role/x\n"),
                  key: "permissionsBoundary", value: "is not a managed policy ARN", at: 5, 22),
        BadLayout("role path without the closing slash", layoutText("rolePath: /platform\n"),
                  key: "rolePath", value: "is not an IAM path", at: 5, 11),
        BadLayout("single-Region key for two regions",
                  layoutText("encryption: {kms: \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"}\n"),
                  key: "encryption.kms", value: "single-Region key", at: 5, 19),
        BadLayout("encryption other than kms", layoutText("encryption: {sse: s3}\n"),
                  key: "encryption", value: "must be {kms: generate}", at: 5, 13),
        BadLayout("digest window beyond SQS's delay", layoutText("digest: {window: 20m, threshold: 3}\n"),
                  key: "digest.window", value: "SQS delays the digest's flush at most 15 minutes", at: 5, 18),
        BadLayout("heartbeat too often", layoutText("heartbeat: 1m\n"),
                  key: "heartbeat", value: "must be off or an interval from 5m to 12h", at: 5, 12),
    ]
}()

final class RoutingLayoutTests: XCTestCase {
    func testEveryBadRoutingOrGuardrailLayoutIsRejectedWithKeyValueAndPosition() {
        assertRejected(routingBadLayouts)
    }

    func testTheEnterpriseExampleIsReadWithItsRoutesAndGuardrails() throws {
        let url = repositoryRoot.appendingPathComponent("examples/layouts/enterprise.yaml")
        let result = LayoutReader.read(try String(contentsOf: url, encoding: .utf8), file: "enterprise.yaml")
        let layout = try XCTUnwrap(result.layout, "\(result.diagnostics)")
        XCTAssertEqual(layout.routes.map(\.name), ["payments", "data-platform-chat", "sandbox-webhook", "triage-function", "audit-queue"])
        XCTAssertEqual(layout.routes.map(\.logicalName), ["Payments", "DataPlatformChat", "SandboxWebhook", "TriageFunction", "AuditQueue"])
        XCTAssertEqual(layout.routes[0].match.filterPolicy.map(\.attribute), ["product", "tag.team"])
        XCTAssertEqual(layout.routes[1].destination, .chat(.slack(workspaceId: "T0123ABCD", channelId: "C0123ABCDEF")))
        XCTAssertEqual(layout.routeTags, ["team"])
        XCTAssertEqual(layout.tags, [Layout.Tag("cost-center", "1234"), Layout.Tag("owner", "platform")])
        XCTAssertEqual(layout.permissionsBoundary, "arn:aws:iam::111122223333:policy/landing-zone-boundary")
        XCTAssertEqual(layout.rolePath, "/platform/")
        XCTAssertEqual(layout.encryption, .generatedKey)
        XCTAssertTrue(layout.defaultRoute)
    }

    func testChatRoutesThatWouldOverflowTheFiltersEnvironmentAreRejected() {
        let route = { (i: Int) in
            "  - name: chat-route-\(i)\n    chat: {slack: {workspaceId: T0123ABCD, channelId: C0123ABCD\(i)}}\n    match: {product: [product-with-a-long-name-\(i)]}\n"
        }
        let few = LayoutReader.read(layoutText("routes:\n" + (0..<5).map(route).joined()), file: "few.yaml")
        XCTAssertEqual(few.errors, [])
        let many = LayoutReader.read(layoutText("routes:\n" + (0..<20).map(route).joined()), file: "many.yaml")
        XCTAssertEqual(many.errors.map(\.keyPath), ["routes"])
        XCTAssertTrue(many.errors.first?.message.contains("CHAT_ROUTES") == true, "\(many.errors)")
        XCTAssertEqual(many.errors.first?.line, 6)
    }

    func testRouteArnsAreNotFlaggedAsHardCodedButOtherArnsStillAre() throws {
        let url = repositoryRoot.appendingPathComponent("examples/layouts/enterprise.yaml")
        let layout = try XCTUnwrap(LayoutReader.read(try String(contentsOf: url, encoding: .utf8), file: "enterprise.yaml").layout)
        let body = try AlertStack.template(for: layout).rendered(.yaml)
        XCTAssertTrue(body.contains("arn:aws:lambda:eu-west-1:111122223333:function:alert-triage"))
        let (_, findings) = Validation.checkTemplate(text: body, file: "alert-stack.yaml", layout: layout)
        XCTAssertEqual(findings.filter { $0.severity == .error }.map(\.message), [])
        // The same ARN without the layout that names it is a hard-coded region again.
        let (_, unknown) = Validation.checkTemplate(text: body, file: "alert-stack.yaml", layout: nil)
        XCTAssertTrue(unknown.contains { $0.rule == "hard-coded-region" && $0.message.contains("alert-triage") }, "\(unknown)")
    }

    func testAMultiRegionKeyIsAcceptedAndUsedAsEachRegionsReplica() throws {
        let text = layoutText("encryption: {kms: \"arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab\"}\n")
        let layout = try XCTUnwrap(LayoutReader.read(text, file: "k.yaml").layout)
        let topic = AlertStack.template(for: layout).resource("ReceiveTopic")
        XCTAssertEqual(topic?.property("KmsMasterKeyId"), .sub("arn:${AWS::Partition}:kms:${AWS::Region}:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"))
    }
}
