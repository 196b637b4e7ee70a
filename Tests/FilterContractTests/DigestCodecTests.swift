import FilterContract
import JSONText
import XCTest

/// `DIGEST`: what the alert stack writes is what the filter reads; the shape's problems name the variable
/// and the entry; the combined setting of several routes holds least.
final class DigestCodecTests: XCTestCase {
    let payments = DigestRouteEntry(
        name: "payments",
        filterPolicy: [(attribute: "account", values: ["111122223333", "444455556666"]), (attribute: "tag.team", values: ["pay\"ments"]),
                       (attribute: "region", values: ["eu-west-1"])],
        digest: DigestSetting(windowSeconds: 600, threshold: 10))
    let audit = DigestRouteEntry(name: "audit", filterPolicy: [], digest: nil)
    let network = DigestRouteEntry(
        name: "network", filterPolicy: [(attribute: "product", values: ["prod-network"])], digest: DigestSetting(windowSeconds: 60, threshold: 1))

    func decoded(_ text: String?, file: StaticString = #filePath, line: UInt = #line) throws -> DigestRules {
        let result = DigestCodec.decode(text)
        XCTAssertEqual(result.problems, [], file: file, line: line)
        return try XCTUnwrap(result.rules, file: file, line: line)
    }

    func problems(_ text: String) -> [String] {
        let result = DigestCodec.decode(text)
        XCTAssertNil(result.rules, text)
        return result.problems
    }

    // MARK: Round trips

    func testEncodesCompactDeterministicJSON() {
        let rules = DigestRules(defaultRoute: .some(DigestSetting(windowSeconds: 300, threshold: 5)), routes: [payments, audit])
        XCTAssertEqual(
            DigestCodec.encode(rules),
            #"{"default":{"window":300,"threshold":5},"routes":["#
                + #"{"name":"payments","filterPolicy":{"account":["111122223333","444455556666"],"tag.team":["pay\"ments"],"region":["eu-west-1"]},"#
                + #""digest":{"window":600,"threshold":10}},"#
                + #"{"name":"audit","filterPolicy":{},"digest":false}]}"#)
        XCTAssertEqual(DigestCodec.encode(DigestRules(defaultRoute: .some(nil), routes: [])), #"{"default":false,"routes":[]}"#)
        XCTAssertEqual(DigestCodec.encode(DigestRules(defaultRoute: nil, routes: [])), #"{"routes":[]}"#)
    }

    func testDefaultWithASettingRoundTrips() throws {
        let rules = DigestRules(defaultRoute: .some(DigestSetting(windowSeconds: 300, threshold: 5)), routes: [payments, audit, network])
        let back = try decoded(DigestCodec.encode(rules))
        XCTAssertEqual(back, rules)
        XCTAssertEqual(back.defaultRoute, .some(DigestSetting(windowSeconds: 300, threshold: 5)))
        XCTAssertEqual(back.routes.map(\.name), ["payments", "audit", "network"], "routes keep their order")
        XCTAssertEqual(back.routes[0].filterPolicy.map(\.attribute), ["account", "tag.team", "region"], "policy keys keep their order")
        XCTAssertEqual(back.routes[0].filterPolicy.map(\.values), [["111122223333", "444455556666"], ["pay\"ments"], ["eu-west-1"]])
        XCTAssertEqual(back.routes.map(\.digest), [DigestSetting(windowSeconds: 600, threshold: 10), nil, DigestSetting(windowSeconds: 60, threshold: 1)])
    }

    func testDefaultOffRoundTripsAsPresentButNil() throws {
        let rules = DigestRules(defaultRoute: .some(nil), routes: [payments])
        let back = try decoded(DigestCodec.encode(rules))
        XCTAssertEqual(back, rules)
        // `.some(nil)`: the layout has the default route and it takes every alert one by one.
        guard case .some(.none) = back.defaultRoute else { return XCTFail("default route: \(String(describing: back.defaultRoute))") }
    }

    func testDefaultAbsentRoundTripsAsNil() throws {
        let rules = DigestRules(defaultRoute: nil, routes: [audit, payments])
        let back = try decoded(DigestCodec.encode(rules))
        XCTAssertEqual(back, rules)
        guard case .none = back.defaultRoute else { return XCTFail("default route: \(String(describing: back.defaultRoute))") }
        XCTAssertEqual(back.routes, [audit, payments])
    }

    func testRouteEntriesCompareTheirPoliciesInOrder() {
        var swapped = payments
        swapped.filterPolicy.swapAt(0, 1)
        XCTAssertNotEqual(swapped, payments)
        var other = payments
        other.filterPolicy[2].values = ["eu-west-2"]
        XCTAssertNotEqual(other, payments)
        var otherDigest = payments
        otherDigest.digest = nil
        XCTAssertNotEqual(otherDigest, payments)
    }

    func testDecodesWhitespaceAndAMissingDigestAsOff() throws {
        let rules = try decoded("""
            {
              "routes": [
                {"name": "ops", "filterPolicy": {"status": ["UPDATE_ROLLBACK_FAILED"]}},
                {"name": "team", "filterPolicy": {}, "digest": {"threshold": 1000, "window": 900}}
              ],
              "default": {"window": 60, "threshold": 1}
            }
            """)
        XCTAssertEqual(rules.defaultRoute, .some(DigestSetting(windowSeconds: 60, threshold: 1)))
        XCTAssertEqual(rules.routes.map(\.name), ["ops", "team"])
        XCTAssertNil(rules.routes[0].digest, "a route without digest takes every alert one by one")
        XCTAssertEqual(rules.routes[0].filterPolicy.map(\.attribute), ["status"])
        XCTAssertEqual(rules.routes[1].digest, DigestSetting(windowSeconds: 900, threshold: 1000))
    }

    func testBlankOrUnsetMeansNoDigests() {
        for text in [nil, "", " ", "\n\t "] as [String?] {
            let result = DigestCodec.decode(text)
            XCTAssertNil(result.rules, String(describing: text))
            XCTAssertEqual(result.problems, [], String(describing: text))
        }
    }

    // MARK: Problems

    func testInvalidJSON() {
        let found = problems(#"{"routes": ["#)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("DIGEST is not valid JSON (invalid JSON: "), found[0])
        XCTAssertEqual(problems("nope").count, 1)
    }

    func testNotAnObjectWithARoutesArray() {
        for text in ["[]", "42", #""routes""#, "{}", #"{"default": false}"#, #"{"routes": {}}"#, #"{"routes": null}"#] {
            XCTAssertEqual(problems(text), ["DIGEST is not an object with a routes array"], text)
        }
    }

    func testARouteWithoutAName() {
        XCTAssertEqual(
            problems(#"{"routes": [{"name": "ok", "filterPolicy": {}}, {"filterPolicy": {}}, {"name": "", "filterPolicy": {}}, {"name": 7}, "x"]}"#),
            ["DIGEST routes[1] has no name", "DIGEST routes[2] has no name", "DIGEST routes[3] has no name", "DIGEST routes[4] has no name"])
    }

    func testABadFilterPolicy() {
        for policy in ["", #","filterPolicy": []"#, #","filterPolicy": {"account": "1"}"#, #","filterPolicy": {"account": []}"#,
                       #","filterPolicy": {"account": [1]}"#, #","filterPolicy": null"#] {
            let text = #"{"routes": [{"name": "payments""# + policy + "}]}"
            XCTAssertEqual(problems(text), ["DIGEST routes[0] (payments) has no filterPolicy object of string lists"], text)
        }
    }

    func testWindowAndThresholdRanges() throws {
        let range = "window must be 60–900 seconds and threshold 1–1000"
        for (window, threshold) in [(59, 5), (901, 5), (0, 5), (-300, 5), (300, 0), (300, 1001), (300, -1)] {
            let setting = #"{"window": \#(window), "threshold": \#(threshold)}"#
            XCTAssertEqual(
                problems(#"{"routes": [{"name": "payments", "filterPolicy": {}, "digest": \#(setting)}]}"#),
                ["DIGEST routes[0] (payments) digest \(range)"], setting)
            XCTAssertEqual(problems(#"{"default": \#(setting), "routes": []}"#), ["DIGEST default \(range)"], setting)
        }
        for (window, threshold) in [(60, 1), (900, 1000), (300, 5)] {
            let rules = try decoded(#"{"default": {"window": \#(window), "threshold": \#(threshold)}, "routes": []}"#)
            XCTAssertEqual(rules.defaultRoute, .some(DigestSetting(windowSeconds: window, threshold: threshold)))
        }
        XCTAssertEqual(DigestSetting.windowRange, 60...900)
        XCTAssertEqual(DigestSetting.thresholdRange, 1...1_000)
    }

    func testSettingsThatAreNeitherFalseNorAnObjectOfIntegers() throws {
        let neither = #"is neither false nor {"window": <seconds>, "threshold": <count>}"#
        for setting in ["true", "null", "300", #""300""#, "[]", "{}", #"{"window": 300}"#, #"{"threshold": 5}"#,
                        #"{"window": 300.5, "threshold": 5}"#, #"{"window": 300, "threshold": 2.5}"#, #"{"window": "300", "threshold": 5}"#,
                        #"{"window": 1e12, "threshold": 5}"#] {
            XCTAssertEqual(problems(#"{"default": \#(setting), "routes": []}"#), ["DIGEST default \(neither)"], setting)
            XCTAssertEqual(
                problems(#"{"routes": [{"name": "payments", "filterPolicy": {}, "digest": \#(setting)}]}"#),
                ["DIGEST routes[0] (payments) digest \(neither)"], setting)
        }
        // An integer written as a float is still an integer.
        let rules = try decoded(#"{"default": {"window": 300.0, "threshold": 5e0}, "routes": []}"#)
        XCTAssertEqual(rules.defaultRoute, .some(DigestSetting(windowSeconds: 300, threshold: 5)))
    }

    func testEveryProblemIsReportedAndNoRulesAreReturned() {
        let text = #"{"default": true, "routes": [{"name": "a", "filterPolicy": {}, "digest": {"window": 30, "threshold": 1}}, {}, "#
            + #"{"name": "b", "filterPolicy": {}, "digest": false}]}"#
        XCTAssertEqual(problems(text), [
            #"DIGEST default is neither false nor {"window": <seconds>, "threshold": <count>}"#,
            "DIGEST routes[0] (a) digest window must be 60–900 seconds and threshold 1–1000",
            "DIGEST routes[1] has no name",
        ])
    }

    // MARK: Rules

    func testIsActiveWhenAnyRouteDigests() {
        let on = DigestSetting(windowSeconds: 300, threshold: 5)
        XCTAssertFalse(DigestRules(defaultRoute: nil, routes: []).isActive)
        XCTAssertFalse(DigestRules(defaultRoute: .some(nil), routes: [audit]).isActive)
        XCTAssertFalse(DigestRules(defaultRoute: nil, routes: [audit, audit]).isActive)
        XCTAssertTrue(DigestRules(defaultRoute: .some(on), routes: []).isActive)
        XCTAssertTrue(DigestRules(defaultRoute: .some(on), routes: [audit]).isActive)
        XCTAssertTrue(DigestRules(defaultRoute: .some(nil), routes: [audit, payments]).isActive)
        XCTAssertTrue(DigestRules(defaultRoute: nil, routes: [network]).isActive)
    }

    func testCombinedTakesTheShortestWindowAndTheLargestThreshold() {
        XCTAssertNil(DigestSetting.combined([]))
        let one = DigestSetting(windowSeconds: 600, threshold: 3)
        XCTAssertEqual(DigestSetting.combined([one]), one)
        XCTAssertEqual(
            DigestSetting.combined([one, DigestSetting(windowSeconds: 120, threshold: 2), DigestSetting(windowSeconds: 900, threshold: 40)]),
            DigestSetting(windowSeconds: 120, threshold: 40))
        XCTAssertEqual(
            DigestSetting.combined([DigestSetting(windowSeconds: 900, threshold: 40), DigestSetting(windowSeconds: 120, threshold: 2), one]),
            DigestSetting(windowSeconds: 120, threshold: 40), "the order does not matter")
    }
}
