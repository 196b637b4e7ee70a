import XCTest
@testable import AWSClient
import TestSupport

final class XMLTests: XCTestCase {
    let describeStackEvents = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- a comment -->
        <DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
          <DescribeStackEventsResult>
            <StackEvents>
              <member>
                <EventId>e1</EventId>
                <LogicalResourceId>Topic</LogicalResourceId>
                <ResourceStatusReason>Resource creation &quot;failed&quot; &amp; rolled back &lt;x&gt; &#39;y&#39; &#x2713;</ResourceStatusReason>
              </member>
              <member><EventId>e2</EventId><Empty/><Data><![CDATA[<raw> & stuff]]></Data></member>
            </StackEvents>
            <NextToken>tok</NextToken>
          </DescribeStackEventsResult>
          <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
        </DescribeStackEventsResponse>
        """

    func testPathsRepeatedElementsEntitiesCDATA() throws {
        let root = try XML.parse(describeStackEvents.bytes)
        XCTAssertEqual(root.name, "DescribeStackEventsResponse")
        XCTAssertEqual(root.attributes["xmlns"], "http://cloudformation.amazonaws.com/doc/2010-05-15/")
        let members = root.element(at: "DescribeStackEventsResult/StackEvents")?.children("member") ?? []
        XCTAssertEqual(members.map { $0.text(at: "EventId") }, ["e1", "e2"])
        XCTAssertEqual(members[0].text(at: "ResourceStatusReason"), "Resource creation \"failed\" & rolled back <x> 'y' ✓")
        XCTAssertEqual(members[1].text(at: "Empty"), "")
        XCTAssertEqual(members[1].text(at: "Data"), "<raw> & stuff")
        XCTAssertNil(members[1].text(at: "Missing"))
        XCTAssertEqual(root.text(at: "DescribeStackEventsResult/NextToken"), "tok")
        XCTAssertEqual(root.firstDescendant("RequestId")?.text, "req-1")
        XCTAssertEqual(root.element(at: "")?.name, root.name)
    }

    func testNamespacePrefixesAndAttributes() throws {
        let root = try XML.parse(#"<a:Root xmlns:a="urn:x" b='1' c = "2&amp;3"><a:Child>t</a:Child></a:Root>"#.bytes)
        XCTAssertEqual(root.name, "Root")
        XCTAssertEqual(root.text(at: "Child"), "t")
        XCTAssertEqual(root.attributes["b"], "1")
        XCTAssertEqual(root.attributes["c"], "2&3")
        XCTAssertEqual(try XML.parse("\u{FEFF}<r/>".bytes).name, "r")
        XCTAssertEqual(try XML.parse("<r>a<b/>c</r>".bytes).text, "ac")
    }

    func testMalformedDocumentsThrow() {
        let bad = [
            "", "   ", "<", "<r", "<r>", "<r></s>", "<r><s></r></s>", "</r>", "<r/><s/>", "text<r/>", "<r/>text",
            "<r>&unknown;</r>", "<r>&amp</r>", "<r a=1/>", "<r a/>", "<!DOCTYPE r [<!ENTITY x 'y'>]><r>&x;</r>",
            "<r><!-- unterminated </r>", "<r><![CDATA[ x </r>", "<?xml version='1.0'", "<r>&#xFFFFFFFF;</r>", "<r>&#xD800;</r>",
            "<r a=\"1></r>",
        ]
        for document in bad {
            XCTAssertThrowsError(try XML.parse(document.bytes), document)
        }
    }

    func testEveryTruncationThrowsOrParsesWithoutCrashing() {
        let bytes = describeStackEvents.bytes
        // Everything short of the final close tag is incomplete.
        let lastOpen = bytes.lastIndex(of: UInt8(ascii: "<"))!
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            if length <= lastOpen {
                XCTAssertThrowsError(try XML.parse(prefix), "length \(length)")
            } else {
                _ = try? XML.parse(prefix)
            }
        }
    }

    func testDepthLimitAndGarbage() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        XCTAssertThrowsError(try XML.parse(deep.bytes)) { error in
            XCTAssertEqual((error as? XML.ParseError)?.reason, "elements nested too deeply")
        }
        let fine = String(repeating: "<a>", count: 60) + String(repeating: "</a>", count: 60)
        XCTAssertNoThrow(try XML.parse(fine.bytes))
        var rng = SplitMix64(state: 7)
        let alphabet = Array("<>/=\"'&;![]?-ab #x1CDATA".utf8)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...60, using: &rng)
            let doc = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
            _ = try? XML.parse(doc)
            _ = try? XML.parse(rng.bytes(length))
        }
    }

    func testErrorsNeverQuoteTheDocument() {
        let secret = "wJalrXUtnFEMI/SECRET"
        XCTAssertThrowsError(try XML.parse("<r><SecretAccessKey>\(secret)</SecretAccessKey>&bad;</r>".bytes)) { error in
            XCTAssertFalse("\(error)".contains(secret))
            XCTAssertEqual("\(error)", "XML error at byte 58: unknown entity reference")
        }
    }
}
