import CloudFormation
import XCTest

/// `TemplateBuilder.customize`: typed changes to every later resource of a type.
final class TemplateBuilderCustomizeTests: XCTestCase {
    func testCustomizationAppliesToLaterResourcesOfItsTypeInOrder() {
        var b = TemplateBuilder()
        b.resource("Before", SNS.Topic())
        b.customize(SNS.Topic.self) { name, topic in topic.displayName = .string("first \(name)") }
        b.customize(SNS.Topic.self) { _, topic in topic.tags = [SNS.Topic.Tag(key: "team", value: "platform")] }
        b.customize(SQS.Queue.self) { _, queue in queue.delaySeconds = 5 }
        b.resource("After", SNS.Topic().with(topicName: "given"))
        b.resource("Queue", SQS.Queue())
        b.resource("Subscription", SNS.Subscription(protocol: "email", topicArn: .ref("After")))

        XCTAssertEqual(b.template.resource("Before")?.properties, [], "resources added before are not changed")
        XCTAssertEqual(
            b.template.resource("After")?.properties,
            [CFNField("DisplayName", "first After"), CFNField("Tags", [["Key": "team", "Value": "platform"]]), CFNField("TopicName", "given")])
        XCTAssertEqual(b.template.resource("Queue")?.property("DelaySeconds"), 5)
        XCTAssertEqual(b.template.resource("Subscription")?.properties.map(\.key), ["Protocol", "TopicArn"])
    }
}

extension SNS.Topic {
    fileprivate func with(topicName: CFNValue) -> SNS.Topic {
        var copy = self
        copy.topicName = topicName
        return copy
    }
}
