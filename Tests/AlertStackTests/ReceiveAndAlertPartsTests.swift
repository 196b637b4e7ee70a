import AlertStack
import Layout
import CloudFormation
import XCTest

/// The parameters, conditions, receive side and alert topic, each added alone to an empty builder.
final class ReceiveAndAlertPartsTests: XCTestCase {
    func testParametersDeclareEveryNameWithTheLayoutsDefaults() throws {
        let layout = Layout(mainRegion: "eu-west-1", regions: ["eu-west-1"], organizationId: "o-abcdefghij", namePrefix: "cw-test")
        let t = partTemplate { AlertStackParts.Parameters(layout: layout).add(to: &$0) }
        XCTAssertEqual(t.parameters.map(\.name), AlertStackParts.Parameters.names)
        XCTAssertTrue(t.resources.isEmpty)
        XCTAssertEqual(t.parameter("MainRegion")?.default, "eu-west-1")
        XCTAssertEqual(t.parameter("OrganizationId")?.default, "o-abcdefghij")
        XCTAssertNil(t.parameter("NotificationEmail")?.default, "no layout value: no default")
        let prefix = try XCTUnwrap(t.parameter("NamePrefix"))
        XCTAssertEqual(prefix.default, "cw-test")
        XCTAssertEqual(prefix.allowedPattern, "^[a-zA-Z][a-zA-Z0-9-]{0,39}$")
        XCTAssertEqual(prefix.constraintDescription, "a letter, then up to 39 letters, digits or hyphens")
        XCTAssertEqual(t.parameter("LogRetentionDays")?.type, "Number")
        XCTAssertEqual(t.parameter("LogRetentionDays")?.default, 90)
    }

    func testRegionConditionsCompareTheRegionWithTheParameter() {
        let t = partTemplate { t in
            AlertStackParts.RegionConditions(mainRegion: ParameterHandle(name: "MainRegion")).add(to: &t)
        }
        XCTAssertEqual(t.conditions.map(\.name), ["IsMainRegion", "IsOtherRegion"])
        XCTAssertEqual(t.conditions[0].value, .function("Fn::Equals", [.ref("AWS::Region"), .ref("MainRegion")]))
        XCTAssertEqual(t.conditions[1].value, .function("Fn::Not", [.function("Condition", "IsMainRegion")]))
    }

    func testReceiveSideTopicPolicyIsForTheOrganizationOnly() throws {
        var handles: AlertStackParts.ReceiveSide.Handles?
        let t = partTemplate { handles = AlertStackParts.ReceiveSide(organizationId: "o-abcdefghij").add(to: &$0) }
        XCTAssertEqual(t.resources.map(\.name), ["ReceiveTopic", "ReceiveTopicPolicy"])
        XCTAssertEqual(handles?.topic.name, "ReceiveTopic")
        XCTAssertTrue(t.resources.allSatisfy { $0.value.condition == nil }, "the receive side exists in every region")
        XCTAssertEqual(t.resource("ReceiveTopic")?.property("TopicName"), .sub("${NamePrefix}-receive"))
        let policy = try XCTUnwrap(t.resource("ReceiveTopicPolicy"))
        XCTAssertEqual(policy.property("Topics"), [.ref("ReceiveTopic")])
        let statement = try XCTUnwrap(statements(policy.property("PolicyDocument")).first)
        XCTAssertEqual(statements(policy.property("PolicyDocument")).count, 1)
        XCTAssertEqual(statement["Principal"], ["AWS": "*"])
        XCTAssertEqual(statement["Action"], "sns:Publish")
        XCTAssertEqual(statement["Resource"], .ref("ReceiveTopic"))
        XCTAssertEqual(statement["Condition"]?["StringEquals"]?["aws:PrincipalOrgID"], "o-abcdefghij")
    }

    func testAlertTopicSubscribesTheAddressAndTakesMoreSubscribers() {
        let isMain = ConditionHandle(name: "IsMainRegion")
        let t = partTemplate { t in
            let alerts = AlertStackParts.AlertTopic(email: .ref("NotificationEmail"), condition: isMain).add(to: &t)
            alerts.addSubscription("Webhook", protocol: "https", endpoint: "https://hooks.example.com/x", to: &t)
        }
        XCTAssertEqual(t.resources.map(\.name), ["SendTopic", "SendTopicEmailSubscription", "Webhook"])
        XCTAssertTrue(t.resources.allSatisfy { $0.value.condition == "IsMainRegion" })
        XCTAssertEqual(t.resource("SendTopic")?.property("TopicName"), .sub("${NamePrefix}-alerts"))
        let email = t.resource("SendTopicEmailSubscription")
        XCTAssertEqual(email?.property("Protocol"), "email")
        XCTAssertEqual(email?.property("Endpoint"), .ref("NotificationEmail"))
        XCTAssertEqual(email?.property("TopicArn"), .ref("SendTopic"))
        let webhook = t.resource("Webhook")
        XCTAssertEqual(webhook?.property("Protocol"), "https")
        XCTAssertEqual(webhook?.property("TopicArn"), .ref("SendTopic"))
        XCTAssertEqual(webhook?.property("Endpoint"), "https://hooks.example.com/x")
    }

    func testReceiveSubscriptionsDeliverToTheFunctionOrTheQueue() {
        let isMain = ConditionHandle(name: "IsMainRegion"), isOther = ConditionHandle(name: "IsOtherRegion")
        let topic = ResourceHandle<SNS.Topic>(name: "ReceiveTopic")
        let direct = partTemplate { t in
            AlertStackParts.ReceiveSubscriptions(
                receiveTopic: topic, target: .function(ResourceHandle(name: "FilterFunction")), isMainRegion: isMain,
                isOtherRegion: isOther
            ).add(to: &t)
        }
        XCTAssertEqual(direct.resources.map(\.name), ["MainRegionReceiveSubscription", "OtherRegionReceiveSubscription"])
        let main = direct.resource("MainRegionReceiveSubscription"), other = direct.resource("OtherRegionReceiveSubscription")
        XCTAssertEqual(main?.condition, "IsMainRegion")
        XCTAssertEqual(main?.property("Protocol"), "lambda")
        XCTAssertEqual(main?.property("Endpoint"), arn("FilterFunction"))
        XCTAssertEqual(other?.condition, "IsOtherRegion")
        XCTAssertEqual(other?.property("TopicArn"), .ref("ReceiveTopic"))
        XCTAssertEqual(
            other?.property("Endpoint"),
            .sub("arn:${AWS::Partition}:lambda:${MainRegion}:${AWS::AccountId}:function:${NamePrefix}-filter"))

        let buffered = partTemplate { t in
            AlertStackParts.ReceiveSubscriptions(
                receiveTopic: topic, target: .queue(ResourceHandle(name: "EventQueue")), isMainRegion: isMain, isOtherRegion: isOther
            ).add(to: &t)
        }
        XCTAssertEqual(buffered.resource("MainRegionReceiveSubscription")?.property("Protocol"), "sqs")
        XCTAssertEqual(buffered.resource("MainRegionReceiveSubscription")?.property("Endpoint"), arn("EventQueue"))
        XCTAssertEqual(
            buffered.resource("OtherRegionReceiveSubscription")?.property("Endpoint"),
            .sub("arn:${AWS::Partition}:sqs:${MainRegion}:${AWS::AccountId}:${NamePrefix}-events"))
    }
}
