import Foundation
import XCTest

/// The typed DSL rejects what the schemas forbid at compile time: a GetAtt attribute the resource type
/// does not declare, and a resource built without one of its required properties. Each snippet is
/// type-checked with `swiftc -typecheck` against the built CloudFormation module; a control snippet
/// that must type-check keeps the test from passing for the wrong reason (a missing module, say).
final class CompileFailTests: XCTestCase {
    private static let valid = """
        import CloudFormation

        func build() -> Template {
            var builder = TemplateBuilder()
            let topic: ResourceHandle<SNS.Topic> = builder.resource("Topic", SNS.Topic())
            builder.output("TopicArn", topic.getAtt(.topicArn))
            builder.resource(
                "Permission",
                Lambda.Permission(action: "lambda:InvokeFunction", functionName: "f", principal: "sns.amazonaws.com"))
            return builder.template
        }
        """

    func testValidSnippetTypechecks() throws {
        let result = try typecheck(Self.valid)
        XCTAssertEqual(result.status, 0, "the control snippet must type-check:\n\(result.output)")
    }

    func testUnknownAttributeDoesNotCompile() throws {
        let snippet = Self.valid.replacingOccurrences(of: ".getAtt(.topicArn)", with: ".getAtt(.notAnAttribute)")
        XCTAssertNotEqual(snippet, Self.valid)
        try XCTAssertEqual(typecheck(Self.valid).status, 0)
        let result = try typecheck(snippet)
        XCTAssertNotEqual(result.status, 0, "getAtt(.notAnAttribute) type-checked")
        XCTAssertTrue(result.output.contains("notAnAttribute"), result.output)
    }

    func testMissingRequiredPropertyDoesNotCompile() throws {
        let snippet = Self.valid.replacingOccurrences(of: ", principal: \"sns.amazonaws.com\")", with: ")")
        XCTAssertNotEqual(snippet, Self.valid)
        try XCTAssertEqual(typecheck(Self.valid).status, 0)
        let result = try typecheck(snippet)
        XCTAssertNotEqual(result.status, 0, "Lambda.Permission without principal type-checked")
        XCTAssertTrue(result.output.contains("principal"), result.output)
    }

    /// `swiftc -typecheck` of `source` with the test run's module directory on the import path.
    private func typecheck(_ source: String) throws -> (status: Int32, output: String) {
        let modules = try moduleDirectory()
        let dir = try CodegenTestSupport.temporaryDirectory("cw-compile-fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("snippet.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)
        return try CodegenTestSupport.run(
            "/usr/bin/env",
            [
                "swiftc", "-typecheck", "-swift-version", "6", "-I", modules.path,
                "-I", CodegenTestSupport.packageRoot.appendingPathComponent("Sources/CYAML").path,
                "-module-cache-path", dir.appendingPathComponent("cache").path, file.path,
            ])
    }

    private func moduleDirectory() throws -> URL {
        let fm = FileManager.default
        for directory in CodegenTestSupport.productDirectories {
            for candidate in [directory.appendingPathComponent("Modules"), directory]
            where fm.fileExists(atPath: candidate.appendingPathComponent("CloudFormation.swiftmodule").path) {
                return candidate
            }
        }
        throw CodegenTestSupport.Failure(
            "CloudFormation.swiftmodule not found in \(CodegenTestSupport.productDirectories.map(\.path))")
    }
}
