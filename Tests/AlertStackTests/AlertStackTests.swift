import CloudFormation
import Foundation
import TestSupport
import XCTest
import YAML

@testable import AlertStack
@testable import Layout

/// The package root (TestSupport knows it).
let repositoryRoot = Tools.packageRoot

/// Every example layout, by name (file name without extension), plus the embedded default.
func exampleLayouts() throws -> [(name: String, layout: Layout)] {
    let folder = repositoryRoot.appendingPathComponent("examples/layouts")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
    var out: [(String, Layout)] = [("default", Layout.embeddedDefault)]
    for file in files {
        let path = folder.appendingPathComponent(file).path
        let result = LayoutReader.read(try String(contentsOfFile: path, encoding: .utf8), file: path)
        guard let layout = result.layout else { throw NSError(domain: "layout", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(result.errors)"]) }
        out.append((String(file.dropLast(5)), layout))
    }
    return out
}

final class AlertStackTemplateTests: XCTestCase {
    func testMainRegionOnlyResourcesAreConditioned() {
        let t = AlertStack.template(for: .embeddedDefault)
        let everywhere = t.resources.filter { $0.value.condition == nil }.map(\.name)
        XCTAssertEqual(everywhere, ["ReceiveTopic", "ReceiveTopicPolicy"])
        for name in ["SendTopic", "FilterFunction", "FilterLogGroup", "FilterDeadLetterQueue", "FilterFunctionInvokePermission"] {
            XCTAssertEqual(t.resource(name)?.condition, "IsMainRegion", name)
        }
        // The main region is a parameter compared with AWS::Region, never a literal.
        XCTAssertEqual(t.conditions.first?.value, .function("Fn::Equals", [.ref("AWS::Region"), .ref("MainRegion")]))
    }

    func testLambdaUsesProvidedAL2023AndEnvironmentContract() throws {
        let t = AlertStack.template(for: .embeddedDefault)
        let f = try XCTUnwrap(t.resource("FilterFunction"))
        XCTAssertEqual(f.property("Runtime"), "provided.al2023")
        XCTAssertEqual(f.property("Handler"), "bootstrap")
        let variables = f.property("Environment")?["Variables"]
        XCTAssertEqual(variables?["ALERT_TOPIC_ARN"], .ref("SendTopic"))
        XCTAssertEqual(variables?["MEMBER_ROLE_NAME"], .ref("MemberRoleName"))
        XCTAssertEqual(f.property("Architectures"), [.ref("LambdaArchitecture")])
    }

    func testPermissionNamesSourceArnAndAccount() throws {
        let p = try XCTUnwrap(AlertStack.template(for: .embeddedDefault).resource("FilterFunctionInvokePermission"))
        XCTAssertEqual(p.property("SourceArn"), .sub("arn:${AWS::Partition}:sns:*:${AWS::AccountId}:${NamePrefix}-receive"))
        XCTAssertEqual(p.property("SourceAccount"), .accountId)
        XCTAssertEqual(p.property("Principal"), "sns.amazonaws.com")
    }

    func testLeastPrivilege() throws {
        let t = AlertStack.template(for: .embeddedDefault)
        let json = try t.rendered(.json)
        XCTAssertFalse(json.contains("arn:aws:"), "hard-coded partition")
        XCTAssertTrue(t.resources.allSatisfy { $0.value.type != "AWS::IAM::Role" }, "the alert stack creates no role")
        XCTAssertEqual(t.resource("FilterFunction")?.property("Role"), .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${NamePrefix}-filter"))
        let role = try XCTUnwrap(StackSetArtifacts.rolesTemplate(for: .embeddedDefault).resource("FilterFunctionRole"))
        guard case .list(let policies)? = role.property("Policies") else { return XCTFail("no policies") }
        guard case .list(let statements)? = policies.first?["PolicyDocument"]?["Statement"] else { return XCTFail("no statements") }
        var byAction: [String: CFNValue] = [:]
        for s in statements {
            let actions: [CFNValue]
            if case .list(let a)? = s["Action"] { actions = a } else { actions = [s["Action"]!] }
            for a in actions { byAction[a.stringValue!] = s["Resource"] }
        }
        XCTAssertEqual(byAction["sns:Publish"], .sub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${NamePrefix}-alerts"))
        XCTAssertEqual(byAction["sts:AssumeRole"], .sub("arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"))
        let assume = try XCTUnwrap(statements.first { $0["Action"] == "sts:AssumeRole" })
        XCTAssertEqual(assume["Condition"], ["StringEquals": ["aws:ResourceOrgID": .ref("OrganizationId")]], "only accounts of the organization")
        XCTAssertEqual(byAction["sqs:SendMessage"], .sub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${NamePrefix}-filter-dlq"))
        XCTAssertEqual(byAction["logs:PutLogEvents"], .sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${NamePrefix}-filter:*"))
        XCTAssertNil(byAction["logs:CreateLogGroup"])
        XCTAssertFalse(statements.contains { $0["Resource"] == "*" })
    }

    func testReceiveTopicPolicyIsOpenToTheOrganizationOnly() throws {
        let p = try XCTUnwrap(AlertStack.template(for: .embeddedDefault).resource("ReceiveTopicPolicy"))
        guard case .list(let statements)? = p.property("PolicyDocument")?["Statement"] else { return XCTFail() }
        XCTAssertEqual(statements.count, 1)
        XCTAssertEqual(statements[0]["Action"], "sns:Publish")
        XCTAssertEqual(statements[0]["Condition"]?["StringEquals"]?["aws:PrincipalOrgID"], .ref("OrganizationId"))
    }

    func testTemplateChecksPassOnOurTemplates() throws {
        for (name, layout) in try exampleLayouts() {
            let scenarios = layout.orderedRegions.map { ConditionEvaluator.Scenario(region: $0) }
            // The queues and functions routes send to are named on purpose, region and all.
            let checks = TemplateChecks(scenarios: scenarios, knownRegions: Set(RegionTable.all.map(\.name)), externalArns: Validation.externalArns(layout))
            for file in try Artifacts.generate(for: layout, format: .yaml) where file.path.hasSuffix(".yaml") {
                let t = try TemplateParser.parse(file.contents, file: file.path)
                XCTAssertEqual(checks.run(t), [], "\(name)/\(file.path)")
            }
        }
    }

    func testRegionMatrix() {
        let layout = Layout(mainRegion: "ap-northeast-1", regions: ["us-east-1", "ap-northeast-1", "eu-west-1"])
        let m = RegionMatrix(template: AlertStack.template(for: layout), layout: layout)
        XCTAssertEqual(m.regions, ["ap-northeast-1", "us-east-1", "eu-west-1"])
        let rows = Dictionary(uniqueKeysWithValues: m.rows.map { ($0.name, $0.regions) })
        XCTAssertEqual(rows["ReceiveTopic"], ["ap-northeast-1", "us-east-1", "eu-west-1"])
        XCTAssertEqual(rows["FilterFunction"], ["ap-northeast-1"])
        XCTAssertEqual(rows["OtherRegionReceiveSubscription"], ["us-east-1", "eu-west-1"])
        XCTAssertEqual(rows["MainRegionReceiveSubscription"], ["ap-northeast-1"])
    }
}

final class StackSetTests: XCTestCase {
    func testSequentialRolloutStartsInMainRegion() throws {
        let layout = Layout(mainRegion: "eu-west-1", regions: ["us-east-1", "eu-west-1", "ap-northeast-1"])
        let t = StackSetArtifacts.stackSetTemplate(for: layout, alertStack: AlertStack.template(for: layout), alertStackBody: "x")
        XCTAssertEqual(t.resources.count, 1)
        let set = try XCTUnwrap(t.resources.first?.value)
        XCTAssertEqual(set.property("PermissionModel"), "SELF_MANAGED")
        let prefs = try XCTUnwrap(set.property("OperationPreferences"))
        XCTAssertEqual(prefs["RegionOrder"], ["eu-west-1", "us-east-1", "ap-northeast-1"])
        XCTAssertEqual(prefs["RegionConcurrencyType"], "SEQUENTIAL")
        XCTAssertEqual(prefs["MaxConcurrentCount"], 1)
        XCTAssertEqual(prefs["FailureToleranceCount"], 0)
        guard case .list(let groups)? = set.property("StackInstancesGroup") else { return XCTFail() }
        XCTAssertEqual(groups.first?["Regions"], ["eu-west-1", "us-east-1", "ap-northeast-1"])
        XCTAssertEqual(groups.first?["DeploymentTargets"]?["Accounts"], [.accountId])
    }

    func testMainThenParallelDeploysMainRegionStrictlyFirst() throws {
        var layout = Layout(mainRegion: "us-east-1", regions: ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"])
        layout.rollout = .mainThenParallel
        let t = StackSetArtifacts.stackSetTemplate(for: layout, alertStack: AlertStack.template(for: layout), alertStackBody: "x")
        XCTAssertEqual(t.resources.map(\.name), ["MainRegionStackSet", "OtherRegionsStackSet"])
        let main = try XCTUnwrap(t.resource("MainRegionStackSet"))
        let others = try XCTUnwrap(t.resource("OtherRegionsStackSet"))
        XCTAssertEqual(main.property("OperationPreferences")?["RegionOrder"], ["us-east-1"])
        // The parallel wave waits for the main region's StackSet to finish.
        XCTAssertEqual(others.dependsOn, ["MainRegionStackSet"])
        XCTAssertEqual(others.property("OperationPreferences")?["RegionConcurrencyType"], "PARALLEL")
        XCTAssertEqual(others.property("OperationPreferences")?["RegionOrder"], ["us-west-2", "eu-west-1", "ap-south-1"])
        XCTAssertEqual(others.property("OperationPreferences")?["FailureToleranceCount"], 0)
    }

    func testCLIInputsMatchTheTemplatePreferences() throws {
        let (_, layout) = try XCTUnwrap(try exampleLayouts().first { $0.name == "multi-region" })
        let files = try Artifacts.generate(for: layout, format: .yaml)
        let instances = try XCTUnwrap(files.first { $0.path == "cli/create-stack-instances.json" })
        let object = try JSONSerialization.jsonObject(with: Data(instances.contents.utf8)) as? [String: Any]
        let prefs = object?["OperationPreferences"] as? [String: Any]
        XCTAssertEqual(prefs?["RegionOrder"] as? [String], layout.orderedRegions)
        XCTAssertEqual(prefs?["RegionConcurrencyType"] as? String, "SEQUENTIAL")
        XCTAssertEqual(prefs?["MaxConcurrentCount"] as? Int, 1)
        XCTAssertEqual(prefs?["FailureToleranceCount"] as? Int, 0)
        XCTAssertEqual(object?["Accounts"] as? [String], ["111122223333"])
        let set = try XCTUnwrap(files.first { $0.path == "cli/create-stack-set.json" })
        let setObject = try JSONSerialization.jsonObject(with: Data(set.contents.utf8)) as? [String: Any]
        XCTAssertEqual(setObject?["TemplateBody"] as? String, files.first { $0.path == "alert-stack.yaml" }?.contents)
        XCTAssertEqual(setObject?["PermissionModel"] as? String, "SELF_MANAGED")
    }
}

final class GeneratedStacksTests: XCTestCase {
    /// stacks/ must be exactly what `generate` writes now (regenerate with `make stacks`).
    func testStacksFolderIsUpToDate() throws {
        for (name, layout) in try exampleLayouts() {
            let folder = repositoryRoot.appendingPathComponent("stacks/\(name)")
            let files = try Artifacts.generate(for: layout, format: .yaml)
            for file in files {
                let committed = try? String(contentsOf: folder.appendingPathComponent(file.path), encoding: .utf8)
                XCTAssertEqual(committed, file.contents, "stacks/\(name)/\(file.path) is stale: run `make stacks`")
            }
            let onDisk = try FileManager.default.subpathsOfDirectory(atPath: folder.path)
                .filter { !$0.hasSuffix("/") && !isDirectory(folder.appendingPathComponent($0)) }.sorted()
            XCTAssertEqual(onDisk, files.map(\.path).sorted(), "stacks/\(name) has files generate does not write")
        }
    }

    func testGenerationIsByteIdentical() throws {
        for (_, layout) in try exampleLayouts() {
            for format in TemplateFormat.allCases {
                XCTAssertEqual(try Artifacts.generate(for: layout, format: format), try Artifacts.generate(for: layout, format: format))
            }
        }
    }

    func testEveryTemplateRoundTrips() throws {
        for (name, layout) in try exampleLayouts() {
            for format in TemplateFormat.allCases {
                for file in try Artifacts.generate(for: layout, format: format) where !file.path.hasPrefix("cli/") && file.path != "launch-role-iam-policy.json" {
                    let t = try TemplateParser.parse(file.contents, file: file.path)
                    XCTAssertEqual(try t.rendered(format), file.contents, "\(name)/\(file.path) does not round-trip")
                }
            }
        }
    }

    /// cfn-lint (pinned 1.x) reports nothing on any template, YAML and JSON, for every region of its layout.
    func testCfnLintIsClean() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cw-lint-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for (name, layout) in try exampleLayouts() {
            var paths: [String] = []
            for format in TemplateFormat.allCases {
                for file in try Artifacts.generate(for: layout, format: format) where !file.path.hasPrefix("cli/") && file.path != "launch-role-iam-policy.json" {
                    let url = scratch.appendingPathComponent("\(name)/\(file.path)")
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try file.contents.write(to: url, atomically: true, encoding: .utf8)
                    paths.append(url.path)
                }
            }
            let (status, output) = try runCommand(["cfn-lint", "--format", "parseable", "--regions"] + layout.orderedRegions + ["--"] + paths)
            XCTAssertEqual(status, 0, "cfn-lint findings for \(name):\n\(output)")
            XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "", "cfn-lint output for \(name)")
        }
    }
}

func isDirectory(_ url: URL) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
}

/// Runs a command found on PATH (through `env`, with TestSupport's runner); its exit status and its stdout
/// followed by its stderr.
func runCommand(_ arguments: [String]) throws -> (Int32, String) {
    let result = try Tools.execute("/usr/bin/env", arguments)
    return (result.status, result.stdout + result.stderr)
}
