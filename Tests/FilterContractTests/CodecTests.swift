import FilterContract
import JSONText
import XCTest

/// `CHAT_ROUTES` and `ROUTE_TAGS`: what the alert stack writes is what the filter reads, and the shape's
/// problems name the variable and the entry. (The filter's own rules: RoutingConfigurationTests.)
final class ChatRoutesCodecTests: XCTestCase {
    let topic = "arn:aws:sns:us-east-1:123456789012:catalogwatch-chat-payments"
    let entries = [
        ChatRouteEntry(
            name: "payments", topicArn: "arn:aws:sns:us-east-1:123456789012:catalogwatch-chat-payments",
            filterPolicy: [(attribute: "account", values: ["111122223333", "444455556666"]), (attribute: "tag.team", values: ["pay\"ments"])]),
        ChatRouteEntry(name: "everything", topicArn: "arn:aws:sns:us-east-1:123456789012:all", filterPolicy: []),
    ]
    /// Accepts every topic ARN and policy: only the shape is checked.
    let shapeOnly = ChatRoutesCodec.Checks(isTopicArn: { _ in true }, policyProblems: { _ in [] })

    func testEncodesCompactDeterministicJSON() {
        XCTAssertEqual(
            ChatRoutesCodec.encode(entries),
            #"[{"name":"payments","topicArn":"arn:aws:sns:us-east-1:123456789012:catalogwatch-chat-payments","#
                + #""filterPolicy":{"account":["111122223333","444455556666"],"tag.team":["pay\"ments"]}},"#
                + #"{"name":"everything","topicArn":"arn:aws:sns:us-east-1:123456789012:all","filterPolicy":{}}]"#)
        XCTAssertEqual(ChatRoutesCodec.encode([]), "[]")
    }

    func testTheLiteralHookWritesEveryStringButTheTopicArn() {
        let entry = ChatRouteEntry(name: "a${b}", topicArn: "${RouteAChatTopic}", filterPolicy: [(attribute: "tag.x", values: ["${v}"])])
        let text = ChatRoutesCodec.encode([entry], literal: { "<" + JSONText.quoted($0) + ">" })
        XCTAssertEqual(text, #"[{"name":<"a${b}">,"topicArn":"${RouteAChatTopic}","filterPolicy":{<"tag.x">:[<"${v}">]}}]"#)
    }

    func testDecodesWhatItEncodes() {
        let decoded = ChatRoutesCodec.decode(ChatRoutesCodec.encode(entries), checks: shapeOnly)
        XCTAssertEqual(decoded.problems, [])
        XCTAssertEqual(decoded.entries, entries)
        XCTAssertEqual(ChatRoutesCodec.decode(nil, checks: shapeOnly).entries, [])
        XCTAssertEqual(ChatRoutesCodec.decode(" \n", checks: shapeOnly).problems, [])
        let trimmed = ChatRoutesCodec.decode(#"[{"name": " p ", "topicArn": "t", "filterPolicy": {}}]"#, checks: shapeOnly)
        XCTAssertEqual(trimmed.entries.map(\.name), ["p"])
    }

    func problems(_ text: String, checks: ChatRoutesCodec.Checks? = nil) -> [String] {
        ChatRoutesCodec.decode(text, checks: checks ?? shapeOnly).problems
    }

    func testShapeProblemsNameTheEntry() {
        XCTAssertEqual(problems("[{"), ["CHAT_ROUTES is not valid JSON (invalid JSON: unexpected end of text (expected a string key in an object) at byte 2)"])
        XCTAssertEqual(problems(#"{"name": "x"}"#), [#"CHAT_ROUTES is a JSON object, not an array of routes ({"name", "topicArn", "filterPolicy"})"#])
        XCTAssertEqual(problems(#"[1, "x"]"#), [
            "CHAT_ROUTES[0] is a number, not an object with name, topicArn and filterPolicy",
            "CHAT_ROUTES[1] is a string, not an object with name, topicArn and filterPolicy",
        ])
        XCTAssertEqual(problems(#"[{"name": " ", "topicArn": 7, "filter": {}}]"#), [
            "CHAT_ROUTES[0] has the unknown key 'filter' (known: name, topicArn, filterPolicy)",
            "CHAT_ROUTES[0] has no name (a non-empty string)",
            "CHAT_ROUTES[0] topicArn a number is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)",
            "CHAT_ROUTES[0] has no filterPolicy (use {} to match every alert)",
        ])
        XCTAssertEqual(problems(#"[{"name": "p", "filterPolicy": {"account": "1"}}]"#), [
            "CHAT_ROUTES[0] (p) topicArn missing is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)",
            #"CHAT_ROUTES[0] (p) filterPolicy key "account" is a string, not a list of strings"#,
        ])
        XCTAssertEqual(
            problems(#"[{"name": "p", "topicArn": "t", "filterPolicy": {}}, {"name": "q", "topicArn": "t", "filterPolicy": {}}, {"name": "p", "topicArn": "u", "filterPolicy": {}}]"#),
            ["CHAT_ROUTES[2] repeats the name 'p' of CHAT_ROUTES[0]"])
    }

    func testPolicyShape() throws {
        func problem(_ json: String) -> String? {
            do {
                _ = try ChatRoutesCodec.filterPolicy(try JSONValue.parse(json))
                return nil
            } catch {
                return (error as? ChatRoutesCodec.PolicyProblem)?.description ?? "\(error)"
            }
        }
        XCTAssertEqual(problem("[]"), "is an array, not an object of string lists")
        XCTAssertEqual(problem(#"{"account": []}"#), #"key "account" has an empty list, which matches no alert"#)
        XCTAssertEqual(problem(#"{"account": [1]}"#), #"key "account" lists a number; only exact strings are supported"#)
        XCTAssertEqual(problem(#"{"a\nb": 1}"#), #"key "a b" is a number, not a list of strings"#)
        let policy = try ChatRoutesCodec.filterPolicy(try JSONValue.parse(#"{"region": ["b", "a"], "account": ["1"]}"#))
        XCTAssertEqual(policy.map(\.attribute), ["region", "account"], "the text's order")
        XCTAssertEqual(policy.map(\.values), [["b", "a"], ["1"]])
    }

    func testTheReadersChecksJoinTheShapeProblemsInFieldOrder() {
        let checks = ChatRoutesCodec.Checks(
            isTopicArn: { $0.hasPrefix("arn:") },
            policyProblems: { policy in policy.map { "uses '\($0.attribute)'" } })
        let text = #"[{"name": "p", "topicArn": "sqs", "filterPolicy": {"stack": ["x"]}}, {"name": "p", "topicArn": "arn:t", "filterPolicy": {}}]"#
        let decoded = ChatRoutesCodec.decode(text, checks: checks)
        XCTAssertEqual(decoded.problems, [
            "CHAT_ROUTES[0] (p) topicArn 'sqs' is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)",
            "CHAT_ROUTES[0] (p) filterPolicy uses 'stack'",
        ])
        XCTAssertEqual(decoded.entries, [ChatRouteEntry(name: "p", topicArn: "arn:t", filterPolicy: [])], "a rejected entry takes no name")
    }
}

final class RouteTagsCodecTests: XCTestCase {
    func testEncodesJoinedByCommas() {
        XCTAssertEqual(RouteTagsCodec.encode(["team", "cost-center"]), "team,cost-center")
        XCTAssertEqual(RouteTagsCodec.decode(RouteTagsCodec.encode(["team", "cost-center"])).keys, ["team", "cost-center"])
    }

    func testDecodesTrimmedKeysWithoutRepeats() {
        XCTAssertEqual(RouteTagsCodec.decode(" team , owner,,team,cost-center\n").keys, ["team", "owner", "cost-center"])
        XCTAssertEqual(RouteTagsCodec.decode("caf\u{E9},cafe\u{301}").keys.count, 2, "repeats compare scalar by scalar")
        XCTAssertEqual(RouteTagsCodec.decode("a b").keys, ["a b"], "validity is the filter's check")
        XCTAssertTrue(RouteTagsCodec.decode(nil) == ([], []))
        XCTAssertTrue(RouteTagsCodec.decode(" \t") == ([], []))
        XCTAssertTrue(RouteTagsCodec.decode(" , ,") == ([], ["ROUTE_TAGS lists no tag key"]))
    }
}
