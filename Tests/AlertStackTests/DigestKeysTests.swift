import CloudFormation
import FilterContract
import XCTest

@testable import AlertStack
@testable import Layout

/// `digest` (top level and per route): read and checked, passed to the filter as `DIGEST` and
/// `DIGEST_QUEUE_URL`, with the digest queue, its mapping, the ledger and the grants they need.
final class DigestKeysTests: XCTestCase {
    let routes = """
        routes:
          - name: team-a
            email: a@example.com
            match: {product: [alpha]}
          - name: machine
            lambda: arn:aws:lambda:ap-northeast-1:111122223333:function:triage
            match: {status: [DELETE_FAILED]}
            digest: off
          - name: slow
            email: slow@example.com
            match: {account: ["444455556666"]}
            digest: {window: 900, threshold: 10}

        """

    func testTheLayoutsDigestAppliesToTheDefaultRouteAndToRoutesWithoutTheirOwn() throws {
        let result = LayoutReader.read(layoutText("digest: {window: 5m, threshold: 3}\n" + routes), file: "digest.yaml")
        let layout = try XCTUnwrap(result.layout, "\(result.diagnostics)")
        XCTAssertEqual(layout.digest, Layout.Digest(windowSeconds: 300, threshold: 3))
        XCTAssertEqual(layout.routes.map(\.digest), [.inherit, .off, .on(Layout.Digest(windowSeconds: 900, threshold: 10))])
        let rules = layout.digestRules
        XCTAssertEqual(rules.defaultRoute, .some(DigestSetting(windowSeconds: 300, threshold: 3)))
        XCTAssertEqual(rules.routes.map(\.digest), [DigestSetting(windowSeconds: 300, threshold: 3), nil, DigestSetting(windowSeconds: 900, threshold: 10)])
        XCTAssertTrue(layout.usesDigests)
        XCTAssertTrue(layout.usesAlertLedger, "digests hold failures in the ledger, even without EventBridge")

        let template = AlertStack.template(for: layout)
        let variables = template.resource(AlertStack.Names.filterFunction)?.property("Environment")?["Variables"]
        let digest = try XCTUnwrap(variables?[FilterVariable.digest.name]?.stringValue)
        XCTAssertEqual(DigestCodec.decode(digest).rules, rules, "the filter reads what the layout says")
        XCTAssertNotNil(variables?[FilterVariable.digestQueueURL.name])
        XCTAssertNotNil(variables?[FilterVariable.alertLedgerTable.name])
        for name in [AlertStack.Names.digestQueue, AlertStack.Names.digestDeadLetterQueue, AlertStack.Names.digestSourceMapping,
                     AlertStack.Names.digestDeadLetterAlarm, AlertStack.Names.alertLedger] {
            XCTAssertNotNil(template.resource(name), name)
        }
        let roles = try StackSetArtifacts.rolesTemplate(for: layout).rendered(.yaml)
        XCTAssertTrue(roles.contains("ScheduleAndReadDigestFlushes"))
        XCTAssertTrue(roles.contains("${NamePrefix}-digest\n"), "the filter's grant names the digest queue, not every queue")
        XCTAssertTrue(roles.contains("RecordAlertsSent"))
        XCTAssertTrue(roles.contains("Sid: AlertLedger"), "the StackSet execution role may create the ledger without EventBridge")
    }

    func testDigestsAreOffByDefaultAndOffMeansNothingIsAdded() throws {
        for extra in ["", "digest: off\n", "digest: false\n"] {
            let layout = try XCTUnwrap(LayoutReader.read(layoutText(extra), file: "plain.yaml").layout, extra)
            XCTAssertNil(layout.digest)
            XCTAssertFalse(layout.usesDigests)
            XCTAssertFalse(layout.usesAlertLedger)
            let template = AlertStack.template(for: layout)
            XCTAssertNil(template.resource(AlertStack.Names.digestQueue))
            XCTAssertNil(template.resource(AlertStack.Names.alertLedger))
            guard case .object(let fields)? = template.resource(AlertStack.Names.filterFunction)?.property("Environment")?["Variables"] else {
                return XCTFail("no variables")
            }
            XCTAssertFalse(fields.contains { $0.key == FilterVariable.digest.name || $0.key == FilterVariable.digestQueueURL.name })
        }
        // A route may digest on its own while the layout does not.
        let own = """
            routes:
              - name: team-a
                email: a@example.com
                match: {product: [alpha]}
                digest: {window: 90s, threshold: 1}

            """
        let layout = try XCTUnwrap(LayoutReader.read(layoutText(own), file: "own.yaml").layout)
        XCTAssertTrue(layout.usesDigests)
        XCTAssertEqual(layout.digestRules.defaultRoute, .some(nil), "the default route still gets every alert")
        XCTAssertEqual(layout.digestRules.routes.first?.digest, DigestSetting(windowSeconds: 90, threshold: 1))
    }

    func testBadValuesAreNamedWithTheirPosition() {
        let cases: [(String, String, String)] = [
            ("digest: {window: 20m, threshold: 3}\n", "digest.window", "SQS delays the digest's flush at most 15 minutes"),
            ("digest: {window: 30s, threshold: 3}\n", "digest.window", "must be 60s to 15m"),
            ("digest: {window: 5h, threshold: 3}\n", "digest.window", "must be 60s to 15m"),
            ("digest: {window: 5m, threshold: 0}\n", "digest.threshold", "whole number from 1 to 1000"),
            ("digest: {window: 5m}\n", "digest.threshold", "is required"),
            ("digest: {window: 5m, threshold: 3, windw: 1}\n", "digest.windw", "unknown key"),
            ("digest: on\n", "digest", "must be off or a mapping"),
        ]
        for (extra, key, message) in cases {
            let diagnostics = LayoutReader.read(layoutText(extra), file: "bad.yaml").diagnostics
            XCTAssertTrue(diagnostics.contains { $0.keyPath == key && $0.message.contains(message) && $0.line == 5 && $0.severity == .error },
                          "\(key): \(diagnostics.map { "\($0.line ?? 0) \($0.keyPath) \($0.message)" })")
        }
        let route = "routes:\n  - name: a\n    email: a@example.com\n    match: {product: [x]}\n    digest: {window: 5m, threshold: many}\n"
        let diagnostics = LayoutReader.read(layoutText(route), file: "bad.yaml").diagnostics
        XCTAssertTrue(diagnostics.contains { $0.keyPath == "routes[0].digest.threshold" && $0.line == 9 }, "\(diagnostics)")
    }

    func testTheDigestVariableCountsAgainstTheEnvironmentBudget() {
        let many = (0..<40).map { i in
            "  - name: team-\(i)\n    email: t\(i)@example.com\n    match: {product: [\(String(repeating: "p", count: 60))-\(i)]}\n"
        }.joined()
        let diagnostics = LayoutReader.read(layoutText("digest: {window: 5m, threshold: 3}\nroutes:\n" + many), file: "big.yaml").diagnostics
        XCTAssertTrue(diagnostics.contains { $0.keyPath == "digest" && $0.message.contains("DIGEST") && $0.severity == .error }, "\(diagnostics.map(\.message))")
    }

    func testThePlanSaysWhichRoutesDigest() throws {
        let layout = try XCTUnwrap(LayoutReader.read(layoutText("digest: {window: 5m, threshold: 3}\n" + routes), file: "digest.yaml").layout)
        let lines = PlanText.digests(layout)
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(lines[1].hasPrefix("  default: the first 3 failures of a product version within 5 min"))
        XCTAssertEqual(lines[3], "  machine: every alert one by one")
        XCTAssertTrue(lines[4].contains("the first 10 failures") && lines[4].contains("15 min"))
        XCTAssertEqual(PlanText.digests(Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"])), [])
    }
}
