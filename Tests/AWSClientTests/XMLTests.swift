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

    // MARK: Entities, CDATA, namespaces, attributes, limits, errors, BOM

    /// `document` must fail with `reason` at byte `offset`, and say so in the message.
    func assertFails(_ document: [UInt8], at offset: Int, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try XML.parse(document), file: file, line: line) { error in
            XCTAssertEqual(error as? XML.ParseError, XML.ParseError(offset: offset, reason: reason), file: file, line: line)
            XCTAssertEqual("\(error)", "XML error at byte \(offset): \(reason)", file: file, line: line)
        }
    }

    func assertFails(_ document: String, at offset: Int, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        assertFails(document.bytes, at: offset, reason, file: file, line: line)
    }

    func testEntitiesInTextAndAttributes() throws {
        let root = try XML.parse(#"<r a="&lt;&amp;&gt;&quot;&apos;" b='&#65;&#x42;&#X43;&#x1F600;'>&#x3C;tag&#62; &amp;amp; &#233;t&#xE9;</r>"#.bytes)
        XCTAssertEqual(root.attributes["a"], "<&>\"'")
        XCTAssertEqual(root.attributes["b"], "ABC😀")
        // Decoded once: `&amp;amp;` is the text `&amp;`.
        XCTAssertEqual(root.text, "<tag> &amp; été")
        for bad in ["&;", "&#;", "&#x;", "&#xZZ;", "&#12a;", "&nbsp;", "&AMP;", "& amp;", "&#x110000;", "&#xDFFF;", "&#x0000000041;"] {
            // A reference is looked for within 12 bytes of its `&`.
            let reason = bad.utf8.count > 12 ? "unterminated entity reference" : "unknown entity reference"
            assertFails("<r>\(bad)</r>", at: 3, reason)
            assertFails("<r a='\(bad)'/>", at: 6, reason)
        }
    }

    func testCDATAIsLiteralAndJoinsTheText() throws {
        let root = try XML.parse("<r>a<![CDATA[<b>&amp;]]]]><![CDATA[>]]>c<![CDATA[]]></r>".bytes)
        XCTAssertEqual(root.text, "a<b>&amp;]]>c")
        XCTAssertTrue(root.children.isEmpty)
        let multiline = try XML.parse("<Message><![CDATA[line 1\r\nline 2\n]]></Message>".bytes)
        XCTAssertEqual(multiline.text, "line 1\r\nline 2\n")
        assertFails("<![CDATA[x]]><r/>", at: 0, "character data outside the root element")
    }

    func testNamespacesAreDroppedFromElementNamesButEndTagsMatchWhole() throws {
        let document = """
            <s3:ListBucketResult xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <s3:Name>bucket</s3:Name><Contents xsi:type="Object"><Key>a/b.zip</Key></Contents><x:y:Deep/>
            </s3:ListBucketResult>
            """
        let root = try XML.parse(document.bytes)
        XCTAssertEqual(root.name, "ListBucketResult")
        XCTAssertEqual(root.text(at: "Name"), "bucket")
        XCTAssertEqual(root.text(at: "Contents/Key"), "a/b.zip")
        XCTAssertNotNil(root.child("Deep"), "the local name is what follows the last colon")
        // Attributes keep their qualified names, namespace declarations included.
        XCTAssertEqual(root.attributes["xmlns:s3"], "http://s3.amazonaws.com/doc/2006-03-01/")
        XCTAssertEqual(root.child("Contents")?.attributes["xsi:type"], "Object")
        XCTAssertNil(root.child("Contents")?.attributes["type"])
        // Same local name, other prefix: not the element that is open.
        assertFails("<a:R></b:R>", at: 5, "end tag does not match the open element")
        XCTAssertThrowsError(try XML.parse("<a:R></R>".bytes))
    }

    func testAttributeQuotingAndSpacing() throws {
        let root = try XML.parse("<r one=\"it's\" two='say \"hi\"'\n\tthree\t=\t\"3\" empty=\"\" multi=\"a\nb\"></r  >".bytes)
        XCTAssertEqual(root.attributes, ["one": "it's", "two": "say \"hi\"", "three": "3", "empty": "", "multi": "a\nb"])
        XCTAssertEqual(try XML.parse("<r\n/>".bytes).name, "r")
    }

    func testDepthLimitIsExactAndCountsOpenElements() throws {
        func nested(_ depth: Int, leaf: String = "") -> [UInt8] {
            (String(repeating: "<a>", count: depth) + leaf + String(repeating: "</a>", count: depth)).bytes
        }
        XCTAssertNoThrow(try XML.parse(nested(XML.maximumDepth)))
        // An empty element closes at once, so it does not count as open.
        XCTAssertNoThrow(try XML.parse(nested(XML.maximumDepth, leaf: "<b/>")))
        assertFails(nested(XML.maximumDepth + 1), at: 3 * XML.maximumDepth, "elements nested too deeply")
        // Deep garbage fails fast instead of recursing.
        XCTAssertThrowsError(try XML.parse(String(repeating: "<a>", count: 1_000_000).bytes))
    }

    func testMalformedDocumentsSayWhere() {
        let cases: [(String, Int, String)] = [
            ("", 0, "no root element"),
            ("  \n", 3, "no root element"),
            ("<r>", 3, "truncated document"),
            ("<r><s>", 6, "truncated document"),
            ("<r></s>", 3, "end tag does not match the open element"),
            ("<r><s></r></s>", 6, "end tag does not match the open element"),
            ("</r>", 0, "end tag without a start tag"),
            ("<r/><s/>", 4, "content after the root element"),
            ("text<r/>", 0, "text outside the root element"),
            ("<r/>\n text", 4, "text outside the root element"),
            ("<!DOCTYPE r><r/>", 0, "document type declarations are not supported"),
            ("<r><!ENTITY x 'y'></r>", 3, "document type declarations are not supported"),
            ("<r><!-- x </r>", 3, "unterminated comment"),
            ("<r><![CDATA[ x </r>", 3, "unterminated CDATA section"),
            ("<?xml version='1.0'", 0, "unterminated processing instruction"),
            ("<r>&amp</r>", 3, "unterminated entity reference"),
            ("<r>&bogus;</r>", 3, "unknown entity reference"),
            ("<r>a &b</r>", 5, "unterminated entity reference"),
            ("<r a=1/>", 5, "unquoted attribute value"),
            ("<r a/>", 4, "attribute without a value"),
            ("<r a=\"1\"", 8, "truncated document"),
            ("<r a=\"1/>", 9, "truncated document"),
            ("< r/>", 1, "expected a name"),
            ("<r></ r>", 5, "expected a name"),
            ("<r></r x>", 7, "malformed end tag"),
        ]
        for (document, offset, reason) in cases {
            assertFails(document, at: offset, reason)
        }
    }

    func testByteOrderMarkAndOtherPrologues() throws {
        let bom = "\u{FEFF}"
        XCTAssertEqual(try XML.parse("\(bom)<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<r>x</r>\n<!-- after --><?pi?>\n".bytes).text, "x")
        // Offsets count the BOM's three bytes.
        assertFails("\(bom)<r></s>", at: 6, "end tag does not match the open element")
        assertFails(bom, at: 3, "no root element")
        // A BOM anywhere else is text; UTF-16 is not read.
        XCTAssertThrowsError(try XML.parse("<r/>\(bom)".bytes))
        XCTAssertEqual(try XML.parse("<r>\(bom)</r>".bytes).text, bom)
        XCTAssertThrowsError(try XML.parse([0xFF, 0xFE] + Array("<\0r\0/\0>\0".utf8)))
    }

    func testCommentsAndInstructionsInsideElementsAreSkipped() throws {
        let root = try XML.parse("<r>a<!-- <b>not an element</b> -->b<?pi x?>c<s/></r>".bytes)
        XCTAssertEqual(root.text, "abc")
        XCTAssertEqual(root.children.map(\.name), ["s"])
    }

    func testInvalidUTF8IsReplacedNotFatal() throws {
        let root = try XML.parse(Array("<r a='".utf8) + [0xC3] + Array("'>".utf8) + [0xFF, 0x41] + Array("</r>".utf8))
        XCTAssertEqual(root.attributes["a"], "\u{FFFD}")
        XCTAssertEqual(root.text, "\u{FFFD}A")
    }
}
