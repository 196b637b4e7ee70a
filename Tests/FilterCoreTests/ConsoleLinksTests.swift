import JSONText
import XCTest

@testable import FilterCore

/// The console links of an alert: hosts and paths per partition (the formats the consoles use themselves:
/// `<region>.console.aws.amazon.com`, `<region>.console.amazonaws.cn`, `<region>.console.amazonaws-us-gov.com`),
/// the provisioned products page, the product version, the runbook and the access portal's shortcut link.
final class ConsoleLinksTests: XCTestCase {
    let stack = "SC-111122223333-pp-abcdefghijklm"

    func failure(partition: String, region: String) throws -> StackFailure {
        Fixture.failure(stackId: "arn:\(partition):cloudformation:\(region):111122223333:stack/\(stack)/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0")
    }

    func testEachPartitionsConsoleHostAndPaths() throws {
        let cases = [
            ("aws", "eu-west-1", "https://eu-west-1.console.aws.amazon.com"),
            ("aws-cn", "cn-northwest-1", "https://cn-northwest-1.console.amazonaws.cn"),
            ("aws-us-gov", "us-gov-west-1", "https://us-gov-west-1.console.amazonaws-us-gov.com"),
        ]
        for (partition, region, origin) in cases {
            let f = try failure(partition: partition, region: region)
            let links = ConsoleLinks(failure: f, productId: "prod-abcdefghijklm", provisioningArtifactId: "pa-0123456789abc")
            let arn = "arn%3A\(partition)%3Acloudformation%3A\(region)%3A111122223333%3Astack%2F\(stack)%2F0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"
            XCTAssertEqual(links.stackEvents, "\(origin)/cloudformation/home?region=\(region)#/stacks/events?stackId=\(arn)")
            XCTAssertEqual(links.provisionedProducts, "\(origin)/servicecatalog/home?region=\(region)#provisioned-products")
            XCTAssertEqual(links.productVersion, "\(origin)/servicecatalog/home?region=\(region)#admin-products/prod-abcdefghijklm/version/pa-0123456789abc")
            XCTAssertNil(links.runbook)
            XCTAssertEqual(links.labelled.map(\.label), ["Stack events", "Provisioned products", "Product version"])
        }
    }

    func testNoLinksWithoutAConsoleOrIds() throws {
        let iso = ConsoleLinks(failure: try failure(partition: "aws-iso", region: "us-iso-east-1"), productId: "prod-abc", provisioningArtifactId: "pa-abc")
        XCTAssertEqual(iso, ConsoleLinks())
        // An id that is not prod-/pa- plus lowercase letters and digits would have to be escaped: no link.
        let f = try failure(partition: "aws", region: "us-east-1")
        for (product, artifact) in [("prod-abc", nil), (nil, "pa-abc"), ("prod-a/b", "pa-abc"), ("prod-abc", "pa-"), ("p-abc", "pa-abc")] {
            XCTAssertNil(ConsoleLinks(failure: f, productId: product, provisioningArtifactId: artifact).productVersion, "\(String(describing: product)) \(String(describing: artifact))")
        }
        // Not a Service Catalog stack: no provisioned products page.
        let plain = Fixture.failure(stackName: Fixture.otherStack, stackId: Fixture.otherStackId)
        XCTAssertNil(ConsoleLinks(failure: plain, productId: nil, provisioningArtifactId: nil).provisionedProducts)
    }

    func testTheAccessPortalSignsInToTheMemberAccountFirst() throws {
        let f = try failure(partition: "aws", region: "us-east-1")
        let signIn = ConsoleSignIn(startURL: "https://d-1234567890.awsapps.com/start/", roleName: "ReadOnly+Ops")
        let links = ConsoleLinks(failure: f, productId: "prod-abc", provisioningArtifactId: "pa-abc", runbook: "https://wiki.example.com/x", signIn: signIn)
        let events = try XCTUnwrap(ConsoleLinks.stackEvents(try XCTUnwrap(f.stackARN)))
        XCTAssertEqual(links.stackEvents, "https://d-1234567890.awsapps.com/start/#/console?account_id=111122223333&role_name=ReadOnly%2BOps&destination=\(PercentEncodingOracle.encode(events))")
        XCTAssertTrue(links.provisionedProducts?.hasPrefix("https://d-1234567890.awsapps.com/start/#/console?account_id=111122223333&") == true)
        // The product version opens in the account that owns the portfolio, where the alert is read: no detour.
        XCTAssertEqual(links.productVersion, "https://us-east-1.console.aws.amazon.com/servicecatalog/home?region=us-east-1#admin-products/prod-abc/version/pa-abc")
        XCTAssertEqual(links.runbook, "https://wiki.example.com/x")
    }

    func testTheAlertsCarryTheLinks() throws {
        let f = try failure(partition: "aws-us-gov", region: "us-gov-east-1")
        let enrichment = Enrichment(productId: "prod-abc", productName: "Bucket", provisioningArtifactId: "pa-abc", lookupFailures: ["record rec-1: Throttling"])
        let links = ConsoleLinks(failure: f, productId: "prod-abc", provisioningArtifactId: "pa-abc", runbook: "https://wiki.example.com/bucket")
        let alert = AlertComposer.compose(f, enrichment, links: links)
        let lines = alert.text.split(separator: "\n").map(String.init)
        let linkLines = lines.filter { $0.contains("https://") }
        XCTAssertEqual(linkLines.map { String($0.prefix { $0 != ":" }) }, ["Stack events", "Provisioned products", "Product version", "Runbook"])
        XCTAssertEqual(lines.last, "Runbook: https://wiki.example.com/bucket")
        XCTAssertLessThan(try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Could not look up") }), try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Stack events:") }))
        let structured = try JSONValue.parse(alert.structured)
        XCTAssertEqual(structured["links"]?["productVersion"]?.stringValue, links.productVersion)
        XCTAssertEqual(structured["links"]?["runbook"]?.stringValue, "https://wiki.example.com/bucket")
        XCTAssertEqual(structured["provisioningArtifactId"]?.stringValue, "pa-abc")
        // Chat: every link in the description, and the runbook as the first next step.
        let chat = try JSONValue.parse(ChatNotification.compose(f, enrichment, links: links))
        let description = try XCTUnwrap(chat["content"]?["description"]?.stringValue)
        for (label, url) in links.labelled { XCTAssertTrue(description.contains("*\(label):* \(url)"), label) }
        XCTAssertEqual(chat["content"]?["nextSteps"]?.arrayValue?.first?.stringValue, "Follow the runbook: https://wiki.example.com/bucket")
        // Without links given, the composers link the console pages of the failure themselves.
        XCTAssertTrue(AlertComposer.compose(f, enrichment).text.contains("Product version: https://us-gov-east-1.console.amazonaws-us-gov.com/"))
    }
}

/// RFC 3986 unreserved characters kept, every other byte `%XX`: written here independently of URLText.
enum PercentEncodingOracle {
    static func encode(_ s: String) -> String {
        s.utf8.map { b -> String in
            let c = Character(UnicodeScalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) { return String(c) }
            return "%" + String(b, radix: 16, uppercase: true).leftPadded()
        }.joined()
    }
}

private extension String {
    func leftPadded() -> String { count == 1 ? "0" + self : self }
}
