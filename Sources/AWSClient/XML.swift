/// A small non-validating XML reader, enough for AWS query-protocol responses.
/// No DTDs, no external entities; elements are known by local name (prefix dropped; an end tag must repeat the
/// start tag's qualified name), attributes by the name as written. At most `maximumDepth` elements open at once.
package enum XML {
    /// One element: its local name, attributes, child elements and own text (entities decoded).
    package struct Element: Sendable, Equatable {
        package var name: String
        package var attributes: [String: String] = [:]
        package var children: [Element] = []
        package var text: String = ""

        /// The first child element named `name`.
        package func child(_ name: String) -> Element? {
            children.first { $0.name == name }
        }

        /// Every child element named `name`, in document order.
        package func children(_ name: String) -> [Element] {
            children.filter { $0.name == name }
        }

        /// The element at a `/`-separated path of child names below this one (`""` is this element).
        package func element(at path: String) -> Element? {
            var current = self
            for name in path.split(separator: "/") {
                guard let next = current.child(String(name)) else { return nil }
                current = next
            }
            return current
        }

        /// The text of the element at `path`, or nil if there is no such element.
        package func text(at path: String) -> String? {
            element(at: path)?.text
        }

        /// The first element named `name` here or below, depth first.
        package func firstDescendant(_ name: String) -> Element? {
            if self.name == name { return self }
            for child in children {
                if let found = child.firstDescendant(name) { return found }
            }
            return nil
        }
    }

    /// Why a document could not be read; says where, never quotes the document.
    package struct ParseError: Error, Equatable, CustomStringConvertible {
        var offset: Int
        var reason: String
        package var description: String { "XML error at byte \(offset): \(reason)" }
    }

    static let maximumDepth = 64

    /// Parses a complete document and returns its root element.
    package static func parse(_ bytes: [UInt8]) throws(ParseError) -> Element {
        var parser = Parser(bytes: bytes)
        return try parser.document()
    }

    private struct Parser {
        let b: [UInt8]
        var i = 0
        var stack: [(qualifiedName: ArraySlice<UInt8>, element: Element)] = []

        init(bytes: [UInt8]) {
            b = bytes
            if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        func fail(_ reason: String, at offset: Int? = nil) -> ParseError {
            ParseError(offset: offset ?? i, reason: reason)
        }

        func starts(with literal: String) -> Bool {
            let l = Array(literal.utf8)
            return i + l.count <= b.count && b[i..<(i + l.count)].elementsEqual(l)
        }

        /// Index just past the next occurrence of `terminator`, from `i`.
        func end(of terminator: String, what: String) throws(ParseError) -> Int {
            let t = Array(terminator.utf8)
            var j = i
            while j + t.count <= b.count {
                if b[j] == t[0], b[j..<(j + t.count)].elementsEqual(t) { return j + t.count }
                j += 1
            }
            throw fail("unterminated \(what)")
        }

        static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

        static func isNameByte(_ c: UInt8) -> Bool {
            !(isSpace(c) || c == UInt8(ascii: "/") || c == UInt8(ascii: ">") || c == UInt8(ascii: "=")
                || c == UInt8(ascii: "<") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'"))
        }

        mutating func skipSpace() {
            while i < b.count, Self.isSpace(b[i]) { i += 1 }
        }

        mutating func name() throws(ParseError) -> ArraySlice<UInt8> {
            let start = i
            while i < b.count, Self.isNameByte(b[i]) { i += 1 }
            guard i > start else { throw fail(i < b.count ? "expected a name" : "truncated document") }
            return b[start..<i]
        }

        static func localName(_ qualified: ArraySlice<UInt8>) -> String {
            if let colon = qualified.lastIndex(of: UInt8(ascii: ":")) {
                return String(decoding: qualified[(colon + 1)...], as: UTF8.self)
            }
            return String(decoding: qualified, as: UTF8.self)
        }

        mutating func document() throws(ParseError) -> Element {
            var root: Element?
            while i < b.count {
                if b[i] == UInt8(ascii: "<") {
                    if starts(with: "<?") {
                        i = try end(of: "?>", what: "processing instruction")
                    } else if starts(with: "<!--") {
                        i = try end(of: "-->", what: "comment")
                    } else if starts(with: "<![CDATA[") {
                        guard !stack.isEmpty else { throw fail("character data outside the root element") }
                        let close = try end(of: "]]>", what: "CDATA section")
                        stack[stack.count - 1].element.text += String(decoding: b[(i + 9)..<(close - 3)], as: UTF8.self)
                        i = close
                    } else if starts(with: "<!") {
                        throw fail("document type declarations are not supported")
                    } else if starts(with: "</") {
                        let start = i
                        i += 2
                        let qualified = try name()
                        skipSpace()
                        guard i < b.count else { throw fail("truncated document") }
                        guard b[i] == UInt8(ascii: ">") else { throw fail("malformed end tag") }
                        i += 1
                        guard let open = stack.popLast() else { throw fail("end tag without a start tag", at: start) }
                        guard open.qualifiedName.elementsEqual(qualified) else {
                            throw fail("end tag does not match the open element", at: start)
                        }
                        if stack.isEmpty {
                            root = open.element
                        } else {
                            stack[stack.count - 1].element.children.append(open.element)
                        }
                    } else {
                        guard root == nil else { throw fail("content after the root element") }
                        let tagStart = i
                        i += 1
                        let qualified = try name()
                        var element = Element(name: Self.localName(qualified))
                        var selfClosing = false
                        while true {
                            skipSpace()
                            guard i < b.count else { throw fail("truncated document") }
                            if b[i] == UInt8(ascii: ">") { i += 1; break }
                            if starts(with: "/>") { i += 2; selfClosing = true; break }
                            let attributeName = try name()
                            skipSpace()
                            guard i < b.count, b[i] == UInt8(ascii: "=") else { throw fail("attribute without a value") }
                            i += 1
                            skipSpace()
                            guard i < b.count, b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") else {
                                throw fail("unquoted attribute value")
                            }
                            let quote = b[i]
                            i += 1
                            let start = i
                            while i < b.count, b[i] != quote { i += 1 }
                            guard i < b.count else { throw fail("truncated document") }
                            element.attributes[String(decoding: attributeName, as: UTF8.self)] = try decodeText(b[start..<i])
                            i += 1
                        }
                        if selfClosing {
                            if stack.isEmpty { root = element } else { stack[stack.count - 1].element.children.append(element) }
                        } else {
                            guard stack.count < XML.maximumDepth else { throw fail("elements nested too deeply", at: tagStart) }
                            stack.append((qualified, element))
                        }
                    }
                } else {
                    let start = i
                    while i < b.count, b[i] != UInt8(ascii: "<") { i += 1 }
                    let run = b[start..<i]
                    if stack.isEmpty {
                        guard run.allSatisfy(Self.isSpace) else { throw fail("text outside the root element", at: start) }
                    } else {
                        stack[stack.count - 1].element.text += try decodeText(run)
                    }
                }
            }
            guard stack.isEmpty, let root else {
                throw fail(root == nil && stack.isEmpty ? "no root element" : "truncated document")
            }
            return root
        }

        /// Decodes the five predefined entities and numeric character references.
        func decodeText(_ run: ArraySlice<UInt8>) throws(ParseError) -> String {
            guard run.contains(UInt8(ascii: "&")) else { return String(decoding: run, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(run.count)
            var j = run.startIndex
            while j < run.endIndex {
                guard run[j] == UInt8(ascii: "&") else {
                    out.append(run[j])
                    j += 1
                    continue
                }
                guard let semicolon = run[j...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                    throw fail("unterminated entity reference", at: j)
                }
                let entity = String(decoding: run[(j + 1)..<semicolon], as: UTF8.self)
                switch entity {
                case "amp": out.append(UInt8(ascii: "&"))
                case "lt": out.append(UInt8(ascii: "<"))
                case "gt": out.append(UInt8(ascii: ">"))
                case "quot": out.append(UInt8(ascii: "\""))
                case "apos": out.append(UInt8(ascii: "'"))
                default:
                    var scalarValue: UInt32?
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                        scalarValue = UInt32(entity.dropFirst(2), radix: 16)
                    } else if entity.hasPrefix("#") {
                        scalarValue = UInt32(entity.dropFirst(), radix: 10)
                    }
                    guard let value = scalarValue, let scalar = Unicode.Scalar(value) else {
                        throw fail("unknown entity reference", at: j)
                    }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                }
                j = semicolon + 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
