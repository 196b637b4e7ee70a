import CloudFormation
import Diagnostics
import Foundation
import XCTest
import YAML

@testable import AlertStack
@testable import Layout

// MARK: helpers: mutate generated templates instead of hand-writing YAML

extension CFNValue {
    /// A copy of this object with `key` set to `value` (removed when nil), in place when present.
    func setting(_ key: String, _ value: CFNValue?) -> CFNValue {
        guard case .object(var fields) = self else { return self }
        if let i = fields.firstIndex(where: { $0.key == key }) {
            if let value { fields[i].value = value } else { fields.remove(at: i) }
        } else if let value {
            fields.append(CFNField(key, value))
        }
        return .object(fields)
    }
}

extension Template {
    mutating func update(_ name: String, _ change: (inout Resource) -> Void) {
        guard let i = resources.firstIndex(where: { $0.name == name }) else { return XCTFail("no resource \(name)") }
        change(&resources[i].value)
    }
}

extension Resource {
    mutating func set(_ key: String, _ value: CFNValue?) {
        if let i = properties.firstIndex(where: { $0.key == key }) {
            if let value { properties[i].value = value } else { properties.remove(at: i) }
        } else if let value {
            properties.append(CFNField(key, value))
        }
    }

    /// Sets one OperationPreferences field.
    mutating func setPreference(_ key: String, _ value: CFNValue?) {
        set("OperationPreferences", (property("OperationPreferences") ?? .object([])).setting(key, value))
    }

    /// Sets the Regions of the (single) StackInstancesGroup entry.
    mutating func setInstanceRegions(_ regions: [String]) {
        guard case .list(var groups)? = property("StackInstancesGroup"), !groups.isEmpty else { return XCTFail("no StackInstancesGroup") }
        groups[0] = groups[0].setting("Regions", .list(regions.map(CFNValue.string)))
        set("StackInstancesGroup", .list(groups))
    }
}

func stackSetTemplate(for layout: Layout) throws -> Template {
    let alert = AlertStack.template(for: layout)
    return StackSetArtifacts.stackSetTemplate(
        for: layout, alertStack: alert, alertStackBody: try alert.rendered(.yaml), readerBody: try MemberReader.template(for: layout).rendered(.yaml))
}

/// Runs the layout agreement checks on templates rendered to YAML and parsed back (so findings carry real positions).
func agreement(_ templates: [(file: String, template: Template)], _ layout: Layout) throws -> [Diagnostic] {
    var input: [Template] = []
    for t in templates { input.append(try TemplateParser.parse(try t.template.rendered(.yaml), file: t.file)) }
    return Validation.checkAgainstLayout(input, layout: layout)
}

/// 1-based line of the first line of `text` containing `needle` after the line containing `after`.
func line(of needle: String, in text: String, after: String? = nil) -> Int? {
    let lines = text.components(separatedBy: "\n")
    var start = 0
    if let after { start = lines.firstIndex { $0.contains(after) } ?? lines.count }
    return lines[start...].firstIndex { $0.contains(needle) }.map { $0 + 1 }
}

func layout(named name: String) throws -> Layout {
    try XCTUnwrap(try exampleLayouts().first { $0.name == name }?.layout, "example layout \(name)")
}

// MARK: tests

final class LayoutAgreementTests: XCTestCase {
    /// multi-region: sequential, ap-northeast-1 then ap-northeast-3, us-east-1, eu-west-1.
    var sequential: Layout { get throws { try layout(named: "multi-region") } }
    /// all-commercial: main-then-parallel from us-east-1.
    var mainThenParallel: Layout { get throws { try layout(named: "all-commercial") } }

    func testGeneratedTemplatesAgreeWithTheirLayouts() throws {
        for (name, layout) in try exampleLayouts() {
            var parsed: [Template] = []
            for file in try Artifacts.generate(for: layout, format: .yaml) where file.path.hasSuffix(".yaml") {
                let checked = Validation.checkTemplate(text: file.contents, file: file.path, layout: layout)
                XCTAssertEqual(checked.diagnostics, [], "\(name)/\(file.path)")
                let template = try XCTUnwrap(checked.template)
                XCTAssertEqual(Validation.provenance(of: template), .catalogWatch, "\(name)/\(file.path)")
                parsed.append(template)
            }
            XCTAssertEqual(Validation.checkAgainstLayout(parsed, layout: layout), [], name)
        }
    }

    func testUnchangedTemplatesHaveNoFindings() throws {
        // The control for every mutation below.
        XCTAssertEqual(try agreement([("stackset.yaml", try stackSetTemplate(for: try sequential))], try sequential), [])
        XCTAssertEqual(try agreement([("stackset.yaml", try stackSetTemplate(for: try mainThenParallel))], try mainThenParallel), [])
    }

    func testRegionOrderMustStartWithTheMainRegion() throws {
        let layout = try sequential
        var t = try stackSetTemplate(for: layout)
        let reversed = Array(layout.orderedRegions.reversed())
        t.update("ReceiveTopicsStackSet") {
            $0.setPreference("RegionOrder", .list(reversed.map(CFNValue.string)))
            $0.setInstanceRegions(reversed)
        }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.rule), ["rollout-order"], "\(findings)")
        let f = try XCTUnwrap(findings.first)
        XCTAssertEqual(f.keyPath, "Resources.ReceiveTopicsStackSet.Properties.OperationPreferences.RegionOrder")
        XCTAssertTrue(f.message.contains("main region ap-northeast-1"), f.message)
        XCTAssertEqual(f.file, "stackset.yaml")
        XCTAssertEqual(f.line, line(of: "RegionOrder:", in: try t.rendered(.yaml)), "points at RegionOrder")
    }

    func testLayoutRegionMissingFromTheStackSet() throws {
        let layout = try sequential
        var t = try stackSetTemplate(for: layout)
        let fewer = layout.orderedRegions.filter { $0 != "eu-west-1" }
        t.update("ReceiveTopicsStackSet") {
            $0.setPreference("RegionOrder", .list(fewer.map(CFNValue.string)))
            $0.setInstanceRegions(fewer)
        }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.rule), ["region-coverage"], "\(findings)")
        XCTAssertEqual(findings.first?.message, "layout region eu-west-1 is not deployed by any StackSet")
        XCTAssertEqual(findings.first?.line, line(of: "ReceiveTopicsStackSet:", in: try t.rendered(.yaml)))
    }

    func testRegionNotInTheLayout() throws {
        let layout = try sequential
        var t = try stackSetTemplate(for: layout)
        let more = layout.orderedRegions + ["sa-east-1"]
        t.update("ReceiveTopicsStackSet") {
            $0.setPreference("RegionOrder", .list(more.map(CFNValue.string)))
            $0.setInstanceRegions(more)
        }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.rule), ["region-coverage"], "\(findings)")
        XCTAssertEqual(findings.first?.message, "region sa-east-1 is deployed but not in the layout")
    }

    func testRegionDeployedTwice() throws {
        let layout = try sequential
        var t = try stackSetTemplate(for: layout)
        t.update("ReceiveTopicsStackSet") { $0.setInstanceRegions(layout.orderedRegions + ["us-east-1"]) }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.rule), ["region-coverage"], "\(findings)")
        XCTAssertTrue(findings.first?.message.hasPrefix("layout region us-east-1 is deployed 2 times") == true, "\(findings)")
    }

    func testRegionListedTwiceInRegionOrder() throws {
        let layout = try sequential
        var t = try stackSetTemplate(for: layout)
        t.update("ReceiveTopicsStackSet") { $0.setPreference("RegionOrder", .list((layout.orderedRegions + ["ap-northeast-3"]).map(CFNValue.string))) }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.rule), ["rollout-order"], "\(findings)")
        XCTAssertEqual(findings.first?.keyPath, "Resources.ReceiveTopicsStackSet.Properties.OperationPreferences.RegionOrder")
        XCTAssertEqual(findings.first?.message, "lists ap-northeast-3 more than once")
    }

    func testRegionOrderAndInstancesMustNameTheSameRegions() throws {
        let layout = try sequential
        var t = try stackSetTemplate(for: layout)
        t.update("ReceiveTopicsStackSet") { $0.setPreference("RegionOrder", .list(layout.orderedRegions.dropLast().map(CFNValue.string))) }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.rule), ["rollout-order"], "\(findings)")
        XCTAssertTrue(findings.first?.message.contains("but the instances are in") == true, "\(findings)")
    }

    func testParallelForASequentialLayout() throws {
        let layout = try sequential
        var t = try stackSetTemplate(for: layout)
        t.update("ReceiveTopicsStackSet") {
            $0.setPreference("RegionConcurrencyType", "PARALLEL")
            $0.setPreference("MaxConcurrentCount", nil)
            $0.setPreference("MaxConcurrentPercentage", 100)
        }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.keyPath), [
            "Resources.ReceiveTopicsStackSet.Properties.OperationPreferences.RegionConcurrencyType",
            "Resources.ReceiveTopicsStackSet.Properties.OperationPreferences.MaxConcurrentCount",
        ], "\(findings)")
        XCTAssertEqual(Set(findings.map(\.rule)), ["rollout-order"])
        XCTAssertEqual(findings.first?.line, line(of: "RegionConcurrencyType:", in: try t.rendered(.yaml)))
    }

    func testMainRegionWaveMustBeSequentialInMainThenParallel() throws {
        let layout = try mainThenParallel
        var t = try stackSetTemplate(for: layout)
        t.update("MainRegionStackSet") { $0.setPreference("RegionConcurrencyType", "PARALLEL") }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.keyPath), ["Resources.MainRegionStackSet.Properties.OperationPreferences.RegionConcurrencyType"], "\(findings)")
    }

    func testFailureToleranceMustBeZero() throws {
        let layout = try sequential
        var t = try stackSetTemplate(for: layout)
        t.update("ReceiveTopicsStackSet") { $0.setPreference("FailureToleranceCount", 1) }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.keyPath), ["Resources.ReceiveTopicsStackSet.Properties.OperationPreferences.FailureToleranceCount"], "\(findings)")
    }

    func testMainThenParallelWithoutDependsOn() throws {
        let layout = try mainThenParallel
        var t = try stackSetTemplate(for: layout)
        XCTAssertEqual(t.resource("OtherRegionsStackSet")?.dependsOn, ["MainRegionStackSet"])
        t.update("OtherRegionsStackSet") { $0.dependsOn = [] }
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertEqual(findings.map(\.rule), ["rollout-order"], "\(findings)")
        XCTAssertEqual(findings.first?.keyPath, "Resources.OtherRegionsStackSet.DependsOn")
        XCTAssertTrue(findings.first?.message.contains("must depend on MainRegionStackSet") == true, "\(findings)")
        XCTAssertEqual(findings.first?.line, line(of: "OtherRegionsStackSet:", in: try t.rendered(.yaml)))
    }

    func testMainThenParallelSplitAcrossTwoTemplates() throws {
        // DependsOn cannot cross templates, so nothing orders the two waves.
        let layout = try mainThenParallel
        let t = try stackSetTemplate(for: layout)
        var main = t
        main.resources.removeAll { !["MainRegionStackSet", MemberReader.stackSetLogicalName].contains($0.name) }
        var others = t
        others.resources.removeAll { $0.name != "OtherRegionsStackSet" }
        others.update("OtherRegionsStackSet") { $0.dependsOn = [] }
        let findings = try agreement([("a-main.yaml", main), ("b-others.yaml", others)], layout)
        XCTAssertEqual(findings.map(\.rule), ["rollout-order"], "\(findings)")
        XCTAssertEqual(findings.first?.file, "b-others.yaml")
        XCTAssertEqual(findings.first?.keyPath, "Resources.OtherRegionsStackSet.DependsOn")
        XCTAssertTrue(findings.first?.message.contains("same template as MainRegionStackSet") == true, "\(findings)")
    }

    func testSequentialLayoutWithTwoStackSets() throws {
        var layout = try mainThenParallel
        let t = try stackSetTemplate(for: layout)
        layout.rollout = .sequential
        let findings = try agreement([("stackset.yaml", t)], layout)
        XCTAssertTrue(findings.contains { $0.message == "layout rollout is sequential but the templates hold 2 StackSets" }, "\(findings)")
        XCTAssertTrue(findings.contains { $0.keyPath == "Resources.OtherRegionsStackSet.Properties.OperationPreferences.RegionConcurrencyType" }, "\(findings)")
        XCTAssertEqual(Set(findings.map(\.rule)), ["rollout-order"])
    }

    func testParameterDefaultsMustMatchTheLayout() throws {
        let layout = try sequential
        let t = try stackSetTemplate(for: layout)
        var other = layout
        other.organizationId = "o-otherorg123"
        let findings = try agreement([("stackset.yaml", t)], other)
        XCTAssertEqual(findings.map(\.rule), ["layout-mismatch"], "\(findings)")
        XCTAssertEqual(findings.first?.keyPath, "Parameters.OrganizationId.Default")
        XCTAssertEqual(findings.first?.message, "default is 'o-exampleorg1' but the layout says 'o-otherorg123'")
    }

    func testTemplatesWithoutAStackSet() throws {
        let layout = try sequential
        let findings = try agreement([("alert-stack.yaml", AlertStack.template(for: layout))], layout)
        XCTAssertEqual(findings.map(\.rule), ["stackset-missing"], "\(findings)")
    }

    func testLayoutDiagnosticsKeepKeyPositionAndSuggestion() {
        let result = LayoutReader.read(layoutText("architecture: amd64\n"), file: "l.yaml")
        XCTAssertEqual(result.diagnostics, [
            Diagnostic(.error, rule: "layout", file: "l.yaml", line: 5, column: 15, keyPath: "architecture",
                       message: "'amd64' is not one of x86_64, arm64", suggestion: "x86_64")
        ])
        XCTAssertEqual(result.diagnostics.first?.description, "l.yaml:5:15: error [layout] architecture: 'amd64' is not one of x86_64, arm64 (did you mean x86_64?)")
    }

    func testTemplateFindingsPointAtTheOffendingLine() throws {
        let text = """
            Parameters:
              Name:
                Type: String
            Resources:
              Topic:
                Type: AWS::SNS::Topic
                Properties:
                  TopicName: !Ref Name
                  Subscription:
                    - Protocol: lambda
                      Endpoint:
                        Fn::Sub: arn:${AWS::Partition}:lambda:eu-west-1:${AWS::AccountId}:function:f
                    - Protocol: email
                      Endpoint: !Ref Missing

            """
        let result = Validation.checkTemplate(text: text, file: "t.yaml", layout: nil)
        let byRule = Dictionary(grouping: result.diagnostics, by: \.rule)
        let region = try XCTUnwrap(byRule["hard-coded-region"]?.first)
        XCTAssertEqual(region.keyPath, "Resources.Topic.Properties.Subscription[0].Endpoint")
        XCTAssertEqual([region.line, region.column], [11, 11])
        XCTAssertEqual(region.file, "t.yaml")
        XCTAssertEqual(region.severity, .warning, "a hand-written template: cfn-lint's severity")
        let ref = try XCTUnwrap(byRule["unresolved-ref"]?.first)
        XCTAssertEqual(ref.keyPath, "Resources.Topic.Properties.Subscription[1].Endpoint")
        XCTAssertEqual([ref.line, ref.column], [14, 11])
        XCTAssertNil(byRule["hard-coded-partition"], "${AWS::Partition} is not hard-coded")
    }

    func testHardCodedArnsAreErrorsOnlyInOurTemplates() throws {
        let body = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      KmsMasterKeyId: arn:aws:kms:us-east-1:111122223333:key/k\n"
        let ours = Validation.checkTemplate(text: "Description: 'CatalogWatch: test'\n" + body, file: "ours.yaml", layout: nil)
        XCTAssertEqual(ours.diagnostics.map(\.rule), ["hard-coded-partition", "hard-coded-region"])
        XCTAssertEqual(Set(ours.diagnostics.map(\.severity)), [.error])
        let theirs = Validation.checkTemplate(text: "Description: A team's topic\n" + body, file: "theirs.yaml", layout: nil)
        XCTAssertEqual(theirs.diagnostics.map(\.rule), ["hard-coded-partition", "hard-coded-region"])
        XCTAssertEqual(Set(theirs.diagnostics.map(\.severity)), [.warning])
        XCTAssertEqual(theirs.diagnostics.first?.line, 6)
    }

    func testParseErrorsAreDiagnosticsWithPositions() {
        let result = Validation.checkTemplate(text: "Resources:\n  T:\n    Properties: {}\n", file: "bad.yaml", layout: nil)
        XCTAssertNil(result.template)
        XCTAssertEqual(result.diagnostics, [
            Diagnostic(.error, rule: "parse", file: "bad.yaml", line: 2, column: 3, keyPath: "(template)", message: "resource T has no Type")
        ])
    }

    func testPositionsComeFromTheParse() throws {
        let text = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      L:\n        - x\n        - Fn::If: [C, {K: v}, y]\n"
        let source = try TemplateParser.parse(text, file: "p.yaml").source
        XCTAssertEqual(source.file, "p.yaml")
        XCTAssertEqual(source.positions["Resources.A"], YAMLMark(line: 2, column: 3))
        XCTAssertEqual(source.positions["Resources.A.Properties.L[1]"], YAMLMark(line: 7, column: 11))
        XCTAssertEqual(source.positions["Resources.A.Properties.L[1][1].K"], YAMLMark(line: 7, column: 24), "long-form functions add no segment")
        XCTAssertEqual(source.mark(for: "Resources.A.Properties.L[0].Deeper.Still"), YAMLMark(line: 6, column: 11))
        XCTAssertNil(source.mark(for: "Outputs.X"))
    }
}
