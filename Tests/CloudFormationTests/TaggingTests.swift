import Foundation
import XCTest

@testable import CloudFormation

/// Tags on every taggable resource: the generated tag shapes, `TaggableResource.merge`,
/// `TemplateBuilder.tagEveryResource` and `untaggedResources`.
final class TaggingTests: XCTestCase {
    private let guardrail = [
        ResourceTag(key: "cost-center", value: "1234"),
        ResourceTag(key: "owner", value: .ref("Owner")),
    ]

    // MARK: Registry

    /// `tagShapes` holds exactly the generated types whose cfn-lint schema has a settable `Tags`, with the shape
    /// the schema gives it.
    func testTaggableSetMatchesTheSchemas() throws {
        let schemas = URL(fileURLWithPath: try CodegenTestSupport.cfnLintSchemaDirectory())
        var expected: [String: TagShape] = [:]
        for (typeName, hash) in ResourceSchemaRegistry.schemaHashes {
            let data = try Data(contentsOf: schemas.appendingPathComponent("resources/\(hash).json"))
            let schema = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], typeName)
            let readOnly = schema["readOnlyProperties"] as? [String] ?? []
            guard var tags = (schema["properties"] as? [String: Any])?["Tags"] as? [String: Any],
                !readOnly.contains("/properties/Tags")
            else { continue }
            if let ref = tags["$ref"] as? String {
                let name = String(ref.dropFirst("#/definitions/".count))
                tags = try XCTUnwrap((schema["definitions"] as? [String: Any])?[name] as? [String: Any], ref)
            }
            let type = tags["type"] as? String
            expected[typeName] = type == "array" || tags["items"] != nil ? .keyValueList : .stringMap
        }
        XCTAssertEqual(ResourceSchemaRegistry.tagShapes, expected)
        // The types of this package's stacks all take a Key/Value list.
        XCTAssertEqual(Set(ResourceSchemaRegistry.tagShapes.values), [.keyValueList])
        let listTyped = [
            "AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::IAM::Role", "AWS::Lambda::Function", "AWS::CloudFormation::StackSet",
            "AWS::Lambda::EventSourceMapping", "AWS::Chatbot::SlackChannelConfiguration",
        ]
        for name in listTyped {
            XCTAssertEqual(ResourceSchemaRegistry.tagShapes[name], .keyValueList, name)
        }
        for name in ["AWS::SNS::TopicPolicy", "AWS::SNS::Subscription", "AWS::Lambda::Permission", "AWS::KMS::Alias"] {
            XCTAssertNil(ResourceSchemaRegistry.tagShapes[name], name)
        }
    }

    /// The generated types conforming to `TaggableResource` are exactly the registry's taggable types.
    func testConformancesMatchTheRegistry() {
        let all: [any ResourceType.Type] = [
            Chatbot.MicrosoftTeamsChannelConfiguration.self, Chatbot.SlackChannelConfiguration.self, CFN.StackSet.self,
            CloudWatch.Alarm.self, DynamoDB.Table.self, Events.EventBus.self, Events.EventBusPolicy.self,
            Events.Rule.self, IAM.ManagedPolicy.self, IAM.Role.self, KMS.Alias.self, KMS.Key.self,
            Lambda.EventSourceMapping.self, Lambda.Function.self, Lambda.Permission.self, Logs.LogGroup.self,
            SNS.Subscription.self, SNS.Topic.self, SNS.TopicPolicy.self, SQS.Queue.self, SQS.QueuePolicy.self,
        ]
        XCTAssertEqual(all.map { $0.typeName }.sorted(), ResourceSchemaRegistry.schemaHashes.keys.sorted())
        let taggable = all.filter { $0 is any TaggableResource.Type }.map { $0.typeName }
        XCTAssertEqual(taggable.sorted(), ResourceSchemaRegistry.tagShapes.keys.sorted())
    }

    // MARK: merge

    func testMergeKeepsOwnTagsAndAppendsNewOnesInOrder() {
        var topic = SNS.Topic(tags: [
            SNS.Topic.Tag(key: "owner", value: "alerts-team"), SNS.Topic.Tag(key: "a", value: "1"),
        ])
        topic.merge(
            tags: guardrail + [ResourceTag(key: "cost-center", value: "other"), ResourceTag(key: "z", value: "2")])
        XCTAssertEqual(
            topic.properties,
            [CFNField("Tags", [
                ["Key": "owner", "Value": "alerts-team"], ["Key": "a", "Value": "1"],
                ["Key": "cost-center", "Value": "1234"], ["Key": "z", "Value": "2"],
            ])])

        // Optional Key/Value members (Events Rule's tag has neither required); no tags given leaves `Tags` unset.
        var rule = Events.Rule()
        rule.merge(tags: [])
        XCTAssertNil(rule.tags)
        rule.merge(tags: [ResourceTag(key: "k", value: "v")])
        XCTAssertEqual(rule.properties, [CFNField("Tags", [["Key": "k", "Value": "v"]])])
    }

    /// The plain-value forms the generator emits for map-shaped `Tags` (SSM Parameter, Glue) and for lists whose
    /// items are not a generated struct: none of the types generated today, so they are exercised directly.
    func testMergeIntoPlainValues() {
        var map: CFNValue? = nil
        TagMerging.merge(guardrail, into: &map, shape: .stringMap)
        XCTAssertEqual(map, ["cost-center": "1234", "owner": .ref("Owner")])
        var ownMap: CFNValue = ["owner": "me"]
        TagMerging.merge(guardrail, into: &ownMap, shape: .stringMap)
        XCTAssertEqual(ownMap, ["owner": "me", "cost-center": "1234"])

        var list: CFNValue? = [["Key": "owner", "Value": "me"]]
        TagMerging.merge(guardrail, into: &list, shape: .keyValueList)
        XCTAssertEqual(list, [["Key": "owner", "Value": "me"], ["Key": "cost-center", "Value": "1234"]])

        // An intrinsic `Tags` cannot be merged into.
        let conditional: CFNValue = .if(ConditionHandle(name: "C"), [["Key": "a", "Value": "b"]], .noValue)
        var intrinsic: CFNValue? = conditional
        TagMerging.merge(guardrail, into: &intrinsic, shape: .keyValueList)
        XCTAssertEqual(intrinsic, conditional)
    }

    // MARK: tagEveryResource

    func testTagEveryResourceTagsLaterTaggableResources() throws {
        var b = TemplateBuilder(description: "tags")
        let owner = b.parameter("Owner", .string("Owning team"))
        b.resource("Before", SNS.Topic())
        b.tagEveryResource([
            ResourceTag(key: "cost-center", value: "1234"), ResourceTag(key: "owner", value: owner.ref),
        ])
        let topic = b.resource(
            "Topic", SNS.Topic(tags: [SNS.Topic.Tag(key: "owner", value: "alerts-team")], topicName: "alerts"))
        b.resource("Queue", SQS.Queue())
        let role = b.resource("Role", IAM.Role(assumeRolePolicyDocument: ["Version": "2012-10-17", "Statement": []]))
        b.resource("Fn", Lambda.Function(code: Lambda.Function.Code(zipFile: "x"), role: role.getAtt(.arn)))
        b.resource("StackSet", CFN.StackSet(permissionModel: "SERVICE_MANAGED", stackSetName: "catalogwatch"))
        b.resource("Policy", SNS.TopicPolicy(policyDocument: ["Statement": []], topics: [topic.ref]))
        let t = b.template

        let both: CFNValue = [["Key": "cost-center", "Value": "1234"], ["Key": "owner", "Value": .ref("Owner")]]
        for name in ["Queue", "Role", "Fn", "StackSet"] {
            XCTAssertEqual(t.resource(name)?.property("Tags"), both, name)
        }
        // The topic's own owner tag wins; the missing key is appended after it.
        XCTAssertEqual(
            t.resource("Topic")?.properties,
            [
                CFNField("Tags", [["Key": "owner", "Value": "alerts-team"], ["Key": "cost-center", "Value": "1234"]]),
                CFNField("TopicName", "alerts"),
            ])
        XCTAssertEqual(t.resource("Before")?.properties, [], "resources added before the call are not changed")
        XCTAssertNil(t.resource("Policy")?.property("Tags"), "TopicPolicy takes no tags")
        XCTAssertEqual(SchemaValidation.validate(template: t), [])
        XCTAssertEqual(untaggedResources(in: t, required: ["cost-center", "owner"]), [
            UntaggedResource(name: "Before", missing: ["cost-center", "owner"])
        ])

        // Deterministic output: the same build renders the same YAML, tags in the order above.
        func build() -> Template {
            var b = TemplateBuilder(description: "tags")
            b.tagEveryResource([ResourceTag(key: "b", value: "2"), ResourceTag(key: "a", value: "1")])
            b.resource("Queue", SQS.Queue(tags: [SQS.Queue.Tag(key: "a", value: "own")]))
            return b.template
        }
        let yaml = try build().rendered(.yaml)
        XCTAssertEqual(yaml, try build().rendered(.yaml))
        XCTAssertEqual(
            yaml,
            """
            AWSTemplateFormatVersion: '2010-09-09'
            Description: tags
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  Tags:
                  - Key: a
                    Value: own
                  - Key: b
                    Value: '2'

            """)
        XCTAssertEqual(try TemplateParser.parse(yaml), build())
    }

    func testTagEveryResourceRunsInRegistrationOrderWithCustomize() {
        var b = TemplateBuilder()
        b.customize(SNS.Topic.self) { _, topic in topic.tags = [SNS.Topic.Tag(key: "owner", value: "customized")] }
        b.tagEveryResource([ResourceTag(key: "owner", value: "guardrail"), ResourceTag(key: "env", value: "prod")])
        b.customize(SQS.Queue.self) { _, queue in queue.tags = nil }
        b.resource("Topic", SNS.Topic())
        b.resource("Queue", SQS.Queue())
        XCTAssertEqual(
            b.template.resource("Topic")?.property("Tags"),
            [["Key": "owner", "Value": "customized"], ["Key": "env", "Value": "prod"]])
        XCTAssertNil(b.template.resource("Queue")?.property("Tags"), "a later customization sees the tagged queue")
    }

    // MARK: untaggedResources

    func testUntaggedResourcesFindsMissingKeys() {
        let template = Template(resources: [
            Named("Queue", Resource(type: "AWS::SQS::Queue", properties: [
                CFNField("Tags", [["Key": "owner", "Value": "x"]]),
            ])),
            Named("Topic", Resource(type: "AWS::SNS::Topic")),
            Named("Tagged", Resource(type: "AWS::SNS::Topic", properties: [
                CFNField("Tags", [["Key": "cost-center", "Value": "1"], ["Key": "owner", "Value": .ref("Owner")]]),
            ])),
            Named("Policy", Resource(type: "AWS::SNS::TopicPolicy")),
            Named("Unknown", Resource(type: "AWS::S3::Bucket")),
            Named("Conditional", Resource(type: "AWS::SQS::Queue", properties: [
                CFNField("Tags", .if(ConditionHandle(name: "C"), [], .noValue)),
            ])),
        ])
        XCTAssertEqual(untaggedResources(in: template, required: ["cost-center", "owner"]), [
            UntaggedResource(name: "Queue", missing: ["cost-center"]),
            UntaggedResource(name: "Topic", missing: ["cost-center", "owner"]),
        ])
        XCTAssertEqual(untaggedResources(in: template, required: []), [])
    }
}
