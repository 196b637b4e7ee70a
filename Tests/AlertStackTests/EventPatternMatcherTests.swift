import Foundation
import XCTest

/// The test matcher itself, rule by rule, each with a matching and a non-matching case, mostly on the examples
/// of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
/// eb-create-pattern-operators.html, so that FailureEventPatternTests can trust it.
final class EventPatternMatcherTests: XCTestCase {
    /// The EC2 sample event of the EventBridge documentation, with a few extra detail fields.
    static let ec2Event = #"""
        {
          "version": "0",
          "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
          "detail-type": "EC2 Instance State-change Notification",
          "source": "aws.ec2",
          "account": "111122223333",
          "time": "2017-12-22T18:43:48Z",
          "region": "us-west-1",
          "resources": [
            "arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0",
            "arn:aws:ec2:us-west-1:123456789012:volume/vol-049df61146c4d7901"
          ],
          "detail": {
            "instance-id": "i-1234567890abcdef0",
            "state": "terminated",
            "c-count": 5,
            "x-limit": 301.8,
            "empty": "",
            "nothing": null,
            "flag": true,
            "FilePath": "/usr/lib/libssl.so",
            "tags": { "team": "payments" }
          }
        }
        """#

    func assertMatch(_ pattern: String, _ event: String = ec2Event, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try EventPatternMatcher.matches(pattern: pattern, event: event), true, "should match: \(pattern)", file: file, line: line)
    }

    func assertNoMatch(_ pattern: String, _ event: String = ec2Event, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try EventPatternMatcher.matches(pattern: pattern, event: event), false, "should not match: \(pattern)", file: file, line: line)
    }

    func assertInvalid(_ pattern: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try EventPatternMatcher.matches(pattern: pattern, event: Self.ec2Event), pattern, file: file, line: line)
    }

    // MARK: Structure

    func testDocumentationExample() {
        assertMatch(#"{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["terminated"]}}"#)
        assertNoMatch(#"{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["running"]}}"#)
    }

    func testAlternativesAreOr() {
        assertMatch(#"{"source": ["aws.ec2", "aws.fargate"]}"#)
        assertNoMatch(#"{"source": ["aws.s3", "aws.fargate"]}"#)
    }

    func testFieldsAreAnd() {
        assertMatch(#"{"source": ["aws.ec2"], "region": ["us-west-1"]}"#)
        assertNoMatch(#"{"source": ["aws.ec2"], "region": ["us-east-1"]}"#)
    }

    func testNestedObjectsMatchNestedFields() {
        assertMatch(#"{"detail": {"tags": {"team": ["payments"]}}}"#)
        assertNoMatch(#"{"detail": {"tags": {"team": ["identity"]}}}"#)
        // A nested pattern does not match a scalar field, nor a leaf pattern an object field.
        assertNoMatch(#"{"detail": {"state": {"name": ["terminated"]}}}"#)
        assertNoMatch(#"{"detail": {"tags": ["payments"]}}"#)
    }

    func testAFieldMissingFromTheEventFails() {
        assertMatch(#"{"detail": {"instance-id": ["i-1234567890abcdef0"]}}"#)
        assertNoMatch(#"{"detail": {"instance-type": ["t3.micro"]}}"#)
        assertNoMatch(#"{"detail-type": ["EC2 Instance State-change Notification"], "version": ["0"], "missing": {"deeper": ["x"]}}"#)
    }

    func testEventArrayMatchesIfAnyElementMatches() {
        assertMatch(#"{"resources": ["arn:aws:ec2:us-west-1:123456789012:volume/vol-049df61146c4d7901"]}"#)
        assertNoMatch(#"{"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-0000000000000000"]}"#)
    }

    func testEventArrayOfObjectsMatchesWithinOneElement() {
        // The event-ruler README's example: both fields must match in the same element.
        let employees = #"{"employees": [{"firstName": "John", "lastName": "Doe"}, {"firstName": "Anna", "lastName": "Smith"}]}"#
        assertMatch(#"{"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}"#, employees)
        assertNoMatch(#"{"employees": {"firstName": ["Anna"], "lastName": ["Doe"]}}"#, employees)
    }

    // MARK: Exact values

    func testNumbersCompareNumerically() {
        assertMatch(#"{"detail": {"c-count": [5.0]}}"#)
        assertMatch(#"{"detail": {"x-limit": [3.018e2]}}"#)
        assertNoMatch(#"{"detail": {"c-count": ["5"]}}"#)
        assertNoMatch(#"{"detail": {"c-count": [6]}}"#)
    }

    func testNullBooleanAndEmptyString() {
        assertMatch(#"{"detail": {"nothing": [null], "flag": [true], "empty": [""]}}"#)
        assertNoMatch(#"{"detail": {"nothing": ["null"]}}"#)
        assertNoMatch(#"{"detail": {"flag": ["true"]}}"#)
        assertNoMatch(#"{"detail": {"flag": [false]}}"#)
        assertNoMatch(#"{"detail": {"missing": [null]}}"#)
        assertNoMatch(#"{"detail": {"state": [""]}}"#)
    }

    func testStringsMatchExactlyAndCaseSensitively() {
        assertMatch(#"{"detail": {"state": ["terminated"]}}"#)
        assertNoMatch(#"{"detail": {"state": ["Terminated"]}}"#)
        assertNoMatch(#"{"detail": {"state": ["terminate"]}}"#)
    }

    // MARK: Operators

    func testPrefix() {
        assertMatch(#"{"time": [{"prefix": "2017-12-22"}]}"#)
        assertNoMatch(#"{"time": [{"prefix": "2017-10-02"}]}"#)
        assertNoMatch(#"{"detail": {"c-count": [{"prefix": "5"}]}}"#)
    }

    func testPrefixIgnoringCase() {
        assertMatch(#"{"detail": {"state": [{"prefix": {"equals-ignore-case": "TERM"}}]}}"#)
        assertNoMatch(#"{"detail": {"state": [{"prefix": {"equals-ignore-case": "RUN"}}]}}"#)
        assertNoMatch(#"{"detail": {"state": [{"prefix": "TERM"}]}}"#)
    }

    func testSuffix() {
        assertMatch(#"{"detail": {"FilePath": [{"suffix": ".so"}]}}"#)
        assertNoMatch(#"{"detail": {"FilePath": [{"suffix": ".png"}]}}"#)
        assertMatch(#"{"detail": {"FilePath": [{"suffix": {"equals-ignore-case": ".SO"}}]}}"#)
        assertNoMatch(#"{"detail": {"FilePath": [{"suffix": ".SO"}]}}"#)
    }

    func testEqualsIgnoreCase() {
        assertMatch(#"{"source": [{"equals-ignore-case": "AWS.EC2"}]}"#)
        assertNoMatch(#"{"source": [{"equals-ignore-case": "AWS.EC"}]}"#)
    }

    func testAnythingButValue() {
        assertMatch(#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#)
        assertNoMatch(#"{"detail": {"state": [{"anything-but": "terminated"}]}}"#)
        assertMatch(#"{"detail": {"c-count": [{"anything-but": 123}]}}"#)
        assertNoMatch(#"{"detail": {"c-count": [{"anything-but": 5}]}}"#)
        // anything-but needs a value: an absent field does not match.
        assertNoMatch(#"{"detail": {"weather": [{"anything-but": "Raining"}]}}"#)
    }

    func testAnythingButList() {
        assertMatch(#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#)
        assertNoMatch(#"{"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}"#)
        assertMatch(#"{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}"#)
        assertNoMatch(#"{"detail": {"c-count": [{"anything-but": [4, 5]}]}}"#)
    }

    func testAnythingButPrefixSuffixIgnoreCaseAndWildcard() {
        assertMatch(#"{"region": [{"anything-but": {"prefix": "eu-"}}]}"#)
        assertNoMatch(#"{"region": [{"anything-but": {"prefix": "us-"}}]}"#)
        assertMatch(#"{"detail": {"FilePath": [{"anything-but": {"suffix": ".png"}}]}}"#)
        assertNoMatch(#"{"detail": {"FilePath": [{"anything-but": {"suffix": ".so"}}]}}"#)
        assertMatch(#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["RUNNING", "STOPPED"]}}]}}"#)
        assertNoMatch(#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": "TERMINATED"}}]}}"#)
        assertMatch(#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/bin/*"}}]}}"#)
        assertNoMatch(#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}"#)
    }

    func testNumeric() {
        assertMatch(#"{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}"#)
        assertNoMatch(#"{"detail": {"c-count": [{"numeric": [">", 5, "<=", 10]}]}}"#)
        assertMatch(#"{"detail": {"x-limit": [{"numeric": ["=", 3.018e2]}]}}"#)
        assertNoMatch(#"{"detail": {"x-limit": [{"numeric": ["<", 301.8]}]}}"#)
        assertMatch(#"{"detail": {"x-limit": [{"numeric": [">=", 301.8]}]}}"#)
        // Numeric matching only applies to JSON numbers.
        assertNoMatch(#"{"detail": {"state": [{"numeric": [">", 0]}]}}"#)
    }

    func testExists() {
        assertMatch(#"{"detail": {"state": [{"exists": true}]}}"#)
        assertNoMatch(#"{"detail": {"weather": [{"exists": true}]}}"#)
        assertMatch(#"{"detail": {"weather": [{"exists": false}]}}"#)
        assertNoMatch(#"{"detail": {"state": [{"exists": false}]}}"#)
        // exists only sees leaves: an absent parent or an object in the event counts as absent.
        assertMatch(#"{"forecast": {"weather": [{"exists": false}]}}"#)
        assertMatch(#"{"detail": {"tags": [{"exists": false}]}}"#)
        assertNoMatch(#"{"detail": {"tags": [{"exists": true}]}}"#)
    }

    func testWildcard() {
        assertMatch(#"{"resources": [{"wildcard": "arn:aws:ec2:*:*:instance/*"}]}"#)
        assertNoMatch(#"{"resources": [{"wildcard": "arn:aws:s3:*:*:bucket/*"}]}"#)
        // * matches any run of characters, also none and also across / and :.
        assertMatch(#"{"detail": {"state": [{"wildcard": "term*inated"}]}}"#)
        assertMatch(#"{"detail": {"state": [{"wildcard": "*terminated*"}]}}"#)
        assertMatch(#"{"detail": {"FilePath": [{"wildcard": "*lib*.so"}]}}"#)
        assertNoMatch(#"{"detail": {"FilePath": [{"wildcard": "*lib*.s"}]}}"#)
        assertNoMatch(#"{"detail": {"state": [{"wildcard": "terminated*x"}]}}"#)
    }

    func testWildcardEscapes() {
        let starred = #"{"detail": {"name": "a*b", "path": "C:\\temp"}}"#
        // In JSON text "a\\*b" is the wildcard a\*b: a literal asterisk.
        assertMatch(#"{"detail": {"name": [{"wildcard": "a\\*b"}]}}"#, starred)
        assertNoMatch(#"{"detail": {"name": [{"wildcard": "a\\*b"}]}}"#, #"{"detail": {"name": "axb"}}"#)
        // "C:\\\\*" is the wildcard C:\\* : a literal backslash, then any run.
        assertMatch(#"{"detail": {"path": [{"wildcard": "C:\\\\*"}]}}"#, starred)
        assertNoMatch(#"{"detail": {"path": [{"wildcard": "C:\\\\*"}]}}"#, #"{"detail": {"path": "C:/temp"}}"#)
        assertInvalid(#"{"detail": {"state": [{"wildcard": "term**"}]}}"#)
        assertInvalid(#"{"detail": {"state": [{"wildcard": "te\\rm"}]}}"#)
    }

    func testOrAtAnyLevel() {
        assertMatch(#"{"$or": [{"region": ["eu-west-1"]}, {"detail": {"state": ["terminated"]}}]}"#)
        assertNoMatch(#"{"$or": [{"region": ["eu-west-1"]}, {"detail": {"state": ["running"]}}]}"#)
        assertMatch(#"{"source": ["aws.ec2"], "detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"x-limit": [301.8]}]}}"#)
        assertNoMatch(#"{"source": ["aws.ec2"], "detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"x-limit": [300]}]}}"#)
    }

    func testInvalidAndUnsupportedPatternsThrow() {
        assertInvalid(#"{"source": "aws.ec2"}"#)
        assertInvalid(#"{"source": []}"#)
        assertInvalid(#"{"source": [{"contains": "ec2"}]}"#)
        assertInvalid(#"{"detail": {"c-count": [{"numeric": [">>", 0]}]}}"#)
        // cidr is not implemented by the test matcher.
        assertInvalid(#"{"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}"#)
    }
}
