import FilterContract
import XCTest

/// `RUNBOOKS`: what the alert stack writes is what the filter reads, and a product's runbook is its id's,
/// else its name's, else the default.
final class RunbooksCodecTests: XCTestCase {
    let runbooks = Runbooks([
        ("prod-abcdefghijklm", "https://wiki.example.com/bucket?x=1&y=\"2\""), ("Network baseline", "https://wiki.example.com/net"),
        ("default", "https://wiki.example.com/catalogwatch"),
    ])

    func testRoundTripInTheLayoutsOrder() {
        let text = RunbooksCodec.encode(runbooks)
        XCTAssertEqual(text, #"{"prod-abcdefghijklm":"https://wiki.example.com/bucket?x=1&y=\"2\"","Network baseline":"https://wiki.example.com/net","default":"https://wiki.example.com/catalogwatch"}"#)
        let decoded = RunbooksCodec.decode(text)
        XCTAssertEqual(decoded.problems, [])
        XCTAssertEqual(decoded.runbooks, runbooks)
        XCTAssertTrue(RunbooksCodec.decode(nil).runbooks.isEmpty)
        XCTAssertTrue(RunbooksCodec.decode("  ").runbooks.isEmpty)
    }

    func testTheProductIdThenTheNameThenTheDefault() {
        XCTAssertEqual(runbooks.runbook(productId: "prod-abcdefghijklm", productName: "Network baseline"), "https://wiki.example.com/bucket?x=1&y=\"2\"")
        XCTAssertEqual(runbooks.runbook(productId: "prod-other", productName: "Network baseline"), "https://wiki.example.com/net")
        XCTAssertEqual(runbooks.runbook(productId: nil, productName: nil), "https://wiki.example.com/catalogwatch")
        XCTAssertNil(Runbooks([("prod-x", "https://a.example.com")]).runbook(productId: "prod-y", productName: nil))
    }

    func testProblemsNameTheVariable() {
        XCTAssertEqual(RunbooksCodec.decode("[1]").problems, ["RUNBOOKS is a JSON array, not an object of runbook URLs by product"])
        XCTAssertEqual(RunbooksCodec.decode(#"{"a":"http://x","b":3,"c":"https://ok.example.com"}"#).problems,
                       ["RUNBOOKS 'a' is not an https:// URL", "RUNBOOKS 'b' is not an https:// URL"])
        XCTAssertEqual(RunbooksCodec.decode(#"{"c":"https://ok.example.com","a":"http://x"}"#).runbooks, Runbooks([("c", "https://ok.example.com")]))
        XCTAssertTrue(RunbooksCodec.decode("{").problems.first?.hasPrefix("RUNBOOKS is not valid JSON") == true)
    }
}
