import Foundation
import TestSupport
import XCTest

@testable import YAML

final class YAMLEmitterTests: XCTestCase {
    /// Strings a YAML 1.1 or 1.2 reader would take for something else.
    static let ambiguous = [
        "", "~", "null", "NULL", "true", "False", "yes", "No", "on", "OFF", "y", "n", "Y", "N",
        "2012-10-17", "2010-09-09", "2024-01-01T00:00:00Z", "0123", "0o17", "0x1F", "0b101", "1_000", "1e3", "-1",
        "+1", ".5", "1.", "3.14", ".inf", "-.Inf", ".nan", "1:20", "190:20:30", "<<", "=", "012345678901",
    ]

    func testAmbiguousScalarsAreQuoted() throws {
        for text in Self.ambiguous {
            let yaml = try YAMLEmitter.emit(.mapping([YAMLPair(.string("k"), .string(text))]))
            let value = String(yaml.dropFirst(3).dropLast())  // "k: " ... "\n"
            XCTAssert(value.hasPrefix("'") || value.hasPrefix("\""), "\(text) emitted unquoted: \(yaml)")
            let back = try YAMLParser.parse(yaml)
            XCTAssertEqual(back["k"]?.scalarValue, text)
            XCTAssertFalse(back["k"].map { if case .scalar(let s) = $0 { s.isPlain } else { true } } ?? true)
        }
    }

    func testOrdinaryStringsStayPlain() throws {
        for text in ["hello", "AWS::Region", "arn:aws:sns:*:123:x", "ap-northeast-1", "sns:Publish", "v1.2.3", "abc-2012"] {
            let yaml = try YAMLEmitter.emit(.string(text))
            XCTAssertEqual(yaml, "\(text)\n")
        }
    }

    func testAmbiguousScalarsStayStringsForPyYAML() throws {
        // PyYAML is a YAML 1.1 reader (the strictest about booleans and sexagesimals): a real peer.
        let node = YAMLNode.mapping(Self.ambiguous.enumerated().map { YAMLPair(.string("k\($0.offset)"), .string($0.element)) })
        let yaml = try YAMLEmitter.emit(node)
        let script = """
            import sys, yaml, json
            d = yaml.safe_load(sys.stdin.read())
            print(json.dumps([[k, type(v).__name__] for k, v in d.items()]))
            """
        let output = try Tools.python3(script, input: Array(yaml.utf8))
        let pairs = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String]]
        XCTAssertEqual(pairs?.count, Self.ambiguous.count)
        for pair in pairs ?? [] { XCTAssertEqual(pair[1], "str", "PyYAML read \(pair[0]) as \(pair[1])") }
    }

    func testMultilineStringsAreLiteralBlocks() throws {
        let text = "line one\nline two\n  indented\n"
        let yaml = try YAMLEmitter.emit(.mapping([YAMLPair(.string("script"), .string(text))]))
        XCTAssertTrue(yaml.hasPrefix("script: |"), yaml)
        XCTAssertEqual(try YAMLParser.parse(yaml)["script"]?.scalarValue, text)
        let noFinalNewline = "a\nb"
        let yaml2 = try YAMLEmitter.emit(.string(noFinalNewline))
        XCTAssertTrue(yaml2.hasPrefix("|-"), yaml2)
        XCTAssertEqual(try YAMLParser.parse(yaml2).scalarValue, noFinalNewline)
    }

    func testUTF8SurvivesUnescaped() throws {
        let text = "共有した製品のエラーを管理者に通知する"
        let yaml = try YAMLEmitter.emit(.mapping([YAMLPair(.string("Description"), .string(text))]))
        XCTAssertEqual(yaml, "Description: \(text)\n")
        XCTAssertEqual(try YAMLParser.parse(yaml)["Description"]?.scalarValue, text)
        // libyaml escapes characters outside the Basic Multilingual Plane; the value still round-trips.
        let emoji = "alert 🚨 \u{1F600}"
        XCTAssertEqual(try YAMLParser.parse(try YAMLEmitter.emit(.string(emoji))).scalarValue, emoji)
    }

    func testTagsAreEmittedShortForm() throws {
        let node = YAMLNode.mapping([
            YAMLPair(.string("A"), .scalar(YAMLScalar("AWS::Region", tag: "!Ref"))),
            YAMLPair(.string("B"), .sequence([.string("x"), .string("z")], tag: "!Equals")),
            YAMLPair(.string("C"), .scalar(YAMLScalar("Res.Arn", tag: "!GetAtt"))),
        ])
        let yaml = try YAMLEmitter.emit(node)
        XCTAssertEqual(yaml, "A: !Ref AWS::Region\nB: !Equals\n- x\n- z\nC: !GetAtt Res.Arn\n")
        XCTAssertEqual(try YAMLParser.parse(yaml), node)
    }

    func testLongLinesAreNotFolded() throws {
        let long = String(repeating: "word ", count: 100).trimmingCharacters(in: .whitespaces)
        let yaml = try YAMLEmitter.emit(.string(long))
        XCTAssertEqual(yaml.split(separator: "\n").count, 1)
    }

    func testEmptyCollections() throws {
        let node = YAMLNode.mapping([YAMLPair(.string("a"), .sequence([])), YAMLPair(.string("b"), .mapping([]))])
        let yaml = try YAMLEmitter.emit(node)
        XCTAssertEqual(yaml, "a: []\nb: {}\n")
        XCTAssertEqual(try YAMLParser.parse(yaml), node)
    }

    func testEmitIsDeterministic() throws {
        let node = YAMLNode.mapping((0..<50).map { YAMLPair(.string("key\($0)"), .string("v\($0 * 7 % 13)")) })
        XCTAssertEqual(try YAMLEmitter.emit(node), try YAMLEmitter.emit(node))
    }
}

final class YAMLParserTests: XCTestCase {
    func testKeepsOrderTagsAndStyles() throws {
        let node = try YAMLParser.parse("z: 1\na: 'quoted'\nm: !Sub \"x${AWS::Region}\"\n")
        XCTAssertEqual(node.pairs?.map { $0.key.scalarValue }, ["z", "a", "m"])
        guard case .scalar(let a) = node["a"], case .scalar(let m) = node["m"], case .scalar(let z) = node["z"] else {
            return XCTFail("expected scalars")
        }
        XCTAssertEqual(a.style, .singleQuoted)
        XCTAssertEqual(z.style, .plain)
        XCTAssertEqual(m.tag, "!Sub")
        XCTAssertEqual(m.style, .doubleQuoted)
        XCTAssertEqual(z.mark, YAMLMark(line: 1, column: 4))
    }

    func testParseErrorsCarryLineAndColumn() {
        let cases: [(String, Int)] = [
            ("a: 1\nb: [1, 2\n", 3),
            ("a: 1\n  b: 2\n", 2),
            ("a: 'open\n", 2),
            ("key: value\nkey: other\n", 2),
            ("- a\n- *missing\n", 2),
        ]
        for (text, line) in cases {
            XCTAssertThrowsError(try YAMLParser.parse(text, file: "bad.yaml")) { error in
                let e = error as? YAMLError
                XCTAssertEqual(e?.file, "bad.yaml")
                XCTAssertEqual(e?.mark?.line, line, "\(text.debugDescription): \(String(describing: e))")
                XCTAssertTrue(e?.description.hasPrefix("bad.yaml:\(line):") ?? false, String(describing: e))
            }
        }
    }

    func testDuplicateKeyNamesTheKey() {
        XCTAssertThrowsError(try YAMLParser.parse("regions: []\nregions: []\n")) { error in
            XCTAssertTrue(String(describing: error).contains("duplicate key 'regions'"))
        }
    }

    func testInvalidUTF8IsAnErrorWithPosition() {
        let bytes: [UInt8] = Array("a: ok\nb: ".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        XCTAssertThrowsError(try YAMLParser.parse(bytes: bytes, file: "x.yaml")) { error in
            let e = error as? YAMLError
            XCTAssertEqual(e?.mark?.line, 2)
            XCTAssertEqual(e?.mark?.column, 4)
        }
    }

    func testAliasBombIsStopped() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        XCTAssertThrowsError(try YAMLParser.parse(text)) { error in
            XCTAssertTrue(String(describing: error).contains("alias bomb"), String(describing: error))
        }
    }

    func testDeepNestingIsAnError() {
        let text = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        XCTAssertThrowsError(try YAMLParser.parse(text)) { error in
            XCTAssertTrue(String(describing: error).contains("nesting deeper"), String(describing: error))
        }
    }

    func testAliasesExpand() throws {
        let node = try YAMLParser.parse("base: &b {x: 1}\ncopy: *b\n")
        XCTAssertEqual(node["copy"], node["base"])
    }

    func testEmptyDocumentIsNull() throws {
        let node = try YAMLParser.parse("")
        XCTAssertEqual(node.scalarValue, "")
    }

    func testMultipleDocumentsAreRejected() {
        XCTAssertThrowsError(try YAMLParser.parse("a: 1\n---\nb: 2\n"))
    }

    func testResolvePlain() {
        XCTAssertEqual(YAMLResolver.resolvePlain("180"), .int(180))
        XCTAssertEqual(YAMLResolver.resolvePlain("0123"), .number("0123"))
        XCTAssertEqual(YAMLResolver.resolvePlain("1.5"), .number("1.5"))
        XCTAssertEqual(YAMLResolver.resolvePlain("true"), .bool(true))
        XCTAssertEqual(YAMLResolver.resolvePlain("null"), .null)
        XCTAssertEqual(YAMLResolver.resolvePlain("2012-10-17"), .string("2012-10-17"))
        XCTAssertEqual(YAMLResolver.resolvePlain("1e"), .string("1e"))
    }
}

/// Inputs the fuzzers found (Fuzz/regressions/yaml/): each must parse or fail cleanly, and what parses must round-trip.
final class YAMLFuzzRegressionTests: XCTestCase {
    func testFuzzFindingsStayFixed() throws {
        let folder = Tools.packageRoot.appendingPathComponent("Fuzz/regressions/yaml")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(file)))
            guard let node = try? YAMLParser.parse(bytes: bytes) else { continue }
            let again = try YAMLParser.parse(try YAMLEmitter.emit(node))
            XCTAssertEqual(again, node, file)
        }
    }

    func testPlainAndQuotedScalarsCompareByMeaning() throws {
        XCTAssertEqual(try YAMLParser.parse("a: abc"), try YAMLParser.parse("a: 'abc'"))
        XCTAssertNotEqual(try YAMLParser.parse("a: 1"), try YAMLParser.parse("a: '1'"))
        XCTAssertNotEqual(try YAMLParser.parse("a: true"), try YAMLParser.parse("a: 'true'"))
        // A plain scalar folded over lines means the same as the block scalar the emitter writes for it.
        let folded = try YAMLParser.parse("k: one\n\n  - two\n")
        XCTAssertEqual(try YAMLParser.parse(try YAMLEmitter.emit(folded)), folded)
    }
}
