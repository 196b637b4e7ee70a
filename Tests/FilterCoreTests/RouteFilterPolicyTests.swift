import JSONText
import XCTest

@testable import FilterCore

/// The chat routes' policy language and the routing tags as message attributes. RouteFilterPolicyMotoTests
/// (FilterLambdaTests) holds the evaluator's verdicts against moto's SNS filter-policy evaluation.
final class RouteFilterPolicyTests: XCTestCase {
    func policy(_ json: String) throws -> RouteFilterPolicy {
        try RouteFilterPolicy(json: try JSONValue.parse(json))
    }

    func problem(_ json: String) -> String? {
        do {
            _ = try policy(json)
            return nil
        } catch let error as RouteFilterPolicy.Problem {
            return error.description
        } catch {
            return "not a policy problem: \(error)"
        }
    }

    func attributes(_ pairs: [(String, String)]) -> [MessageAttribute] {
        pairs.map { MessageAttribute(name: $0.0, value: $0.1) }
    }

    func testRejectsWhatIsNotAnObjectOfStringLists() {
        XCTAssertEqual(problem("[]"), "is an array, not an object of string lists")
        XCTAssertEqual(problem(#""account""#), "is a string, not an object of string lists")
        XCTAssertEqual(problem(#"{"account": "111122223333"}"#), #"key "account" is a string, not a list of strings"#)
        XCTAssertEqual(problem(#"{"account": {"prefix": "1111"}}"#), #"key "account" is an object, not a list of strings"#)
        XCTAssertEqual(problem(#"{"account": []}"#), #"key "account" has an empty list, which matches no alert"#)
        XCTAssertEqual(problem(#"{"account": [111122223333]}"#), #"key "account" lists a number; only exact strings are supported"#)
        XCTAssertEqual(problem(#"{"account": [{"anything-but": "x"}]}"#), #"key "account" lists an object; only exact strings are supported"#)
    }

    func testSNSLimitsOnKeysAndCombinations() throws {
        XCTAssertEqual(problem(#"{"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"], "f": ["1"]}"#), "has 6 keys; SNS allows at most 5")
        XCTAssertNil(problem(#"{"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"]}"#))
        let ten = (0..<10).map { "\"v\($0)\"" }.joined(separator: ",")
        let fifteen = (0..<15).map { "\"v\($0)\"" }.joined(separator: ",")
        XCTAssertNil(problem(#"{"a": [\#(ten)], "b": [\#(fifteen)]}"#), "10 x 15 = 150")
        XCTAssertEqual(problem(#"{"a": [\#(ten)], "b": [\#(fifteen), "x"]}"#), "has 160 combinations of values; SNS allows at most 150")
    }

    func testEmptyPolicyMatchesEveryAlert() throws {
        let all = try policy("{}")
        XCTAssertTrue(all.matches([]))
        XCTAssertTrue(all.matches(attributes([("account", "111122223333")])))
    }

    func testAndAcrossKeysOrWithinALine() throws {
        let p = try policy(#"{"account": ["111122223333", "444455556666"], "tag.team": ["payments"]}"#)
        XCTAssertTrue(p.matches(attributes([("account", "111122223333"), ("tag.team", "payments")])))
        XCTAssertTrue(p.matches(attributes([("tag.team", "payments"), ("region", "eu-west-1"), ("account", "444455556666")])))
        XCTAssertFalse(p.matches(attributes([("account", "111122223333")])), "tag.team missing")
        XCTAssertFalse(p.matches(attributes([("account", "777788889999"), ("tag.team", "payments")])))
        XCTAssertFalse(p.matches(attributes([("account", "111122223333"), ("tag.team", "platform")])))
    }

    func testExactScalarComparison() throws {
        let p = try policy(#"{"tag.team": ["Payments", "caf\u00e9"]}"#)
        XCTAssertFalse(p.matches(attributes([("tag.team", "payments")])), "case-sensitive")
        XCTAssertFalse(p.matches(attributes([("tag.team", "Payments ")])), "no trimming")
        XCTAssertTrue(p.matches(attributes([("tag.team", "caf\u{E9}")])))
        XCTAssertFalse(p.matches(attributes([("tag.team", "cafe\u{301}")])), "canonically equivalent is not equal")
        XCTAssertFalse(p.matches(attributes([("TAG.team", "Payments")])), "attribute names are case-sensitive")
    }

    func testRoutingTagKeysMustMakeValidAttributeNames() {
        for good in ["team", "owner", "cost-center", "app.tier", "Team_2", String(repeating: "k", count: 128)] {
            XCTAssertNil(RouteTags.problem(key: good), good)
        }
        for bad in ["", "aws:cloudformation:stack-name", "cost center", "team.", ".team", "a..b", "チーム", "a/b", String(repeating: "k", count: 129)] {
            XCTAssertNotNil(RouteTags.problem(key: bad), bad)
        }
        XCTAssertFalse(RouteTags.isValidAttributeName("AWS.team"))
        XCTAssertFalse(RouteTags.isValidAttributeName("amazon.x"))
        XCTAssertTrue(RouteTags.isValidAttributeName("tag.aws.x"))
        XCTAssertFalse(RouteTags.isValidAttributeName(String(repeating: "a", count: 257)))
    }

    func testStackTagsBecomeAttributesAfterTheAlertsOwn() {
        var enrichment = Enrichment(productName: "Orders database")
        enrichment.stackTags = ["team": "payments", "owner": "  alice\n", "empty": " ", "bad key": "x"]
        let alert = AlertComposer.compose(Fixture.failure(), enrichment)
        XCTAssertEqual(alert.messageAttributes.map(\.name), ["account", "region", "status", "product", "tag.owner", "tag.team"])
        XCTAssertEqual(alert.messageAttributes.last(where: { $0.name == "tag.owner" })?.value, "alice")
        XCTAssertEqual(AlertComposer.compose(Fixture.failure()).messageAttributes.map(\.name), ["account", "region", "status", "product"])
    }
}
