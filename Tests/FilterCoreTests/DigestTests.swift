import FilterContract
import JSONText
import XCTest

@testable import FilterCore

/// The pure half of storm digests: which alerts may be held (and with which setting), their group and
/// window, what the ledger keeps of a failure, and which failures a flushed group alerts.
final class DigestTests: XCTestCase {
    static let fast = DigestSetting(windowSeconds: 120, threshold: 2)
    static let slow = DigestSetting(windowSeconds: 600, threshold: 10)
    static let middle = DigestSetting(windowSeconds: 300, threshold: 5)

    static func attributes(account: String = "111122223333", region: String = "eu-west-1", team: String? = nil) -> [MessageAttribute] {
        [MessageAttribute(name: "account", value: account), MessageAttribute(name: "region", value: region),
         MessageAttribute(name: "status", value: "UPDATE_ROLLBACK_FAILED"), MessageAttribute(name: "product", value: "prod-abcdefghijklm")]
            + (team.map { [MessageAttribute(name: "tag.team", value: $0)] } ?? [])
    }

    static func route(_ name: String, _ policy: [(attribute: String, values: [String])], _ digest: DigestSetting?) -> DigestRouteEntry {
        DigestRouteEntry(name: name, filterPolicy: policy, digest: digest)
    }

    // MARK: DigestPolicy.scope

    func testTheDefaultRouteAlone() {
        let policy = DigestPolicy(DigestRules(defaultRoute: .some(Self.middle), routes: []))
        XCTAssertEqual(policy.scope(Self.attributes()), DigestScope(setting: Self.middle, routes: ["(default)"]))
        XCTAssertEqual(policy.scope([]), DigestScope(setting: Self.middle, routes: ["(default)"]), "the default route gets every alert")
        XCTAssertEqual(DigestPolicy.defaultRouteName, "(default)")
    }

    func testARouteThatDoesNotDigestStopsHoldingOnlyWhenItMatches() {
        let policy = DigestPolicy(DigestRules(defaultRoute: .some(Self.middle), routes: [
            Self.route("payments", [(attribute: "tag.team", values: ["payments"])], nil),
        ]))
        XCTAssertNil(policy.scope(Self.attributes(team: "payments")), "the payments route wants every alert one by one")
        XCTAssertEqual(policy.scope(Self.attributes(team: "network")), DigestScope(setting: Self.middle, routes: ["(default)"]))
        XCTAssertEqual(policy.scope(Self.attributes()), DigestScope(setting: Self.middle, routes: ["(default)"]))
    }

    func testTheDefaultRouteOffHoldsNothing() {
        let policy = DigestPolicy(DigestRules(defaultRoute: .some(nil), routes: [
            Self.route("all", [], Self.slow),
        ]))
        XCTAssertNil(policy.scope(Self.attributes()))
        XCTAssertNil(policy.scope([]))
    }

    func testNoDefaultRouteAndNoMatchingRouteHoldsNothing() {
        let policy = DigestPolicy(DigestRules(defaultRoute: nil, routes: [
            Self.route("payments", [(attribute: "tag.team", values: ["payments"])], Self.slow),
            Self.route("eu", [(attribute: "region", values: ["eu-west-1", "eu-central-1"]), (attribute: "account", values: ["444455556666"])], Self.fast),
        ]))
        XCTAssertNil(policy.scope(Self.attributes(team: "network")), "it goes nowhere")
        XCTAssertNil(policy.scope(Self.attributes(region: "eu-central-1")), "every key of a policy must match")
        XCTAssertEqual(policy.scope(Self.attributes(team: "payments")), DigestScope(setting: Self.slow, routes: ["payments"]))
        XCTAssertEqual(
            policy.scope(Self.attributes(account: "444455556666", region: "eu-central-1")), DigestScope(setting: Self.fast, routes: ["eu"]))
    }

    func testSeveralMatchingRoutesCombineTheirSettings() {
        let policy = DigestPolicy(DigestRules(defaultRoute: .some(Self.middle), routes: [
            Self.route("payments", [(attribute: "tag.team", values: ["payments"])], Self.slow),
            Self.route("other-team", [(attribute: "tag.team", values: ["network"])], nil),
            Self.route("eu", [(attribute: "region", values: ["eu-west-1"])], Self.fast),
        ]))
        let scope = policy.scope(Self.attributes(team: "payments"))
        XCTAssertEqual(scope?.routes, ["(default)", "payments", "eu"], "DIGEST order, the default route first")
        XCTAssertEqual(scope?.setting, DigestSetting(windowSeconds: 120, threshold: 10), "the shortest window and the largest threshold")
        XCTAssertEqual(policy.scope(Self.attributes(region: "us-east-1", team: "payments")),
                       DigestScope(setting: DigestSetting(windowSeconds: 300, threshold: 10), routes: ["(default)", "payments"]))
        XCTAssertNil(policy.scope(Self.attributes(team: "network")))

        let noDefault = DigestPolicy(DigestRules(defaultRoute: nil, routes: [
            Self.route("eu", [(attribute: "region", values: ["eu-west-1"])], Self.fast),
            Self.route("payments", [(attribute: "tag.team", values: ["payments"])], Self.slow),
        ]))
        XCTAssertEqual(noDefault.scope(Self.attributes(team: "payments")),
                       DigestScope(setting: DigestSetting(windowSeconds: 120, threshold: 10), routes: ["eu", "payments"]))
    }

    // MARK: DigestScope

    func testWindowsAreAlignedToMultiplesOfTheirLength() {
        let scope = DigestScope(setting: Self.middle, routes: ["(default)"])
        XCTAssertTrue(scope.window(at: 1_000_123) == (999_900, 1_000_200))
        XCTAssertTrue(scope.window(at: 999_900) == (999_900, 1_000_200), "a window starts at its start")
        XCTAssertTrue(scope.window(at: 1_000_199) == (999_900, 1_000_200))
        XCTAssertTrue(scope.window(at: 1_000_200) == (1_000_200, 1_000_500), "and ends where the next starts")
        XCTAssertTrue(scope.window(at: 0) == (0, 300))
        XCTAssertTrue(scope.window(at: -1) == (-300, 0), "negative times round down, not toward zero")
        XCTAssertTrue(scope.window(at: -300) == (-300, 0))
        XCTAssertTrue(scope.window(at: -301) == (-600, -300))
        let minute = DigestScope(setting: DigestSetting(windowSeconds: 60, threshold: 1), routes: [])
        XCTAssertTrue(minute.window(at: 1_764_892_859) == (1_764_892_800, 1_764_892_860))
        let quarter = DigestScope(setting: DigestSetting(windowSeconds: 900, threshold: 1), routes: [])
        XCTAssertTrue(quarter.window(at: 1_764_893_699) == (1_764_892_800, 1_764_893_700))
    }

    func testGroupKeys() {
        let scope = DigestScope(setting: Self.middle, routes: ["(default)", "payments"])
        XCTAssertNil(scope.groupKey(productId: nil, provisioningArtifactId: "pa-abc", at: 1_000_123))
        XCTAssertNil(scope.groupKey(productId: "", provisioningArtifactId: "pa-abc", at: 1_000_123))
        XCTAssertEqual(scope.groupKey(productId: "prod-abc", provisioningArtifactId: nil, at: 1_000_123), "digest|prod-abc|(default),payments|999900")
        XCTAssertEqual(scope.groupKey(productId: "prod-abc", provisioningArtifactId: "pa-xyz", at: 1_000_123), "digest|prod-abc/pa-xyz|(default),payments|999900")
        XCTAssertEqual(
            scope.groupKey(productId: "prod-abc", provisioningArtifactId: "pa-xyz", at: 1_000_199),
            scope.groupKey(productId: "prod-abc", provisioningArtifactId: "pa-xyz", at: 999_900), "one window, one group")
        XCTAssertNotEqual(
            scope.groupKey(productId: "prod-abc", provisioningArtifactId: "pa-xyz", at: 1_000_200),
            scope.groupKey(productId: "prod-abc", provisioningArtifactId: "pa-xyz", at: 1_000_199), "the next window is another group")
        let other = DigestScope(setting: Self.middle, routes: ["(default)"])
        XCTAssertEqual(other.groupKey(productId: "prod-abc", provisioningArtifactId: "pa-xyz", at: -1), "digest|prod-abc/pa-xyz|(default)|-300")
    }

    // MARK: DigestEntry

    static func failure(
        account: String = "111122223333", region: String = "eu-west-1", stackName: String = "SC-111122223333-pp-abcdefghijklm",
        withId: Bool = true, status: String = "UPDATE_ROLLBACK_FAILED", reason: String? = "The following resource(s) failed to update: [Bucket].",
        eventId: String? = "evt-1", timestamp: String? = "2025-12-05T00:01:02.345Z", provisionedProductId: String? = "pp-abcdefghijklm"
    ) -> StackFailure {
        let id = withId ? "arn:aws:cloudformation:\(region):\(account):stack/\(stackName)/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0" : nil
        return StackFailure(
            account: account, region: region, partition: "aws", stackId: id, stackARN: id.flatMap { StackARN(parsing: $0) }, stackName: stackName,
            status: status, reason: reason, eventId: eventId, timestamp: timestamp, provisionedProductId: provisionedProductId)
    }

    func testAnEntryWithEveryFieldRoundTrips() throws {
        let failure = Self.failure()
        let entry = DigestEntry(failure)
        XCTAssertEqual(entry.json, #"{"account":"111122223333","region":"eu-west-1","partition":"aws","status":"UPDATE_ROLLBACK_FAILED","#
            + #""stackName":"SC-111122223333-pp-abcdefghijklm","#
            + #""stackId":"arn:aws:cloudformation:eu-west-1:111122223333:stack/SC-111122223333-pp-abcdefghijklm/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0","#
            + #""reason":"The following resource(s) failed to update: [Bucket].","timestamp":"2025-12-05T00:01:02.345Z","eventId":"evt-1","#
            + #""provisionedProductId":"pp-abcdefghijklm"}"#)
        let back = try XCTUnwrap(DigestEntry(json: entry.json))
        XCTAssertEqual(back, entry)
        XCTAssertEqual(back.failure, failure, "the failure again, with its parsed stack ARN")
        XCTAssertNotNil(back.failure.stackARN)
    }

    func testAnEntryWithoutTheOptionalFieldsRoundTrips() throws {
        let failure = Self.failure(withId: false, reason: nil, eventId: nil, timestamp: nil, provisionedProductId: nil)
        let entry = DigestEntry(failure)
        XCTAssertEqual(entry.json, #"{"account":"111122223333","region":"eu-west-1","partition":"aws","status":"UPDATE_ROLLBACK_FAILED","#
            + #""stackName":"SC-111122223333-pp-abcdefghijklm"}"#)
        let back = try XCTUnwrap(DigestEntry(json: entry.json))
        XCTAssertEqual(back, entry)
        XCTAssertNil(back.stackId)
        XCTAssertNil(back.reason)
        XCTAssertNil(back.timestamp)
        XCTAssertNil(back.eventId)
        XCTAssertNil(back.provisionedProductId)
        XCTAssertEqual(back.failure, failure)
    }

    func testAnEntryKeepsItsFieldsOnOneLineAndShort() throws {
        let entry = DigestEntry(Self.failure(reason: "line one\r\nline two\t" + String(repeating: "x", count: 1_000)))
        let reason = try XCTUnwrap(entry.reason)
        XCTAssertTrue(reason.hasPrefix("line one line two x"), reason)
        XCTAssertLessThanOrEqual(reason.count, 300)
        XCTAssertFalse(reason.contains("\n"))
        XCTAssertEqual(try XCTUnwrap(DigestEntry(json: entry.json)), entry)
    }

    func testAnEntryNeedsAccountRegionStatusAndStackName() throws {
        for key in ["account", "region", "status", "stackName"] {
            var members: [(key: String, value: JSONValue)] = [
                ("account", .string("111122223333")), ("region", .string("eu-west-1")), ("status", .string("DELETE_FAILED")), ("stackName", .string("s")),
            ]
            XCTAssertNotNil(DigestEntry(json: JSONValue.object(members).serialized()))
            members.removeAll { $0.key == key }
            XCTAssertNil(DigestEntry(json: JSONValue.object(members).serialized()), key)
        }
        XCTAssertNil(DigestEntry(json: #"{"account":1,"region":"r","status":"s","stackName":"n"}"#), "not a string")
        XCTAssertNil(DigestEntry(json: "[]"))
        XCTAssertNil(DigestEntry(json: "{"))
        XCTAssertNil(DigestEntry(json: ""))
        let minimal = try XCTUnwrap(DigestEntry(json: #"{"account":"a","region":"r","status":"s","stackName":"n"}"#))
        XCTAssertEqual(minimal.partition, "aws", "the partition defaults to aws")
    }

    // MARK: DigestContent

    static func subject(threshold: Int = 3, attributes: [MessageAttribute] = attributes(team: "payments")) -> DigestContent.Subject {
        DigestContent.Subject(
            productId: "prod-abcdefghijklm", productName: "Orders database", provisioningArtifactId: "pa-0123456789abc", provisioningArtifactName: "v2",
            attributes: attributes, setting: DigestSetting(windowSeconds: 300, threshold: threshold))
    }

    static func entry(_ n: Int, status: String = "UPDATE_ROLLBACK_FAILED") -> DigestEntry {
        DigestEntry(failure(stackName: "stack-\(n)", status: status, eventId: "evt-\(n)", timestamp: "2025-12-05T00:00:\(n < 10 ? "0" : "")\(n).000Z"))
    }

    func content(_ entries: [DigestEntry], threshold: Int = 3, alertedSingly: Set<String> = []) -> DigestContent {
        DigestContent(subject: Self.subject(threshold: threshold), entries: entries, alertedSingly: alertedSingly, windowStart: 999_900, windowEnd: 1_000_200)
    }

    func testHeldSkipsTheFirstThresholdEntries() {
        let entries = (0..<8).map { Self.entry($0) }
        XCTAssertEqual(content(entries, threshold: 3).held, Array(entries[3...]))
        XCTAssertEqual(content(entries, threshold: 1).held, Array(entries[1...]))
        XCTAssertEqual(content(entries, threshold: 8).held, [])
        XCTAssertEqual(content(entries, threshold: 20).held, [])
        XCTAssertEqual(content([], threshold: 1).held, [])
    }

    func testHeldSkipsEntriesAlertedSingly() {
        let entries = (0..<8).map { Self.entry($0) }
        let held = content(entries, threshold: 3, alertedSingly: [entries[4].json, entries[6].json, "not an entry"]).held
        XCTAssertEqual(held, [entries[3], entries[5], entries[7]])
        XCTAssertEqual(content(entries, threshold: 3, alertedSingly: Set(entries.map(\.json))).held, [])
    }

    func testHeldListsAFailureDeliveredTwiceOnce() {
        let entries = (0..<6).map { Self.entry($0) }
        let twice = [entries[0], entries[1], entries[2], entries[3], entries[4], entries[3], entries[5], entries[4]]
        XCTAssertEqual(content(twice, threshold: 3).held, [entries[3], entries[4], entries[5]])
        // The same failure with another event id (the EventBridge and SNS deliveries of one event) is still one.
        var again = entries[5]
        again.eventId = "other-delivery"
        XCTAssertEqual(content(entries + [again], threshold: 3).held, [entries[3], entries[4], entries[5]])
        // Another status of the same stack at the same time is another failure.
        let otherStatus = Self.entry(5, status: "DELETE_FAILED")
        XCTAssertEqual(content(entries + [otherStatus], threshold: 3).held, [entries[3], entries[4], entries[5], otherStatus])
    }

    func testHeldTellsFailuresWithoutAStackIdByAccountRegionAndName() {
        func bare(_ account: String, _ region: String, _ name: String) -> DigestEntry {
            DigestEntry(Self.failure(account: account, region: region, stackName: name, withId: false, timestamp: nil))
        }
        let a = bare("111122223333", "eu-west-1", "s")
        let entries = [bare("111122223333", "eu-west-1", "first"), bare("111122223333", "eu-west-1", "second"), a, a,
                       bare("444455556666", "eu-west-1", "s"), bare("111122223333", "us-east-1", "s"), bare("111122223333", "eu-west-1", "t"), a]
        XCTAssertEqual(content(entries, threshold: 2).held, [a, entries[4], entries[5], entries[6]])
    }

    func testASubjectRoundTrips() throws {
        let subject = Self.subject(threshold: 7)
        XCTAssertEqual(subject.json, #"{"productId":"prod-abcdefghijklm","productName":"Orders database","provisioningArtifactId":"pa-0123456789abc","#
            + #""provisioningArtifactName":"v2","window":300,"threshold":7,"attributes":[["account","111122223333"],["region","eu-west-1"],"#
            + #"["status","UPDATE_ROLLBACK_FAILED"],["product","prod-abcdefghijklm"],["tag.team","payments"]]}"#)
        let back = try XCTUnwrap(DigestContent.Subject(json: subject.json))
        XCTAssertEqual(back, subject)
        XCTAssertEqual(back.attributes.last, MessageAttribute(name: "tag.team", value: "payments"))

        let bare = DigestContent.Subject(
            productId: "prod-x", productName: nil, provisioningArtifactId: nil, provisioningArtifactName: nil, attributes: [],
            setting: DigestSetting(windowSeconds: 900, threshold: 1000))
        XCTAssertEqual(bare.json, #"{"productId":"prod-x","window":900,"threshold":1000,"attributes":[]}"#)
        XCTAssertEqual(try XCTUnwrap(DigestContent.Subject(json: bare.json)), bare)
    }

    func testASubjectNeedsItsProductSettingAndAttributes() {
        XCTAssertNil(DigestContent.Subject(json: #"{"window":300,"threshold":1,"attributes":[]}"#))
        XCTAssertNil(DigestContent.Subject(json: #"{"productId":"p","threshold":1,"attributes":[]}"#))
        XCTAssertNil(DigestContent.Subject(json: #"{"productId":"p","window":300,"attributes":[]}"#))
        XCTAssertNil(DigestContent.Subject(json: #"{"productId":"p","window":300,"threshold":1}"#))
        XCTAssertNil(DigestContent.Subject(json: #"{"productId":"p","window":"300","threshold":1,"attributes":[]}"#))
        XCTAssertNil(DigestContent.Subject(json: "not json"))
        XCTAssertNotNil(DigestContent.Subject(json: #"{"productId":"p","window":300,"threshold":1,"attributes":[]}"#))
        // Malformed attribute pairs are dropped, the rest kept.
        let subject = DigestContent.Subject(json: #"{"productId":"p","window":300,"threshold":1,"attributes":[["a","1"],["b"],["c",2],"d",["e","5","x"],["f","6"]]}"#)
        XCTAssertEqual(subject?.attributes, [MessageAttribute(name: "a", value: "1"), MessageAttribute(name: "f", value: "6")])
    }
}
