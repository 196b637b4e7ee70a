// libFuzzer target: the XML reader of AWS query-protocol responses (AWSClient's `XML`) ends in an element tree
// or a `ParseError` inside the input: never a crash, a hang or unbounded memory (deep nesting, long entity
// runs, unterminated constructs, invalid UTF-8).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let root: XML.Element
    do {
        root = try XML.parse(bytes)
    } catch {
        if error.offset < 0 || error.offset > bytes.count { fatalError("XML error offset \(error.offset) outside \(bytes.count) bytes") }
        return 0
    }
    // What parses must re-serialise and re-parse to the same tree.
    let again: XML.Element
    do {
        again = try XML.parse(serialise(root))
    } catch {
        fatalError("XML round trip failed to parse: \(error)")
    }
    if again != root { fatalError("XML round trip changed the document") }
    // The readers the AWS calls use must not trap on whatever the tree holds.
    _ = root.firstDescendant("Error")?.text(at: "Code")
    _ = root.element(at: "ResponseMetadata/RequestId")
    for child in root.children { _ = root.children(child.name).count }
    return 0
}

/// `element` as XML text that `XML.parse` reads back to an equal element: every element gets a prefix (so a local
/// name such as `!x` or `?x` still reads as a start tag), text and attribute values are escaped, the element's
/// own text goes before its children (the reader joins all of an element's text runs).
private func serialise(_ element: XML.Element) -> [UInt8] {
    var out: [UInt8] = []
    write(element, to: &out)
    return out
}

private func write(_ element: XML.Element, to out: inout [UInt8]) {
    let name = Array("p:".utf8) + Array(element.name.utf8)
    out.append(UInt8(ascii: "<"))
    out += name
    for (key, value) in element.attributes.sorted(by: { $0.key < $1.key }) {
        out.append(UInt8(ascii: " "))
        out += Array(key.utf8)
        out += Array("=\"".utf8)
        escape(value, into: &out)
        out.append(UInt8(ascii: "\""))
    }
    if element.text.isEmpty && element.children.isEmpty {
        out += Array("/>".utf8)
        return
    }
    out.append(UInt8(ascii: ">"))
    escape(element.text, into: &out)
    for child in element.children { write(child, to: &out) }
    out += Array("</".utf8) + name + [UInt8(ascii: ">")]
}

private func escape(_ text: String, into out: inout [UInt8]) {
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "&"): out += Array("&amp;".utf8)
        case UInt8(ascii: "<"): out += Array("&lt;".utf8)
        case UInt8(ascii: ">"): out += Array("&gt;".utf8)
        case UInt8(ascii: "\""): out += Array("&quot;".utf8)
        default: out.append(byte)
        }
    }
}
