import XCTest
import FilterCore
@testable import FilterLambda

/// `ROUTE_TAGS` and `CHAT_ROUTES`: what is accepted, and a problem naming the variable for everything else.
final class RoutingConfigurationTests: XCTestCase {
    let valid = [
        "ALERT_TOPIC_ARN": "arn:aws:sns:ap-northeast-1:123456789012:catalogwatch-alerts",
        "MEMBER_ROLE_NAME": "CatalogWatchMember",
        "AWS_REGION": "ap-northeast-1",
    ]
    let chatTopic = "arn:aws:sns:us-east-1:123456789012:catalogwatch-chat-payments"

    func configuration(_ extra: [String: String]) throws(FilterConfiguration.Problem) -> FilterConfiguration {
        try FilterConfiguration.from(environment: valid.merging(extra) { $1 })
    }

    func problem(_ extra: [String: String]) -> String? {
        do {
            _ = try configuration(extra)
            return nil
        } catch {
            return error.description
        }
    }

    func assertProblem(_ extra: [String: String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let message = problem(extra) else { return XCTFail("accepted: \(extra)", file: file, line: line) }
        XCTAssertTrue(message.contains(expected), "\(expected) missing from: \(message)", file: file, line: line)
    }

    func testWithoutRoutingSettings() throws {
        let c = try configuration([:])
        XCTAssertEqual(c.routeTags, [])
        XCTAssertEqual(c.chatRoutes, [])
        XCTAssertEqual(try configuration(["ROUTE_TAGS": "  ", "CHAT_ROUTES": ""]).chatRoutes, [])
    }

    func testRouteTags() throws {
        XCTAssertEqual(try configuration(["ROUTE_TAGS": " team , owner,,team,cost-center "]).routeTags, ["team", "owner", "cost-center"])
        assertProblem(["ROUTE_TAGS": "team,cost center"], "ROUTE_TAGS key 'cost center' would make the message attribute name \"tag.cost center\"")
        assertProblem(["ROUTE_TAGS": "aws:cloudformation:stack-name"], "ROUTE_TAGS key 'aws:cloudformation:stack-name' would make")
        assertProblem(["ROUTE_TAGS": "team."], "ROUTE_TAGS key 'team.' would make")
        assertProblem(["ROUTE_TAGS": String(repeating: "k", count: 129)], "is not a tag key (1 to 128 characters)")
        assertProblem(["ROUTE_TAGS": ",,"], "ROUTE_TAGS lists no tag key")
        assertProblem(["ROUTE_TAGS": "a,b,c,d,e,f,g"], "ROUTE_TAGS lists 7 tag keys; at most 6 fit")
        XCTAssertEqual(try configuration(["ROUTE_TAGS": "a,b,c,d,e,f"]).routeTags.count, 6)
    }

    func testChatRoutes() throws {
        let routes = """
            [{"name": "payments", "topicArn": "\(chatTopic)", "filterPolicy": {"account": ["111122223333"], "tag.team": ["payments"]}},
             {"name": "everything", "topicArn": "arn:aws:sns:ap-northeast-1:123456789012:all", "filterPolicy": {}}]
            """
        let c = try configuration(["ROUTE_TAGS": "team", "CHAT_ROUTES": routes])
        XCTAssertEqual(c.chatRoutes.map(\.name), ["payments", "everything"])
        XCTAssertEqual(c.chatRoutes.first?.topicArn, chatTopic)
        XCTAssertEqual(c.chatRoutes.first?.filterPolicy.conditions, [
            RouteFilterPolicy.Condition(attribute: "account", values: ["111122223333"]),
            RouteFilterPolicy.Condition(attribute: "tag.team", values: ["payments"]),
        ])
        XCTAssertEqual(c.chatRoutes.last?.filterPolicy.conditions, [])
        XCTAssertEqual(try configuration(["CHAT_ROUTES": "[]"]).chatRoutes, [])
    }

    func testBadChatRoutesAreNamed() {
        assertProblem(["CHAT_ROUTES": "[{"], "CHAT_ROUTES is not valid JSON")
        assertProblem(["CHAT_ROUTES": #"{"name": "x"}"#], "CHAT_ROUTES is a JSON object, not an array of routes")
        assertProblem(["CHAT_ROUTES": #"["payments"]"#], "CHAT_ROUTES[0] is a string, not an object with name, topicArn and filterPolicy")
        assertProblem(["CHAT_ROUTES": #"[{"topicArn": "\#(chatTopic)", "filterPolicy": {}}]"#], "CHAT_ROUTES[0] has no name")
        assertProblem(
            ["CHAT_ROUTES": #"[{"name": "p", "topicArn": "arn:aws:sqs:us-east-1:123456789012:q", "filterPolicy": {}}]"#],
            "CHAT_ROUTES[0] (p) topicArn 'arn:aws:sqs:us-east-1:123456789012:q' is not an SNS topic ARN")
        assertProblem(["CHAT_ROUTES": #"[{"name": "p", "topicArn": 7, "filterPolicy": {}}]"#], "CHAT_ROUTES[0] (p) topicArn a number is not an SNS topic ARN")
        assertProblem(["CHAT_ROUTES": #"[{"name": "p", "filterPolicy": {}}]"#], "CHAT_ROUTES[0] (p) topicArn missing is not an SNS topic ARN")
        assertProblem(["CHAT_ROUTES": #"[{"name": "p", "topicArn": "\#(chatTopic)"}]"#], "CHAT_ROUTES[0] (p) has no filterPolicy (use {} to match every alert)")
        assertProblem(
            ["CHAT_ROUTES": #"[{"name": "p", "topicArn": "\#(chatTopic)", "filterPolicy": {"account": "111122223333"}}]"#],
            #"CHAT_ROUTES[0] (p) filterPolicy key "account" is a string, not a list of strings"#)
        assertProblem(
            ["CHAT_ROUTES": #"[{"name": "p", "topicArn": "\#(chatTopic)", "filterPolicy": ["account"]}]"#],
            "CHAT_ROUTES[0] (p) filterPolicy is an array, not an object of string lists")
        assertProblem(
            ["CHAT_ROUTES": #"[{"name": "p", "topicArn": "\#(chatTopic)", "filterPolicy": {"tag.team": ["payments"]}}]"#],
            "CHAT_ROUTES[0] (p) filterPolicy uses 'tag.team', but ROUTE_TAGS does not name the tag 'team'")
        assertProblem(
            ["CHAT_ROUTES": #"[{"name": "p", "topicArn": "\#(chatTopic)", "filterPolicy": {"stack": ["x"]}}]"#],
            "CHAT_ROUTES[0] (p) filterPolicy uses 'stack', which alerts do not carry")
        assertProblem(
            ["CHAT_ROUTES": #"[{"name": "p", "topicArn": "\#(chatTopic)", "filterPolicy": {}, "filter": {}}]"#],
            "CHAT_ROUTES[0] has the unknown key 'filter'")
        assertProblem(
            ["CHAT_ROUTES": #"[{"name": "p", "topicArn": "\#(chatTopic)", "filterPolicy": {}}, {"name": "p", "topicArn": "\#(chatTopic)", "filterPolicy": {}}]"#],
            "CHAT_ROUTES[1] repeats the name 'p' of CHAT_ROUTES[0]")
    }

    func testEveryRoutingProblemIsReportedWithTheOthers() throws {
        let message = try XCTUnwrap(problem(["ALERT_TOPIC_ARN": "", "ROUTE_TAGS": "a b", "CHAT_ROUTES": "nope"]))
        for part in ["ALERT_TOPIC_ARN is not set", "ROUTE_TAGS key 'a b'", "CHAT_ROUTES is not valid JSON"] {
            XCTAssertTrue(message.contains(part), "\(part) missing from: \(message)")
        }
    }
}
