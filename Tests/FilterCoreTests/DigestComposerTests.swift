import AWSIdentifiers
import FilterContract
import Foundation
import JSONText
import TestSupport
import XCTest

@testable import FilterCore

/// The digest of a storm: its subject, the counts by reason, account and region, the structured JSON, the
/// SNS message within its size, the chat notification within the schema's limits, and the enrichment a
/// held failure's single alert falls back to.
final class DigestComposerTests: XCTestCase {
    static let accounts = (0..<10).map { "11112222333\($0)" }
    static let regions = ["eu-west-1", "us-east-1", "ap-northeast-1"]
    static let reasons = ["Resource handler returned message: Access Denied", "DBParameterGroup not found"]
    /// 2025-12-05T00:00:00Z, the start of a 5-minute window.
    static let windowStart: Int64 = 1_764_892_800

    static let attributes = [
        MessageAttribute(name: "account", value: "111122223333"), MessageAttribute(name: "region", value: "eu-west-1"),
        MessageAttribute(name: "status", value: "UPDATE_ROLLBACK_FAILED"), MessageAttribute(name: "product", value: "prod-abcdefghijklm"),
        MessageAttribute(name: "tag.team", value: "payments"), MessageAttribute(name: "tag.cost-center", value: "cc-42"),
    ]

    static func subject(productName: String? = "Orders database", threshold: Int = 3, attributes: [MessageAttribute] = attributes) -> DigestContent.Subject {
        DigestContent.Subject(
            productId: "prod-abcdefghijklm", productName: productName, provisioningArtifactId: "pa-0123456789abc", provisioningArtifactName: "v2",
            attributes: attributes, setting: DigestSetting(windowSeconds: 300, threshold: threshold))
    }

    /// Failure `i` of a storm: account `i % 10`, region `i % 3`, reason `i % 2`, its own stack.
    static func entry(_ i: Int, reason: String? = nil) -> DigestEntry {
        let account = accounts[i % accounts.count]
        let region = regions[i % regions.count]
        let stackName = "SC-\(account)-pp-storm\(i)"
        let stackId = "arn:aws:cloudformation:\(region):\(account):stack/\(stackName)/0f1e2d3c-4b5a-4978-8796-\(i)"
        return DigestEntry(StackFailure(
            account: account, region: region, partition: "aws", stackId: stackId, stackARN: StackARN(parsing: stackId), stackName: stackName,
            status: "UPDATE_ROLLBACK_FAILED", reason: reason ?? reasons[i % reasons.count], eventId: "evt-\(i)", timestamp: "2025-12-05T00:01:02.345Z",
            provisionedProductId: "pp-storm\(i)"))
    }

    static func storm(_ count: Int = 50, subject: DigestContent.Subject = subject(), reason: ((Int) -> String)? = nil) -> DigestContent {
        DigestContent(
            subject: subject, entries: (0..<count).map { entry($0, reason: reason?($0)) }, alertedSingly: [],
            windowStart: windowStart, windowEnd: windowStart + 300)
    }

    static let links = ConsoleLinks(
        productVersion: "https://eu-west-1.console.aws.amazon.com/servicecatalog/home?region=eu-west-1#admin-products/prod-abcdefghijklm/version/pa-0123456789abc",
        runbook: "https://wiki.example.com/runbooks/orders-database")

    /// The lines of `text` after the line `title` up to the next blank line.
    func section(_ title: String, of text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: title) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }

    func number(_ value: JSONValue?, file: StaticString = #filePath, line: UInt = #line) -> Double? {
        guard case .number(let n)? = value else {
            XCTFail("not a number: \(String(describing: value))", file: file, line: line)
            return nil
        }
        return n
    }

    /// `[{"value", "count"}]` as pairs.
    func countList(_ value: JSONValue?) -> [(String, Int)] {
        (value?.arrayValue ?? []).map { ($0["value"]?.stringValue ?? "?", Int(number($0["count"]) ?? -1)) }
    }

    // The held failures of a 50-failure storm with threshold 3 are failures 3...49: reasons 24 × odd, 23 × even;
    // accounts 3...9 five times each, then 0, 1, 2 four times each (ties in order of first appearance);
    // regions 16 × i % 3 == 0 (first: failure 3), 16 × 1, 15 × 2.
    static let byReason = [(reasons[1], 24), (reasons[0], 23)]
    static let byAccount = [3, 4, 5, 6, 7, 8, 9].map { (accounts[$0], 5) } + [0, 1, 2].map { (accounts[$0], 4) }
    static let byRegion = [(regions[0], 16), (regions[1], 16), (regions[2], 15)]

    // MARK: Subject

    func testTheSubjectCountsTheHeldFailures() {
        let alert = DigestComposer.compose(Self.storm())
        XCTAssertEqual(alert.subject, "CatalogWatch: 47 more failures of Orders database v2 (5 min digest)")
        let one = DigestComposer.compose(Self.storm(4))
        XCTAssertEqual(one.subject, "CatalogWatch: 1 more failure of Orders database v2 (5 min digest)")
        var noName = Self.storm(10, subject: Self.subject(productName: nil))
        noName.subject.provisioningArtifactName = nil
        XCTAssertEqual(DigestComposer.compose(noName).subject, "CatalogWatch: 7 more failures of prod-abcdefghijklm (5 min digest)")
    }

    func testTheSubjectFitsSNSWithALongProductName() {
        for name in [String(repeating: "Orders database ", count: 19), String(repeating: "注", count: 300), String(repeating: "🚨", count: 300),
                     "line\none\r\n" + String(repeating: "x", count: 300)] {
            let subject = DigestComposer.compose(Self.storm(subject: Self.subject(productName: name))).subject
            XCTAssertLessThanOrEqual(subject.utf16.count, AlertComposer.maxSubjectLength, subject)
            XCTAssertTrue(subject.hasPrefix("CatalogWatch: 47 more failures of "), subject)
            XCTAssertTrue(subject.hasSuffix("… (5 min digest)"), subject)
            XCTAssertFalse(subject.contains("\n") || subject.contains("\r"), subject)
        }
        XCTAssertEqual(AlertComposer.maxSubjectLength, 99)
    }

    // MARK: Text

    func testTheTextCountsByReasonAccountAndRegion() throws {
        let alert = DigestComposer.compose(Self.storm(), links: Self.links)
        let lines = alert.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(Array(lines.prefix(7)), [
            "47 more CloudFormation stack failures of Orders database v2 within 5 min.", "",
            "Product:             Orders database (prod-abcdefghijklm)",
            "Version:             v2 (pa-0123456789abc)",
            "Window:              2025-12-05T00:00:00Z to 2025-12-05T00:05:00Z",
            "Alerted one by one:  the first 3 of the window (their own alerts), then this digest", "",
        ])
        XCTAssertEqual(section("By reason:", of: alert.text), Self.byReason.map { "  \($0.1) × \($0.0)" })
        XCTAssertEqual(section("By account:", of: alert.text), Self.byAccount.map { "  \($0.1) × \($0.0)" })
        XCTAssertEqual(section("By region:", of: alert.text), Self.byRegion.map { "  \($0.1) × \($0.0)" })
        let failures = section("Failures:", of: alert.text)
        XCTAssertEqual(failures.count, 47, "every held failure is listed")
        XCTAssertEqual(failures.first, "  - 111122223333/eu-west-1 UPDATE_ROLLBACK_FAILED SC-111122223333-pp-storm3 (pp-storm3): DBParameterGroup not found")
        XCTAssertEqual(failures.last, "  - 111122223339/us-east-1 UPDATE_ROLLBACK_FAILED SC-111122223339-pp-storm49 (pp-storm49): DBParameterGroup not found")
        XCTAssertFalse(alert.text.contains("more, in the counts above"))
        XCTAssertTrue(alert.text.hasSuffix("\nProduct version: \(Self.links.productVersion!)\nRunbook: \(Self.links.runbook!)\n"), alert.text)
    }

    // MARK: Structured JSON

    func testTheStructuredJSON() throws {
        let alert = DigestComposer.compose(Self.storm(), links: Self.links)
        let json = try JSONValue.parse(alert.structured)
        XCTAssertEqual(json["type"], .string("CatalogWatchDigest"))
        XCTAssertEqual(json["version"], .number(1))
        XCTAssertEqual(json["count"], .number(47))
        XCTAssertEqual(json["alertedOneByOne"], .number(3))
        XCTAssertEqual(json["unlisted"], .number(0))
        XCTAssertEqual(json["productId"], .string("prod-abcdefghijklm"))
        XCTAssertEqual(json["productName"], .string("Orders database"))
        XCTAssertEqual(json["provisioningArtifactId"], .string("pa-0123456789abc"))
        XCTAssertEqual(json["provisioningArtifactName"], .string("v2"))
        XCTAssertEqual(json["windowStart"], .string("2025-12-05T00:00:00Z"))
        XCTAssertEqual(json["windowEnd"], .string("2025-12-05T00:05:00Z"))
        XCTAssertEqual(json["links"]?["productVersion"], .string(Self.links.productVersion!))
        XCTAssertEqual(json["links"]?["runbook"], .string(Self.links.runbook!))

        let byAccount = countList(json["byAccount"])
        XCTAssertEqual(byAccount.map(\.1).reduce(0, +), 47)
        XCTAssertEqual(byAccount.map(\.0), Self.byAccount.map(\.0))
        XCTAssertEqual(byAccount.map(\.1), Self.byAccount.map(\.1))
        XCTAssertEqual(countList(json["byReason"]).map(\.0), Self.byReason.map(\.0))
        XCTAssertEqual(countList(json["byReason"]).map(\.1), Self.byReason.map(\.1))
        XCTAssertEqual(countList(json["byRegion"]).map(\.0), Self.byRegion.map(\.0))
        XCTAssertEqual(countList(json["byRegion"]).map(\.1), Self.byRegion.map(\.1))

        let failures = try XCTUnwrap(json["failures"]?.arrayValue)
        XCTAssertEqual(failures.count, 47)
        XCTAssertEqual(failures.first?["stackName"], .string("SC-111122223333-pp-storm3"))
        XCTAssertEqual(failures.first?["account"], .string("111122223333"))
        XCTAssertEqual(failures.first?["reason"], .string("DBParameterGroup not found"))
        XCTAssertEqual(failures.first?["provisionedProductId"], .string("pp-storm3"))
        XCTAssertEqual(failures.first?["timestamp"], .string("2025-12-05T00:01:02.345Z"))

        let bare = DigestComposer.compose(Self.storm(5, subject: DigestContent.Subject(
            productId: "prod-x", productName: nil, provisioningArtifactId: nil, provisioningArtifactName: nil, attributes: [],
            setting: DigestSetting(windowSeconds: 60, threshold: 1))))
        let bareJSON = try JSONValue.parse(bare.structured)
        XCTAssertEqual(bareJSON["productName"], .null)
        XCTAssertEqual(bareJSON["provisioningArtifactId"], .null)
        XCTAssertEqual(bareJSON["links"]?["runbook"], .null)
        XCTAssertEqual(bareJSON["count"], .number(4))
        XCTAssertEqual(bare.subject, "CatalogWatch: 4 more failures of prod-x (1 min digest)")
    }

    // MARK: SNS message and attributes

    func testTheMessageAttributesAreTheFirstAlertsUnchanged() {
        // The same attributes take the same routes; none is added (SQS subscribers take at most 10).
        let alert = DigestComposer.compose(Self.storm())
        XCTAssertEqual(alert.messageAttributes, Self.attributes)
        let others = [MessageAttribute(name: "account", value: "444455556666"), MessageAttribute(name: "tag.team", value: "network")]
        XCTAssertEqual(DigestComposer.compose(Self.storm(subject: Self.subject(attributes: others))).messageAttributes, others)
        XCTAssertEqual(DigestComposer.compose(Self.storm(subject: Self.subject(attributes: []))).messageAttributes, [])
    }

    func testTheSNSMessageHasABodyPerProtocol() throws {
        let alert = DigestComposer.compose(Self.storm(), links: Self.links)
        let message = try JSONValue.parse(alert.snsMessage)
        guard case .object(let members) = message else { return XCTFail(alert.snsMessage) }
        XCTAssertEqual(members.map(\.key), ["default", "email", "sqs", "lambda", "https"])
        XCTAssertEqual(message["default"], .string(alert.text))
        XCTAssertEqual(message["email"], .string(alert.text))
        for key in ["sqs", "lambda", "https"] { XCTAssertEqual(message[key], .string(alert.structured), key) }
    }

    func testAHugeStormFitsSNSAndCountsWhatItDoesNotList() throws {
        let long = String(repeating: "Resource handler returned message: \"The request rate is too high\" ", count: 5)
        let content = Self.storm(5_000) { "R\($0 % 7) " + long }
        let alert = DigestComposer.compose(content)
        XCTAssertLessThanOrEqual(alert.snsMessage.utf8.count, AlertComposer.maxMessageBytes)
        XCTAssertTrue(alert.subject.hasPrefix("CatalogWatch: 4997 more failures of "), alert.subject)

        let json = try JSONValue.parse(alert.structured)
        XCTAssertEqual(json["count"], .number(4_997))
        let listed = try XCTUnwrap(json["failures"]?.arrayValue).count
        XCTAssertGreaterThan(listed, 0, "as many failures as fit are listed")
        XCTAssertLessThan(listed, 4_997)
        XCTAssertEqual(json["unlisted"], .number(Double(4_997 - listed)))
        XCTAssertEqual(countList(json["byAccount"]).map(\.1).reduce(0, +), 4_997, "the counts cover every held failure")
        XCTAssertEqual(countList(json["byReason"]).map(\.1).reduce(0, +), 4_997)
        XCTAssertEqual(countList(json["byReason"]).count, 7)

        let failures = section("Failures:", of: alert.text)
        XCTAssertEqual(failures.count, listed + 1)
        XCTAssertEqual(failures.last, "  (\(4_997 - listed) more, in the counts above)")
        XCTAssertTrue(failures.dropLast().allSatisfy { $0.hasPrefix("  - ") })
        // Reasons are cut to one line of at most 160 characters in the digest.
        let reasonCounts = section("By reason:", of: alert.text)
        XCTAssertEqual(reasonCounts.count, 7)
        for line in reasonCounts {
            let reason = try XCTUnwrap(line.split(separator: "×", maxSplits: 1).last).dropFirst()
            XCTAssertLessThanOrEqual(reason.count, 160, line)
            XCTAssertTrue(reason.hasSuffix("…"), line)
        }
    }

    // MARK: Chat

    func testTheChatNotification() throws {
        let text = DigestComposer.chatNotification(Self.storm(), links: Self.links)
        let json = try JSONValue.parse(text)
        XCTAssertEqual(json["version"], .string("1.0"))
        XCTAssertEqual(json["source"], .string("custom"))
        XCTAssertEqual(json["content"]?["textType"], .string("client-markdown"))
        XCTAssertEqual(json["content"]?["title"], .string("47 more failures: Orders database v2"))
        let description = try XCTUnwrap(json["content"]?["description"]?.stringValue)
        XCTAssertEqual(description.split(separator: "\n").map(String.init), [
            "*Window:* 5 min after the first 3 alerts",
            "*Reasons:* " + Self.byReason.map { "\($0.0) (\($0.1))" }.joined(separator: ", "),
            "*Accounts:* " + Self.byAccount.map { "\($0.0) (\($0.1))" }.joined(separator: ", "),
            "*Regions:* " + Self.byRegion.map { "\($0.0) (\($0.1))" }.joined(separator: ", "),
            "*Product version:* \(Self.links.productVersion!)",
            "*Runbook:* \(Self.links.runbook!)",
        ])
        XCTAssertEqual(json["content"]?["nextSteps"], .array([.string("Follow the runbook: \(Self.links.runbook!)")]))
        XCTAssertEqual(json["metadata"]?["threadId"], .string("prod-abcdefghijklm/pa-0123456789abc"))
        XCTAssertEqual(json["metadata"]?["eventType"], .string("CatalogWatchDigest"))

        let noRunbook = try JSONValue.parse(DigestComposer.chatNotification(Self.storm()))
        XCTAssertEqual(noRunbook["content"]?["nextSteps"], .array([]))
    }

    func testTheChatNotificationStaysWithinTheSchemasLimits() throws {
        let hugeName = String(repeating: "注文データベース🚨", count: 300)
        let huge = Self.storm(5_000, subject: Self.subject(productName: hugeName)) { "R\($0) " + String(repeating: "é", count: 400) }
        var documents: [String] = []
        for content in [Self.storm(), huge] {
            let text = DigestComposer.chatNotification(content, links: Self.links)
            documents.append(text)
            let json = try JSONValue.parse(text)
            let title = try XCTUnwrap(json["content"]?["title"]?.stringValue)
            let description = try XCTUnwrap(json["content"]?["description"]?.stringValue)
            XCTAssertLessThanOrEqual(title.utf16.count, ChatNotification.maxTitle)
            XCTAssertLessThanOrEqual(description.utf16.count, ChatNotification.maxDescription)
            for step in json["content"]?["nextSteps"]?.arrayValue ?? [] {
                XCTAssertLessThanOrEqual(step.stringValue?.utf16.count ?? .max, ChatNotification.maxNextStep)
            }
        }
        XCTAssertEqual(ChatNotification.maxTitle, 250)
        XCTAssertEqual(ChatNotification.maxDescription, 8_000)
        let hugeTitle = try XCTUnwrap(try JSONValue.parse(documents[1])["content"]?["title"]?.stringValue)
        XCTAssertTrue(hugeTitle.hasPrefix("4997 more failures: 注文データベース🚨"), hugeTitle)

        // The documented schema, as ChatNotificationSchemaTests checks the single alerts' notifications.
        guard Tools.hasPythonModule("jsonschema") else {
            throw XCTSkip("python3 has no jsonschema module: scripts/ensure-deps test installs it (with cfn-lint)")
        }
        let schema = Tools.packageRoot.appendingPathComponent("Tests/Fixtures/chat/custom-notification.schema.json").path
        let script = """
            import json, sys, jsonschema
            validator = jsonschema.Draft7Validator(json.load(open(sys.argv[1], encoding='utf-8')))
            documents = json.loads(sys.stdin.buffer.read().decode('utf-8'))
            print(json.dumps([[f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(d)] for d in documents]))
            """
        let output = try Tools.python3(script, arguments: [schema], input: Array(("[" + documents.joined(separator: ",") + "]").utf8))
        XCTAssertEqual(try XCTUnwrap(try parseJSON(output) as? [[String]], output), [[], []])
    }

    // MARK: Enrichment

    func testTheEnrichmentOfAHeldFailureComesFromTheSubject() {
        let enrichment = DigestComposer.enrichment(Self.subject())
        XCTAssertEqual(enrichment.stackTags, ["team": "payments", "cost-center": "cc-42"])
        XCTAssertEqual(enrichment.productId, "prod-abcdefghijklm")
        XCTAssertEqual(enrichment.productName, "Orders database")
        XCTAssertEqual(enrichment.provisioningArtifactId, "pa-0123456789abc")
        XCTAssertEqual(enrichment.provisioningArtifactName, "v2")
        XCTAssertNil(enrichment.provisionedProductName)
        XCTAssertNil(enrichment.rootCause)
        XCTAssertEqual(enrichment.recordErrors, [])

        let bare = DigestComposer.enrichment(DigestContent.Subject(
            productId: "prod-x", productName: nil, provisioningArtifactId: nil, provisioningArtifactName: nil,
            attributes: [MessageAttribute(name: "account", value: "1"), MessageAttribute(name: "team", value: "not a tag")],
            setting: DigestSetting(windowSeconds: 60, threshold: 1)))
        XCTAssertEqual(bare, Enrichment(productId: "prod-x"), "only tag.* attributes are stack tags")
    }

    // MARK: Timestamps

    func testISO8601() {
        // Checked with python: datetime.fromtimestamp(s, timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ').
        XCTAssertEqual(CivilTime.iso8601(epochSeconds: 0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(CivilTime.iso8601(epochSeconds: 951_782_400), "2000-02-29T00:00:00Z")
        XCTAssertEqual(CivilTime.iso8601(epochSeconds: 1_764_892_800), "2025-12-05T00:00:00Z")
        XCTAssertEqual(CivilTime.iso8601(epochSeconds: 1_000_123), "1970-01-12T13:48:43Z")
        XCTAssertEqual(CivilTime.iso8601(epochSeconds: 4_102_444_799), "2099-12-31T23:59:59Z")
        XCTAssertEqual(CivilTime.iso8601(epochSeconds: -1), "1969-12-31T23:59:59Z")
        XCTAssertEqual(CivilTime.iso8601(epochSeconds: -86_400), "1969-12-31T00:00:00Z")
    }
}
