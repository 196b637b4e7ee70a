/// Why bytes could not be parsed as JSON: what was wrong, and at which byte (counted from 0).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, ending in "at byte <offset>".
    public let message: String
    /// The byte offset of the problem in the parsed text.
    package let offset: Int
    public var description: String { "invalid JSON: \(message)" }

    init(_ what: String, at offset: Int) {
        self.message = "\(what) at byte \(offset)"
        self.offset = offset
    }
}

extension JSONValue {
    /// How deep arrays and objects may nest (as Foundation's `JSONDecoder`): deeper text is an error, not a
    /// stack overflow.
    package static let maxDepth = 512

    /// Parses UTF-8 JSON bytes (RFC 8259, strict): one value with optional whitespace around it; strings
    /// must be valid UTF-8 without raw control characters, with surrogate pairs in `\u` escapes; numbers
    /// must fit a finite Double. Object keys keep their order; a repeated key keeps its first value.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer)
            return Result { () throws(JSONParseError) in try parser.document() }
        }.get()
    }

    /// Parses JSON text (see `parse(_:)` for bytes).
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in
            var parser = JSONParser(buffer)
            return Result { () throws(JSONParseError) in try parser.document() }
        }.get()
    }

    /// Where the value at `path` (object keys from the top) starts in `bytes`, as a byte offset; nil when the
    /// text is not JSON or has no such value. For messages that point into a file.
    package static func offset(of path: [String], in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer)
            parser.skipWhitespace()
            return parser.locate(path[...])
        }
    }

    /// The 1-based line and column (in Unicode scalars) of byte `offset` of UTF-8 `bytes`.
    package static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var (line, column) = (1, 1)
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                (line, column) = (line + 1, 1)
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}

/// A recursive-descent JSON parser over UTF-8 bytes. Strings without escapes become a `String` straight from
/// the input; escaped ones are assembled in one reused byte buffer.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// The bytes of the escaped string being read.
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The whole text: one value, whitespace around it, nothing else.
    mutating func document() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw JSONParseError("unexpected \(Self.describe(bytes[index])) after the JSON value", at: index) }
        return value
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The value at `index` (whitespace skipped), inside `depth` arrays and objects.
    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw unexpected("a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw unexpected("a value")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        for byte in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard index < bytes.count, bytes[index] == byte else { throw unexpected("'\(word)'") }
            index += 1
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maxDepth else { throw JSONParseError("arrays and objects nested deeper than \(JSONValue.maxDepth)", at: index) }
        index += 1
        skipWhitespace()
        var items: [JSONValue] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw unexpected("',' or ']' in an array") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1; skipWhitespace()
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw unexpected("',' or ']' in an array")
            }
        }
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maxDepth else { throw JSONParseError("arrays and objects nested deeper than \(JSONValue.maxDepth)", at: index) }
        index += 1
        skipWhitespace()
        var members: [(key: String, value: JSONValue)] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        var keys = KeySet()
        while true {
            let key = try key()
            let value = try value(depth: depth)
            if keys.insert(key, members: members) { members.append((key, value)) }
            skipWhitespace()
            guard index < bytes.count else { throw unexpected("',' or '}' in an object") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1; skipWhitespace()
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw unexpected("',' or '}' in an object")
            }
        }
    }

    /// A member's key and the ':' after it (whitespace after it skipped).
    mutating func key() throws(JSONParseError) -> String {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw unexpected("a string key in an object") }
        let key = try string()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw unexpected("':' after an object key") }
        index += 1
        skipWhitespace()
        return key
    }

    /// The keys of one object so far, to drop a repeated key's later values. Keys compare scalar by scalar
    /// (as RFC 8259 compares names); a set answers once an object has many keys.
    struct KeySet {
        var set: Set<String>?

        /// Whether `key` is new (and so recorded).
        mutating func insert(_ key: String, members: [(key: String, value: JSONValue)]) -> Bool {
            func exactly(_ member: (key: String, value: JSONValue)) -> Bool { member.key.utf8.elementsEqual(key.utf8) }
            if set == nil, members.count < 16 { return !members.contains(where: exactly) }
            if set == nil { set = Set(members.map(\.key)) }
            // The set equates canonically equivalent strings: a hit is checked byte by byte.
            if set!.insert(key).inserted { return true }
            return !members.contains(where: exactly)
        }
    }

    // MARK: Errors

    /// The byte at `index` (or the end of the text) where `expected` should be.
    func unexpected(_ expected: String) -> JSONParseError {
        guard index < bytes.count else { return JSONParseError("unexpected end of text (expected \(expected))", at: index) }
        return JSONParseError("unexpected \(Self.describe(bytes[index])) (expected \(expected))", at: index)
    }

    /// A byte as messages show it: printable ASCII quoted, others in hex.
    static func describe(_ byte: UInt8) -> String {
        if (0x21...0x7E).contains(byte) { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count < 2 ? "0" : "") + hex
    }

    // MARK: Locating

    /// The offset of the value at `path` below the value at `index`; nil when there is none.
    mutating func locate(_ path: ArraySlice<String>) -> Int? {
        guard let first = path.first else { return index }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        skipWhitespace()
        while index < bytes.count, bytes[index] != UInt8(ascii: "}") {
            guard let key = try? key() else { return nil }
            if key.utf8.elementsEqual(first.utf8) { return locate(path.dropFirst()) }
            guard (try? value(depth: 1)) != nil else { return nil }
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            }
        }
        return nil
    }
}
