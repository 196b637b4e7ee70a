import Foundation
import JSONText
import TestSupport
import XCTest

/// JSONValue: the deterministic serializer and the strict parser (RFC 8259, no Foundation).
final class JSONValueTests: XCTestCase {
    func testSerializationEscapesAndOrder() throws {
        let value = JSONValue.object([
            ("z", .string("a\"b\\c\n\u{1}\u{7F}\u{2028}日本")), ("a", .array([.null, .bool(true), .number(1.5), .number(-3)])),
            ("inf", .number(.infinity)),
        ])
        let text = value.serialized()
        XCTAssertEqual(text, #"{"z":"a\"b\\c\n\u0001\u007f\u2028日本","a":[null,true,1.5,-3],"inf":null}"#)
        let parsed = try JSONValue.parse(text)
        XCTAssertEqual(parsed["z"]?.stringValue, "a\"b\\c\n\u{1}\u{7F}\u{2028}日本")
        XCTAssertEqual(parsed["a"], .array([.null, .bool(true), .number(1.5), .number(-3)]))
        XCTAssertEqual(parsed["inf"], .null)
    }

    func testRoundTripThroughFoundation() throws {
        var all = ""
        for value in 0...0x2FF { if let s = Unicode.Scalar(value) { all.unicodeScalars.append(s) } }
        let text = JSONValue.object([("s", .string(all))]).serialized()
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        XCTAssertEqual(object["s"], all)
        XCTAssertEqual(try JSONValue.parse(text)["s"]?.stringValue, all)
    }

    func testEscapes() throws {
        let text = #""\" \\ \/ \b \f \n \r \t \u0041\u00e9\u00E9\u2028\u0000 日本""#
        XCTAssertEqual(try JSONValue.parse(text), .string("\" \\ / \u{8} \u{C} \n \r \t Aéé\u{2028}\u{0} 日本"))
        XCTAssertEqual(try JSONValue.parse(#""plain ascii""#), .string("plain ascii"))
        XCTAssertEqual(try JSONValue.parse(#""""#), .string(""))
        XCTAssertEqual(try JSONValue.parse(#""\\""#), .string("\\"))
        XCTAssertEqual(try JSONValue.parse(#""a\nb""#), .string("a\nb"), "an escape in the middle")
    }

    func testSurrogatePairs() throws {
        XCTAssertEqual(try JSONValue.parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try JSONValue.parse(#""x\uD834\uDD1Ey""#), .string("x𝄞y"))
        XCTAssertEqual(try JSONValue.parse(#""\udbff\udfff""#), .string("\u{10FFFF}"))
        assertError(#""\ud800""#, "high surrogate \\uD800 without a low surrogate \\uDC00-\\uDFFF after it at byte 1")
        assertError(#""\ud800x""#, "high surrogate \\uD800 without a low surrogate", at: 1)
        assertError(#""\ud800\u0041""#, "high surrogate \\uD800 followed by \\u0041, not by a low surrogate at byte 1")
        assertError(#""ab\udc00""#, "low surrogate \\uDC00 without a high surrogate before it at byte 3")
        assertError(#""\ud800\ud800""#, "followed by \\uD800", at: 1)
    }

    func testScalarsAndWhitespace() throws {
        XCTAssertEqual(try JSONValue.parse(" \t\n\r[ 1 , true,false ,null,\"s\" ]\r\n"), .array([.number(1), .bool(true), .bool(false), .null, .string("s")]))
        XCTAssertEqual(try JSONValue.parse("42"), .number(42))
        XCTAssertEqual(try JSONValue.parse("null"), .null)
        XCTAssertEqual(try JSONValue.parse("{}"), .object([]))
        XCTAssertEqual(try JSONValue.parse("[]"), .array([]))
        XCTAssertEqual(try JSONValue.parse("[[],{}]"), .array([.array([]), .object([])]))
    }

    func testNumbers() throws {
        let cases: [(String, Double)] = [
            ("0", 0), ("-12", -12), ("1.5e3", 1500), ("1E-2", 0.01), ("-0.25", -0.25), ("2e+2", 200), ("123456789012345", 123_456_789_012_345),
            ("1234567890123456789", 1_234_567_890_123_456_768), ("9007199254740993", 9_007_199_254_740_992), ("1e308", 1e308),
            ("1e-400", 0), ("0.1", 0.1), ("10", 10), ("100000000000000000000000000000", 1e29),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try JSONValue.parse(text), .number(expected), text)
        }
        guard case .number(let negativeZero) = try JSONValue.parse("-0") else { return XCTFail("-0") }
        XCTAssertEqual(negativeZero.sign, .minus)
        assertError("01", "number with a leading zero at byte 0")
        assertError("-01", "leading zero", at: 0)
        assertError("-", "unexpected end of text (expected a digit) at byte 1")
        assertError("1.", "expected a digit", at: 2)
        assertError("1.e5", "unexpected 'e' (expected a digit) at byte 2")
        assertError("1e", "expected a digit", at: 2)
        assertError("1e+", "expected a digit", at: 3)
        assertError("+1", "unexpected '+' (expected a value) at byte 0")
        assertError(".5", "unexpected '.' (expected a value)", at: 0)
        assertError("1e309", "number 1e309 out of the range of a Double at byte 0")
        assertError("[-1e999]", "out of the range of a Double", at: 1)
        assertError("NaN", "unexpected 'N' (expected a value)", at: 0)
        assertError("-Infinity", "expected a digit", at: 1)
        assertError("0x10", "unexpected 'x' after the JSON value at byte 1")
    }

    func testKeysKeepTheirOrderAndARepeatedKeyItsFirstValue() throws {
        let parsed = try JSONValue.parse(#"{"b": 1, "a": 2, "b": 3, "c": {"z": 0, "y": 1}}"#)
        guard case .object(let members) = parsed else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["b", "a", "c"])
        XCTAssertEqual(parsed["b"], .number(1))
        XCTAssertEqual(parsed.serialized(), #"{"b":1,"a":2,"c":{"z":0,"y":1}}"#)
        // Past the small-object scan: a set answers, and still keeps the first value.
        let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ",")
        guard case .object(let large) = try JSONValue.parse("{\(many), \"k3\": 99, \"k39\": 98, \"k40\": 40}") else { return XCTFail() }
        XCTAssertEqual(large.count, 41)
        XCTAssertEqual(large.first { $0.key == "k3" }?.value, .number(3))
        XCTAssertEqual(large.last?.key, "k40")
        // Keys compare scalar by scalar: canonically equivalent spellings are different keys.
        guard case .object(let spellings) = try JSONValue.parse(#"{"caf\u00e9": 1, "cafe\u0301": 2}"#) else { return XCTFail() }
        XCTAssertEqual(spellings.count, 2)
        let manySpellings = (0..<20).map { "\"k\($0)\": 0" }.joined(separator: ",")
        guard case .object(let both) = try JSONValue.parse("{\(manySpellings), \"caf\\u00e9\": 1, \"cafe\\u0301\": 2}") else { return XCTFail() }
        XCTAssertEqual(both.count, 22)
    }

    func testInvalidInput() {
        let cases: [(String, String)] = [
            ("", "unexpected end of text (expected a value) at byte 0"),
            ("   ", "unexpected end of text (expected a value) at byte 3"),
            ("{", "unexpected end of text (expected a string key in an object) at byte 1"),
            ("[1,]", "unexpected ']' (expected a value) at byte 3"),
            (#"{"a":1,}"#, "unexpected '}' (expected a string key in an object) at byte 7"),
            (#"{"a" 1}"#, "unexpected '1' (expected ':' after an object key) at byte 5"),
            ("{1:2}", "unexpected '1' (expected a string key in an object) at byte 1"),
            ("[1 2]", "unexpected '2' (expected ',' or ']' in an array) at byte 3"),
            (#"{"a":1 "b":2}"#, "unexpected '\"' (expected ',' or '}' in an object) at byte 7"),
            ("tru", "unexpected end of text (expected 'true') at byte 3"),
            ("nul!", "unexpected '!' (expected 'null') at byte 3"),
            ("falsy", "unexpected 'y' (expected 'false') at byte 4"),
            ("'a'", "unexpected ''' (expected a value) at byte 0"),
            (#""abc"#, "end of text in the string that starts at byte 0"),
            (#"["abc\"]"#, "end of text in the string that starts at byte 1"),
            ("\"a\nb\"", "unescaped control character byte 0x0A in a string at byte 2"),
            ("\"a\\n\tb\"", "unescaped control character byte 0x09 in a string at byte 4"),
            (#""\x""#, #"invalid escape '\x' (JSON escapes " \ / b f n r t u) at byte 1"#),
            (#""\u12g4""#, "\\u escape with 'g' among its 4 hex digits at byte 1"),
            (#""\u12"#, "unexpected end of text (expected 4 hex digits after \\u) at byte 5"),
            (#""\"#, "unexpected end of text (expected an escaped character) at byte 2"),
            ("{} x", "unexpected 'x' after the JSON value at byte 3"),
            ("{}}", "unexpected '}' after the JSON value at byte 2"),
            ("1 2", "unexpected '2' after the JSON value at byte 2"),
            ("\u{FEFF}{}", "unexpected byte 0xEF (expected a value) at byte 0"),
            ("[1,\u{0}]", "unexpected byte 0x00 (expected a value) at byte 3"),
        ]
        for (text, message) in cases {
            assertError(text, message)
        }
    }

    func testInvalidUTF8IsFoundAtItsByte() {
        let quote: UInt8 = 0x22
        let cases: [([UInt8], Int)] = [
            ([quote, 0x61, 0xFF, quote], 2),
            ([quote, 0xC0, 0xAF, quote], 1),  // overlong "/"
            ([quote, 0xED, 0xA0, 0x80, quote], 1),  // an encoded surrogate
            ([quote, 0x61, 0xE6, 0x97, quote], 2),  // cut short by the quote
            ([quote, 0xE6, 0x97, 0xA5, 0xF8, quote], 4),
            ([quote, 0x5C, 0x6E, 0x61, 0x80, quote], 4),  // after an escape
            ([0x7B, quote, 0x61, quote, 0x3A, quote, 0xC3, quote, 0x7D], 6),
        ]
        for (bytes, offset) in cases {
            XCTAssertThrowsError(try JSONValue.parse(bytes), "\(bytes)") { error in
                XCTAssertEqual((error as? JSONParseError)?.offset, offset, "\(bytes)")
                XCTAssertTrue("\(error)".contains("invalid UTF-8 in a string at byte \(offset)"), "\(error)")
            }
        }
        XCTAssertEqual(try JSONValue.parse([quote, 0xE6, 0x97, 0xA5, quote]), .string("日"))
    }

    func testNestingLimit() throws {
        let deepest = String(repeating: "[", count: JSONValue.maxDepth) + String(repeating: "]", count: JSONValue.maxDepth)
        XCTAssertNoThrow(try JSONValue.parse(deepest))
        let tooDeep = String(repeating: "[", count: JSONValue.maxDepth + 1) + String(repeating: "]", count: JSONValue.maxDepth + 1)
        assertError(tooDeep, "arrays and objects nested deeper than 512 at byte 512")
        assertError(String(repeating: #"{"a":"#, count: 100_000), "nested deeper than 512", at: 512 * 5)
        assertError(String(repeating: "[", count: 1_000_000), "nested deeper than 512", at: 512)
    }

    func testErrorDescription() {
        XCTAssertThrowsError(try JSONValue.parse("{")) { error in
            XCTAssertEqual("\(error)", "invalid JSON: unexpected end of text (expected a string key in an object) at byte 1")
            XCTAssertEqual((error as? JSONParseError)?.offset, 1)
        }
    }

    /// The parser agrees with Foundation's JSONDecoder (whose objects come with sorted keys) on the example
    /// events and the event fuzz corpus.
    func testAgreesWithFoundationOnTheExampleEvents() throws {
        let folders = ["examples/events", "Fuzz/corpus/event"].map { Tools.packageRoot.appendingPathComponent($0) }
        var checked = 0
        for folder in folders {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".json") {
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                let ours = try JSONValue.parse([UInt8](data))
                let foundation = try JSONDecoder().decode(JSONValue.self, from: data)
                XCTAssertEqual(Self.sortingKeys(ours), foundation, name)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 5)
    }

    func testLocatesValuesForMessages() throws {
        let text = "{\n  \"a\": 1,\n  \"b\": {\"c\": \"日本\", \"d\": [true]}\n}\n"
        let bytes = Array(text.utf8)
        XCTAssertEqual(JSONValue.offset(of: [], in: bytes), 0)
        let d = try XCTUnwrap(JSONValue.offset(of: ["b", "d"], in: bytes))
        XCTAssertEqual(bytes[d], UInt8(ascii: "["))
        XCTAssertTrue(JSONValue.lineAndColumn(of: d, in: bytes) == (3, 25), "\(JSONValue.lineAndColumn(of: d, in: bytes))")
        XCTAssertNil(JSONValue.offset(of: ["b", "x"], in: bytes))
        XCTAssertNil(JSONValue.offset(of: ["a", "x"], in: bytes))
        XCTAssertNil(JSONValue.offset(of: ["a"], in: Array("{\"a\" 1}".utf8)))
        XCTAssertTrue(JSONValue.lineAndColumn(of: 0, in: bytes) == (1, 1))
    }

    // MARK: Helpers

    func assertError(_ text: String, _ message: String, at offset: Int? = nil, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try JSONValue.parse(text)
            XCTFail("parsed \(text.prefix(60)) as \(value.serialized().prefix(60))", file: file, line: line)
        } catch {
            XCTAssertTrue(error.message.contains(message), "\(message) not in: \(error.message)", file: file, line: line)
            if let offset { XCTAssertEqual(error.offset, offset, error.message, file: file, line: line) }
            // The same bytes as a String and as bytes fail alike.
            XCTAssertThrowsError(try JSONValue.parse(Array(text.utf8)), file: file, line: line) {
                XCTAssertEqual($0 as? JSONParseError, error, file: file, line: line)
            }
        }
    }

    static func sortingKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(sortingKeys))
        case .object(let members): return .object(members.sorted { $0.key < $1.key }.map { ($0.key, sortingKeys($0.value)) })
        default: return value
        }
    }
}
