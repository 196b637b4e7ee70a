import CloudFormation
import Foundation
import XCTest
import YAML

@testable import AlertStack
@testable import Layout

/// Every IAM role and every taggable resource of every template `generate` writes, for every example
/// layout given the guardrails: each role carries the boundary and the path (the StackSet execution
/// role excepted, at `/`), each taggable resource (by the generated registry, from the schemas) the tags.
final class GuardrailCoverageTests: XCTestCase {
    static let boundary = "arn:aws:iam::111122223333:policy/landing-zone-boundary"
    static let tags = [Layout.Tag("cost-center", "1234"), Layout.Tag("owner", "platform")]

    /// Each example layout, with every source and routes of every kind added, and the guardrails set.
    func guardedLayouts() throws -> [(String, Layout)] {
        let folder = repositoryRoot.appendingPathComponent("examples/layouts")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 7)
        var layouts: [(String, Layout)] = []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            var layout = try XCTUnwrap(LayoutReader.read(text, file: file).layout, file)
            layout.tags = Self.tags
            layout.permissionsBoundary = Self.boundary
            layout.rolePath = "/platform/"
            layout.encryption = layout.encryption ?? .generatedKey
            if layout.source == .notificationConstraint {
                var both = layout
                both.source = .both
                both.organizationalUnits = ["ou-ab12-cdef3456"]
                layouts.append(("\(file) (source both)", both))
            }
            layouts.append((file, layout))
        }
        return layouts
    }

    func templates(for layout: Layout) throws -> [(String, Template)] {
        try Artifacts.generate(for: layout, format: .yaml).filter { $0.path.hasSuffix(".yaml") }.map {
            ($0.path, try TemplateParser.parse($0.contents, file: $0.path))
        }
    }

    func testEveryRoleCarriesTheBoundaryAndThePath() throws {
        var roles = 0
        for (name, layout) in try guardedLayouts() {
            for (file, template) in try templates(for: layout) {
                for r in template.resources where r.value.type == "AWS::IAM::Role" {
                    roles += 1
                    let at = "\(name) \(file) \(r.name)"
                    XCTAssertEqual(r.value.property("PermissionsBoundary"), .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/landing-zone-boundary"), at)
                    if r.name == StackSetArtifacts.executionRoleLogicalName {
                        XCTAssertNil(r.value.property("Path"), "\(at): StackSets find the execution role at /")
                    } else {
                        XCTAssertEqual(r.value.property("Path"), "/platform/", at)
                    }
                }
                XCTAssertEqual(Validation.checkAgainstLayout([template], layout: layout).filter { $0.rule == "guardrails" }.map(\.message), [], "\(name) \(file)")
            }
        }
        XCTAssertGreaterThan(roles, 30, "roles of every template were seen")
    }

    func testEveryTaggableResourceCarriesTheTags() throws {
        var seen: Set<String> = []
        for (name, layout) in try guardedLayouts() {
            for (file, template) in try templates(for: layout) {
                for r in template.resources where ResourceSchemaRegistry.tagShapes[r.value.type] != nil {
                    seen.insert(r.value.type)
                    guard case .list(let tags)? = r.value.property("Tags") else {
                        XCTFail("\(name) \(file) \(r.name) (\(r.value.type)) has no Tags")
                        continue
                    }
                    for tag in Self.tags {
                        XCTAssertTrue(tags.contains { $0["Key"] == .string(tag.key) && $0["Value"] == .string(tag.value) },
                                      "\(name) \(file) \(r.name) lacks \(tag.key)")
                    }
                }
                XCTAssertEqual(untaggedResources(in: template, required: Self.tags.map(\.key)), [], "\(name) \(file)")
            }
        }
        // The layouts reach every taggable type the templates use: topics, queues, roles, the function,
        // its logs, alarms, the ledger, the bus and rules, the key, the StackSets, chat channels.
        for type in ["AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::IAM::Role", "AWS::Lambda::Function", "AWS::Logs::LogGroup",
                     "AWS::CloudWatch::Alarm", "AWS::DynamoDB::Table", "AWS::Events::EventBus", "AWS::Events::Rule", "AWS::KMS::Key",
                     "AWS::CloudFormation::StackSet", "AWS::Chatbot::SlackChannelConfiguration", "AWS::Lambda::EventSourceMapping"] {
            XCTAssertTrue(seen.contains(type), "no \(type) was checked")
        }
    }

    func testEveryTopicAndQueueUsesTheKey() throws {
        for (name, layout) in try guardedLayouts() {
            let template = AlertStack.template(for: layout)
            for r in template.resources where ["AWS::SNS::Topic", "AWS::SQS::Queue"].contains(r.value.type) {
                XCTAssertEqual(r.value.property("KmsMasterKeyId"), .function("Fn::GetAtt", ["AlertKey", "Arn"]), "\(name) \(r.name)")
                XCTAssertNil(r.value.property("SqsManagedSseEnabled"), "\(name) \(r.name)")
            }
            if let ledger = template.resource(AlertStack.Names.alertLedger) {
                XCTAssertEqual(ledger.property("SSESpecification")?["SSEType"], "KMS", name)
            }
        }
    }
}
