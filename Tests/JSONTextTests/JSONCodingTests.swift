import XCTest
import Foundation
import JSONText

/// `JSONValueEncoder` and `JSONValueDecoder` against Foundation's `JSONEncoder` and `JSONDecoder`, the
/// coders they replace in the AWS client (the filter links no Foundation; the tests may).
final class JSONCodingTests: XCTestCase {
    enum Kind: String, Codable, Equatable { case alpha, beta }

    struct Inner: Codable, Equatable {
        var name: String
        var flags: [Bool]
        var note: String?
    }

    struct Outer: Codable, Equatable {
        var id: String
        var count: Int
        var big: Int64
        var small: UInt8
        var ratio: Double
        var kind: Kind
        var inner: Inner
        var items: [Inner]
        var byName: [String: Int]
        var nested: [[String]]
        var optionalMissing: Int?
        var optionalPresent: Int?
        var text: String

        enum CodingKeys: String, CodingKey {
            case id = "Id", count = "Count", big, small, ratio, kind, inner, items, byName, nested, optionalMissing, optionalPresent
            case text = "__text"
        }
    }

    let sample = Outer(
        id: "prod-abc/123", count: -42, big: 1_733_000_000_123, small: 255, ratio: 0.25, kind: .beta,
        inner: Inner(name: "ü \"quoted\" \\ \u{1F600}", flags: [true, false], note: nil),
        items: [Inner(name: "a", flags: [], note: "n"), Inner(name: "b", flags: [true], note: nil)],
        byName: ["zeta": 1, "alpha": 2, "Mid": 3], nested: [["x"], [], ["y", "z"]], optionalMissing: nil, optionalPresent: 7,
        text: "line\nbreak\ttab")

    func foundationEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    func testDecodesWhatFoundationEncodes() throws {
        let text = Array(try foundationEncoder().encode(sample))
        XCTAssertEqual(try JSONValueDecoder().decode(Outer.self, from: text), sample)
    }

    func testFoundationDecodesWhatWeEncode() throws {
        let ours = try JSONValueEncoder().encode(sample)
        XCTAssertEqual(try JSONDecoder().decode(Outer.self, from: Data(ours)), sample)
    }

    func testSameBytesAsSortedFoundationWithoutFractions() throws {
        var value = sample
        value.ratio = 3  // Foundation writes 3 as "3", as we do; fractions may differ in digits, not in value
        let ours = String(decoding: try JSONValueEncoder().encode(value), as: UTF8.self)
        let theirs = String(decoding: try foundationEncoder().encode(value), as: UTF8.self)
        XCTAssertEqual(ours, theirs)
        XCTAssertFalse(ours.contains("optionalMissing"), "a nil optional is left out")
    }

    func testDictionaryKeysAreSortedWhateverTheIterationOrder() throws {
        let many = Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", $0) })
        guard case .object(let members) = try JSONValue.parse(try JSONValueEncoder().encode(many)) else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), many.keys.sorted())
    }

    func testAMissingFieldIsNamedByItsPath() throws {
        let text = Array(#"{"Id":"p","Count":1,"big":1,"small":1,"ratio":1,"kind":"alpha","inner":{"flags":[]},"items":[],"byName":{},"nested":[],"__text":""}"#.utf8)
        XCTAssertThrowsError(try JSONValueDecoder().decode(Outer.self, from: text)) { error in
            guard case DecodingError.keyNotFound(let key, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "name")
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["inner"])
        }
    }

    func testAWrongTypeInAnArrayIsNamedByItsIndex() throws {
        struct Flags: Decodable { var flags: [Bool] }
        XCTAssertThrowsError(try JSONValueDecoder().decode(Flags.self, from: Array(#"{"flags":[true,"no"]}"#.utf8))) { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }, ["flags", "1"])
        }
    }

    func testNumbersMustFitTheirType() throws {
        struct Small: Decodable { var small: UInt8 }
        for bad in [#"{"small":256}"#, #"{"small":-1}"#, #"{"small":1.5}"#] {
            XCTAssertThrowsError(try JSONValueDecoder().decode(Small.self, from: Array(bad.utf8)), bad) { error in
                guard case DecodingError.dataCorrupted(let context) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(context.codingPath.map(\.stringValue), ["small"])
            }
        }
        XCTAssertEqual(try JSONValueDecoder().decode(Small.self, from: Array(#"{"small":255}"#.utf8)).small, 255)
    }

    func testAnIntegerADoubleWouldRoundIsRefused() {
        XCTAssertThrowsError(try JSONValueEncoder().encode(["n": Int64(9_007_199_254_740_993)])) { error in
            guard case EncodingError.invalidValue = error else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try JSONValueEncoder().encode(["n": Int64(9_007_199_254_740_992)]))
    }

    func testInvalidJSONIsDataCorruptedAtTheRoot() {
        XCTAssertThrowsError(try JSONValueDecoder().decode([String: Int].self, from: Array("{\"a\":".utf8))) { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(context.codingPath.isEmpty)
        }
    }

    func testANullWhereAValueMustBeIsValueNotFoundAsInFoundation() throws {
        struct Detail: Decodable { var id: String }
        struct Holder: Decodable { var detail: Detail }
        for text in [#"{"detail":null}"#, #"{"detail":{"id":null}}"#] {
            let bytes = Array(text.utf8)
            var ours: DecodingError?, theirs: DecodingError?
            do { _ = try JSONValueDecoder().decode(Holder.self, from: bytes) } catch { ours = error as? DecodingError }
            do { _ = try JSONDecoder().decode(Holder.self, from: Data(bytes)) } catch { theirs = error as? DecodingError }
            guard case .valueNotFound(_, let a) = ours, case .valueNotFound(_, let b) = theirs else { return XCTFail("\(text): \(String(describing: ours))") }
            XCTAssertEqual(a.codingPath.map(\.stringValue), b.codingPath.map(\.stringValue), text)
        }
    }

    func testNullAndAbsentOptionalsDecodeAsNil() throws {
        struct Maybe: Decodable, Equatable { var a: String?; var b: Int? }
        XCTAssertEqual(try JSONValueDecoder().decode(Maybe.self, from: Array(#"{"a":null}"#.utf8)), Maybe(a: nil, b: nil))
        XCTAssertEqual(try JSONValueDecoder().decode(Maybe.self, from: Array(#"{"a":"x","b":2}"#.utf8)), Maybe(a: "x", b: 2))
    }

    func testJSONValueMembersKeepTheirOrderThroughTheDecoder() throws {
        struct Holder: Decodable { var payload: JSONValue }
        let holder = try JSONValueDecoder().decode(Holder.self, from: Array(#"{"payload":{"z":1,"a":[true,null]}}"#.utf8))
        XCTAssertEqual(holder.payload.serialized(), #"{"z":1,"a":[true,null]}"#)
    }

    /// A value that reads an array item leniently: a failed read leaves the item to be read again.
    struct Lenient: Decodable, Equatable {
        var values: [String]

        init(values: [String]) { self.values = values }

        init(from decoder: any Decoder) throws {
            var items = try decoder.unkeyedContainer()
            var values: [String] = []
            while !items.isAtEnd {
                if let number = try? items.decode(Int.self) {
                    values.append("int \(number)")
                } else {
                    values.append("text " + (try items.decode(String.self)))
                }
            }
            self.values = values
        }
    }

    func testAFailedItemReadCanBeTriedAgainAsInFoundation() throws {
        let text = Array(#"["a",1,"b"]"#.utf8)
        let theirs = try JSONDecoder().decode(Lenient.self, from: Data(text))
        XCTAssertEqual(theirs, Lenient(values: ["text a", "int 1", "text b"]))
        XCTAssertEqual(try JSONValueDecoder().decode(Lenient.self, from: text), theirs)
    }

    class Base: Codable {
        var name: String
        init(name: String) { self.name = name }
    }

    final class Derived: Base, @unchecked Sendable {
        var size: Int

        init(name: String, size: Int) {
            self.size = size
            super.init(name: name)
        }

        enum CodingKeys: String, CodingKey { case size }

        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            size = try container.decode(Int.self, forKey: .size)
            try super.init(from: container.superDecoder())
        }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(size, forKey: .size)
            try super.encode(to: container.superEncoder())
        }
    }

    func testTheSuperclassIsKeptUnderSuperAsInFoundation() throws {
        let value = Derived(name: "base part", size: 3)
        let ours = try JSONValueEncoder().encode(value)
        XCTAssertEqual(String(decoding: ours, as: UTF8.self), String(decoding: try foundationEncoder().encode(value), as: UTF8.self))
        let back = try JSONValueDecoder().decode(Derived.self, from: ours)
        XCTAssertEqual([back.name, String(back.size)], ["base part", "3"])
        let fromFoundation = try JSONDecoder().decode(Derived.self, from: Data(ours))
        XCTAssertEqual(fromFoundation.name, "base part")
    }

    func testNonFiniteNumbersAreRefusedAsInFoundation() {
        for value in [Double.infinity, -Double.infinity, Double.nan] {
            XCTAssertThrowsError(try foundationEncoder().encode(["x": value]), "Foundation, \(value)")
            XCTAssertThrowsError(try JSONValueEncoder().encode(["x": value]), "\(value)") { error in
                guard case EncodingError.invalidValue(_, let context) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(context.codingPath.map(\.stringValue), ["x"])
            }
        }
        XCTAssertThrowsError(try JSONValueEncoder().encode([Float.infinity]))
    }

    func testLongArraysAndObjectsKeepEveryItemInOrder() throws {
        let numbers = Array(0..<20_000)
        XCTAssertEqual(try JSONValueDecoder().decode([Int].self, from: try JSONValueEncoder().encode(numbers)), numbers)
        let members = Dictionary(uniqueKeysWithValues: numbers.map { ("k\($0)", $0) })
        let text = try JSONValueEncoder().encode(members)
        XCTAssertEqual(try JSONDecoder().decode([String: Int].self, from: Data(text)), members)
    }
}
