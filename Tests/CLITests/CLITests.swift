import Foundation
import TestSupport
import XCTest

/// The package root, found from this file's path (for examples/ and stacks/ only).
let packageRoot = Tools.packageRoot

/// What one run of the binary did.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
}

final class CLITests: XCTestCase {
    /// The built `catalogwatch`: next to the test bundle (the build products folder), else `.build/debug`.
    static let executable: URL? = {
        var folders = [Bundle(for: CLITests.self).bundleURL.deletingLastPathComponent()]
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { folders.append(bundle.bundleURL.deletingLastPathComponent()) }
        folders.append(packageRoot.appendingPathComponent(".build/debug"))
        return folders.map { $0.appendingPathComponent("catalogwatch") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    var temp: URL!

    override func setUpWithError() throws {
        temp = FileManager.default.temporaryDirectory.appendingPathComponent("catalogwatch-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let temp { try? FileManager.default.removeItem(at: temp) }
    }

    /// Runs `catalogwatch arguments` in the package root with TestSupport's runner (stdin empty).
    func run(_ arguments: [String]) throws -> Run {
        let binary = try XCTUnwrap(Self.executable, "catalogwatch is not built next to the tests or in .build/debug")
        let result = try Tools.execute(binary.path, arguments, in: packageRoot)
        return Run(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let url = temp.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url.path
    }

    func json(_ run: Run) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
    }

    /// The example layouts by name (examples/layouts/<name>.yaml, generated into stacks/<name>).
    static var exampleNames: [String] {
        get throws {
            let names = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("examples/layouts").path)
                .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
            XCTAssertTrue(Set(names).isSuperset(of: ["all-commercial", "multi-region", "tokyo"]), "\(names)")
            return names
        }
    }

    // MARK: validate: layouts

    /// Bad layouts and the exact line each must print (`file:line:col: error [layout] key: message` prefix).
    static let badLayouts: [(name: String, text: String, line: Int, column: Int, key: String, value: String)] = [
        ("misspelt-key", "mainRegoin: ap-northeast-1\nregions: [ap-northeast-1]\n", 1, 1, "mainRegoin", "(did you mean mainRegion?)"),
        ("bad-region", "mainRegion: ap-northeast-1\nregions:\n  - ap-northeast-1\n  - ap-northest-1\n", 4, 5, "regions[1]", "'ap-northest-1' is not an AWS region"),
        ("bad-email", "mainRegion: us-east-1\nregions: [us-east-1]\nnotificationEmail: ops@example\n", 3, 20, "notificationEmail", "'ops@example'"),
        ("bad-architecture", "mainRegion: us-east-1\nregions: [us-east-1]\narchitecture: amd64\n", 3, 15, "architecture", "(did you mean x86_64?)"),
        ("mixed-partitions", "mainRegion: us-east-1\nregions: [us-east-1, us-gov-west-1]\n", 2, 22, "regions", "'us-gov-west-1' is in partition aws-us-gov"),
        ("unclosed", "mainRegion: us-east-1\nregions: [us-east-1\n", 3, 1, "(file)", "did not find expected ',' or ']'"),
        ("list", "- us-east-1\n", 1, 1, "(file)", "found a list"),
    ]

    func testBadLayoutsExitOneWithFileLineColumnKeyAndMessage() throws {
        for bad in Self.badLayouts {
            let path = try write("\(bad.name).yaml", bad.text)
            let r = try run(["validate", "--layout", path])
            XCTAssertEqual(r.status, 1, "\(bad.name): \(r.stdout)\(r.stderr)")
            let prefix = "\(path):\(bad.line):\(bad.column): error [layout] \(bad.key): "
            let line = r.stdoutLines.first { $0.hasPrefix(prefix) }
            XCTAssertNotNil(line, "\(bad.name): no line starting \(prefix) in\n\(r.stdout)")
            XCTAssertTrue(line?.contains(bad.value) == true, "\(bad.name): \(line ?? "")")
            let errors = r.stdoutLines.count - 1
            XCTAssertEqual(r.stdoutLines.last, "\(errors) error\(errors == 1 ? "" : "s"), 0 warnings", bad.name)
        }
    }

    func testInvalidUTF8LayoutIsAFindingNotAUsageError() throws {
        let path = try write("bytes.yaml", bytes: Array("mainRegion: us-east-1\nregions: [us-e".utf8) + [0xC3, 0x28] + Array("ast-1]\n".utf8))
        let r = try run(["validate", "--layout", path])
        XCTAssertEqual(r.status, 1, r.stderr)
        // 0xC3 opens a two-byte sequence; 0x28 at column 16 is the byte that breaks it.
        XCTAssertTrue(r.stdout.hasPrefix("\(path):2:16: error [layout] (file): invalid trailing UTF-8 octet"), r.stdout)
        XCTAssertTrue(r.stdout.contains("UTF-8"), r.stdout)
    }

    func testEmptyLayoutFile() throws {
        let path = try write("empty.yaml", "")
        let r = try run(["validate", "--layout", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.hasPrefix("\(path):1:1: error [layout] (file): the layout is empty"), r.stdout)
    }

    func testOptInRegionWarnsButPasses() throws {
        let path = try write("opt-in.yaml", "mainRegion: us-east-1\nregions:\n  - us-east-1\n  - me-south-1\n")
        let r = try run(["validate", "--layout", path])
        XCTAssertEqual(r.status, 0, r.stdout)
        XCTAssertTrue(r.stdout.contains("\(path):4:5: warning [layout] regions: 'me-south-1' (Bahrain) is an opt-in region"), r.stdout)
        XCTAssertEqual(r.stdoutLines.last, "0 errors, 1 warning")
    }

    // MARK: validate: usage errors exit 2

    func testUsageErrorsExitTwo() throws {
        let layout = try write("ok.yaml", "mainRegion: us-east-1\nregions: [us-east-1]\n")
        let file = try write("not-a-folder.yaml", "Resources: {}\n")
        let emptyFolder = temp.appendingPathComponent("empty-folder")
        try FileManager.default.createDirectory(at: emptyFolder, withIntermediateDirectories: true)
        let cases: [(String, [String], String)] = [
            ("unknown option", ["validate", "--layout", layout, "--strict"], "--strict"),
            ("missing layout file", ["validate", "--layout", temp.appendingPathComponent("nope.yaml").path], "cannot read layout"),
            ("layout is a folder", ["validate", "--layout", temp.path], "cannot read layout"),
            ("--templates is a file", ["validate", "--layout", layout, "--templates", file], "is not a folder"),
            ("--templates does not exist", ["validate", "--templates", temp.appendingPathComponent("nope").path], "is not a folder"),
            ("--templates holds no template", ["validate", "--templates", emptyFolder.path], "no templates"),
            ("unknown format", ["validate", "--layout", layout, "--format", "xml"], "xml"),
            ("option without value", ["validate", "--layout"], "--layout"),
        ]
        for (name, arguments, message) in cases {
            let r = try run(arguments)
            XCTAssertEqual(r.status, 2, "\(name): \(r.stdout)\(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(name): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", name)
        }
    }

    // MARK: validate: examples and our templates

    func testEveryExampleLayoutWithItsStacksPasses() throws {
        for name in try Self.exampleNames {
            let r = try run(["validate", "--layout", "examples/layouts/\(name).yaml", "--templates", "stacks/\(name)"])
            XCTAssertEqual(r.status, 0, "\(name): \(r.stdout)\(r.stderr)")
            XCTAssertEqual(r.stdout, "0 errors, 0 warnings\n", name)
        }
        let r = try run(["validate", "--templates", "stacks/default"])
        XCTAssertEqual(r.status, 0, r.stdout)
    }

    func testFreshlyGeneratedTemplatesPass() throws {
        for name in try Self.exampleNames {
            for format in ["yaml", "json"] {
                let folder = temp.appendingPathComponent("\(name)-\(format)").path
                let g = try run(["generate", "--layout", "examples/layouts/\(name).yaml", "--output", folder, "--format", format, "--quiet"])
                XCTAssertEqual(g.status, 0, g.stderr)
                let r = try run(["validate", "--layout", "examples/layouts/\(name).yaml", "--templates", folder])
                XCTAssertEqual(r.status, 0, "\(name) \(format): \(r.stdout)")
            }
        }
    }

    func testStacksOfOneLayoutFailAgainstAnother() throws {
        // tokyo's StackSet deploys only ap-northeast-1: multi-region's other regions are missing.
        let r = try run(["validate", "--layout", "examples/layouts/multi-region.yaml", "--templates", "stacks/tokyo"])
        XCTAssertEqual(r.status, 1, r.stdout)
        for region in ["ap-northeast-3", "us-east-1", "eu-west-1"] {
            XCTAssertTrue(r.stdout.contains("error [region-coverage] StackInstancesGroup: layout region \(region) is not deployed by any StackSet"), r.stdout)
        }
        XCTAssertTrue(r.stdout.contains("stacks/tokyo/stackset.yaml:"), r.stdout)
    }

    // MARK: validate: the origin template

    /// The origin design's template, rewritten as a fixture that keeps its flaws on purpose
    /// (Tests/Fixtures/origin-design.yaml, inside this repository).
    func originTemplate() throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/origin-design.yaml"), encoding: .utf8)
    }

    func testOriginTemplateIsRejected() throws {
        let text = try originTemplate()
        let path = try write("origin/template.yaml", text)
        let folder = (path as NSString).deletingLastPathComponent
        let lines = text.components(separatedBy: "\n")
        /// 1-based line and column of `needle` at or after the first line holding `after`; comment lines are skipped.
        func position(_ needle: String, after: String) throws -> (Int, Int) {
            let isComment = { (line: String) in line.drop { $0 == " " }.hasPrefix("#") }
            let from = try XCTUnwrap(lines.firstIndex { !isComment($0) && $0.contains(after) }, after)
            let i = try XCTUnwrap(lines[from...].firstIndex { !isComment($0) && $0.contains(needle) }, needle)
            return (i + 1, lines[i].distance(from: lines[i].startIndex, to: lines[i].range(of: needle)!.lowerBound) + 1)
        }

        let plain = try run(["validate", "--templates", folder])
        XCTAssertEqual(plain.status, 1, plain.stderr)
        // Hand-written (its Description does not start with CatalogWatch): the portability rules are warnings.
        XCTAssertTrue(plain.stdoutLines.contains("2 errors, 3 warnings"), plain.stdout)
        let (endpointLine, endpointColumn) = try position("Endpoint", after: "  ReceiveTopic:")
        let endpoint = "Resources.ReceiveTopic.Properties.Subscription[0].Endpoint"
        XCTAssertTrue(plain.stdout.contains("\(path):\(endpointLine):\(endpointColumn): warning [hard-coded-region] \(endpoint): "), plain.stdout)
        XCTAssertTrue(plain.stdout.contains("\(path):\(endpointLine):\(endpointColumn): warning [hard-coded-partition] \(endpoint): "), plain.stdout)

        let github = try run(["validate", "--templates", folder, "--format", "github"])
        XCTAssertEqual(github.status, 1)
        XCTAssertTrue(github.stdoutLines.contains("::warning file=\(path),line=\(endpointLine),col=\(endpointColumn)::[hard-coded-region] \(endpoint): ARN 'arn:aws:lambda:ap-northeast-1:${AWS::AccountId}:function:origin-filter' names region ap-northeast-1; use ${AWS::Region} or a parameter"), github.stdout)

        let r = try run(["validate", "--templates", folder, "--format", "json"])
        XCTAssertEqual(r.status, 1)
        let report = try json(r)
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        XCTAssertEqual(report["errors"] as? Int, findings.filter { $0["severity"] as? String == "error" }.count)
        XCTAssertEqual(report["errors"] as? Int, 2, "\(findings)")
        XCTAssertEqual(report["warnings"] as? Int, 3, "\(findings)")
        XCTAssertEqual(report["notes"] as? Int, 0, "\(findings)")
        func find(_ rule: String, _ key: String) -> [String: Any]? {
            findings.first { $0["rule"] as? String == rule && $0["key"] as? String == key }
        }
        let publish = find("wildcard-resource", "Resources.FilterRole.Properties.Policies[1].PolicyDocument.Statement[0]")
        XCTAssertTrue((publish?["message"] as? String)?.contains("sns:Publish on Resource \"*\"") == true, "\(findings)")
        XCTAssertEqual(publish?["line"] as? Int, try position("- Sid: PublishToAnyTopic", after: "PolicyName: publish").0)
        let assume = find("wildcard-resource", "Resources.FilterRole.Properties.Policies[2].PolicyDocument.Statement[0]")
        XCTAssertTrue((assume?["message"] as? String)?.contains("sts:AssumeRole on Resource \"*\"") == true, "\(findings)")
        XCTAssertEqual(assume?["line"] as? Int, try position("- Sid: AssumeAnyRole", after: "PolicyName: assume").0)

        let endpointPartition = find("hard-coded-partition", endpoint)
        XCTAssertTrue((endpointPartition?["message"] as? String)?.contains("arn:aws:lambda:ap-northeast-1") == true, "\(findings)")
        XCTAssertEqual(endpointPartition?["line"] as? Int, endpointLine)
        XCTAssertEqual(endpointPartition?["column"] as? Int, endpointColumn)
        let logs = find("hard-coded-partition", "Resources.FilterRole.Properties.Policies[0].PolicyDocument.Statement[0].Resource")
        XCTAssertTrue((logs?["message"] as? String)?.contains("arn:aws:logs:*:*:*") == true, "\(findings)")
        XCTAssertEqual(logs?["line"] as? Int, try position("Resource: arn:aws:logs", after: "PolicyName: logs").0)
        let region = find("hard-coded-region", endpoint)
        XCTAssertTrue((region?["message"] as? String)?.contains("names region ap-northeast-1") == true, "\(findings)")
        // Our alert stack's policies grant neither action on "*".
        XCTAssertEqual(findings.filter { $0["rule"] as? String == "wildcard-resource" }.count, 2)
    }

    // MARK: validate: report formats

    func testJSONReport() throws {
        let path = try write("bad.yaml", "mainRegion: us-east-1\nregions:\n  - us-east-1\n  - af-south-1\nbuffer: redis\n")
        let r = try run(["validate", "--layout", path, "--format", "json"])
        XCTAssertEqual(r.status, 1)
        let report = try json(r)
        XCTAssertEqual(report["errors"] as? Int, 1)
        XCTAssertEqual(report["warnings"] as? Int, 1)
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.count, 2)
        let warning = try XCTUnwrap(findings.first)
        XCTAssertEqual(warning["severity"] as? String, "warning")
        XCTAssertEqual(warning["file"] as? String, path)
        XCTAssertEqual(warning["line"] as? Int, 4)
        XCTAssertEqual(warning["column"] as? Int, 5)
        XCTAssertEqual(warning["rule"] as? String, "layout")
        XCTAssertEqual(warning["key"] as? String, "regions")
        let error = try XCTUnwrap(findings.last)
        XCTAssertEqual(error["severity"] as? String, "error")
        XCTAssertEqual(error["line"] as? Int, 5)
        XCTAssertEqual(error["column"] as? Int, 9)
        XCTAssertEqual(error["key"] as? String, "buffer")
        XCTAssertEqual(error["message"] as? String, "'redis' is not one of none, sqs")

        let clean = try run(["validate", "--layout", "examples/layouts/tokyo.yaml", "--templates", "stacks/tokyo", "--format", "json"])
        XCTAssertEqual(clean.status, 0)
        let cleanReport = try json(clean)
        XCTAssertEqual(cleanReport["errors"] as? Int, 0)
        XCTAssertEqual(cleanReport["warnings"] as? Int, 0)
        XCTAssertEqual((cleanReport["findings"] as? [Any])?.count, 0)
    }

    func testJSONReportEscapesText() throws {
        // A message quoting a value with quotes, a backslash and non-ASCII must still be JSON.
        let path = try write("quotes.yaml", "mainRegion: us-east-1\nregions: [us-east-1]\nnamePrefix: 'a\"b\\\\c東京'\n")
        let r = try run(["validate", "--layout", path, "--format", "json"])
        XCTAssertEqual(r.status, 1)
        let findings = try XCTUnwrap(try json(r)["findings"] as? [[String: Any]])
        XCTAssertTrue((findings.first?["message"] as? String)?.hasPrefix("'a\"b\\\\c東京'") == true, "\(findings)")
    }

    func testGitHubAnnotations() throws {
        let path = try write("gh.yaml", "mainRegion: us-east-1\nregions:\n  - us-east-1\n  - il-central-1\nmemberRoleName: \"a b\"\n")
        let r = try run(["validate", "--layout", path, "--format", "github"])
        XCTAssertEqual(r.status, 1)
        let lines = r.stdoutLines
        XCTAssertEqual(lines.count, 2, r.stdout)
        XCTAssertTrue(lines[0].hasPrefix("::warning file=\(path),line=4,col=5::[layout] regions: 'il-central-1' (Tel Aviv) is an opt-in region"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("::error file=\(path),line=5,col=17::[layout] memberRoleName: 'a b' is not a valid IAM role name"), lines[1])
        for line in lines {
            // Properties, then `::`, then the message: exactly two `::` separators.
            XCTAssertEqual(line.components(separatedBy: "::").count, 3, line)
        }
    }

    func testGitHubAnnotationsEscapeProperties() throws {
        let path = try write("a,b:c.yaml", "mainRegion: us-east-1\nregions: [us-east-1]\nbuffer: redis\n")
        let r = try run(["validate", "--layout", path, "--format", "github"])
        XCTAssertEqual(r.status, 1)
        let escaped = path.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        XCTAssertTrue(r.stdout.hasPrefix("::error file=\(escaped),line=3,col=9::[layout] buffer: "), r.stdout)
    }

    // MARK: plan

    func rolloutSteps(_ output: String) -> [String] {
        let lines = output.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "Rollout order:") else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty }).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    func testPlanListsRolloutStepsMainRegionFirst() throws {
        let r = try run(["plan", "--layout", "examples/layouts/multi-region.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let steps = rolloutSteps(r.stdout)
        XCTAssertEqual(steps.count, 4, r.stdout)
        let regions = ["ap-northeast-1", "ap-northeast-3", "us-east-1", "eu-west-1"]
        for (i, step) in steps.enumerated() {
            XCTAssertTrue(step.hasPrefix("\(i + 1). \(regions[i])"), step)
        }
        XCTAssertTrue(steps[0].contains("(main: filter Lambda, send topic)"), steps[0])
        XCTAssertFalse(steps.dropFirst().contains { $0.contains("main") }, "\(steps)")
        XCTAssertTrue(r.stdout.hasPrefix("Layout multi-region: main region ap-northeast-1, 4 regions"), r.stdout)
    }

    func testPlanForMainThenParallel() throws {
        let r = try run(["plan", "--layout", "examples/layouts/all-commercial.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let steps = rolloutSteps(r.stdout)
        XCTAssertEqual(steps.count, 2, r.stdout)
        XCTAssertTrue(steps[0].hasPrefix("1. us-east-1  (main"), steps[0])
        XCTAssertTrue(steps[1].hasPrefix("2. in parallel, after step 1 completes: us-east-2, us-west-1,"), steps[1])
        XCTAssertFalse(steps[1].contains("us-east-1,"), "the main region is not in the parallel wave")
    }

    func testPlanRejectsABadLayout() throws {
        let path = try write("bad.yaml", "mainRegion: us-east-1\nregions: [us-east-2]\n")
        let r = try run(["plan", "--layout", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(path):2:10: error [layout] regions: must include the main region 'us-east-1'"), r.stderr)
        XCTAssertEqual(r.stdout, "")
    }
}
