import CloudFormation
import Diagnostics
import XCTest

@testable import AlertStack
@testable import Layout

/// The `eventbridge` and `both` sources: layout keys, the member template and StackSet, the agreement
/// checks of `validate`, and what `plan` says.
final class EventSourceTests: XCTestCase {
    let eventBridge = Layout(
        mainRegion: "ap-northeast-1", regions: ["ap-northeast-1", "us-east-1"], organizationId: "o-exampleorg1",
        managementAccountId: "111122223333", source: .eventBridge, organizationalUnits: ["ou-ab12-cdef3456", "r-ab12"])

    func testAnEventBridgeLayoutIsReadAndItsLeftoverKeysWarn() throws {
        let result = LayoutReader.read(layoutText("source: eventbridge\norganizationalUnits: [ou-ab12-cdef3456, r-ab12]\nportfolios:\n  us-east-1: [port-abcdefghijklm]\n"), file: "eb.yaml")
        let layout = try XCTUnwrap(result.layout, "\(result.diagnostics)")
        XCTAssertEqual(layout.source, .eventBridge)
        XCTAssertEqual(layout.organizationalUnits, ["ou-ab12-cdef3456", "r-ab12"])
        XCTAssertEqual(result.warnings.map(\.keyPath), ["portfolios"])
        XCTAssertEqual(result.warnings.first?.line, 8)

        // With the notification constraint, the OUs are where the reader role goes: used, no warning.
        let reader = LayoutReader.read(layoutText("organizationalUnits: [ou-ab12-cdef3456]\n"), file: "r.yaml")
        XCTAssertEqual(reader.layout?.source, .notificationConstraint)
        XCTAssertEqual(reader.warnings.map(\.keyPath), [])
        // Without the reader role (a landing-zone role), nothing uses them.
        let ignored = LayoutReader.read(layoutText("organizationalUnits: [ou-ab12-cdef3456]\nmemberRoleName: PlatformReadOnly\ndeployMemberRole: false\n"), file: "n.yaml")
        XCTAssertEqual(ignored.layout?.source, .notificationConstraint)
        XCTAssertEqual(ignored.warnings.map(\.keyPath), ["organizationalUnits"])
        XCTAssertTrue(ignored.warnings.first?.message.contains("ignored") == true)
        // The default stays the notification constraint, with no new resources.
        XCTAssertEqual(LayoutReader.read(layoutText(), file: "d.yaml").layout?.source, .notificationConstraint)
    }

    func testTheMemberTemplateHoldsOnlyTheForwardingRuleAndALeastPrivilegeRole() throws {
        let t = MemberForwarding.template(for: eventBridge)
        XCTAssertEqual(t.resources.map(\.value.type), ["AWS::IAM::Role", "AWS::Events::Rule"])
        XCTAssertEqual(t.parameters.map(\.name), MemberForwarding.parameterNames)
        let role = try XCTUnwrap(t.resource(AlertStack.Names.forwardRole))
        let granted = roleStatements(role)
        XCTAssertEqual(granted.count, 1)
        XCTAssertEqual(granted.first?["Action"], "events:PutEvents")
        XCTAssertEqual(granted.first?["Resource"], .sub("arn:${AWS::Partition}:events:${MainRegion}:${ManagementAccountId}:event-bus/${NamePrefix}-events"))
        let trust = statements(role.property("AssumeRolePolicyDocument"))
        XCTAssertEqual(trust.first?["Principal"], ["Service": "events.amazonaws.com"])
        let rule = try XCTUnwrap(t.resource(AlertStack.Names.forwardRule))
        XCTAssertEqual(rule.property("EventPattern"), FailureEventPattern.pattern)
        XCTAssertNil(rule.property("EventBusName"), "the default bus, where CloudFormation sends its events")
        guard case .list(let targets)? = rule.property("Targets") else { return XCTFail("no targets") }
        XCTAssertEqual(targets.first?["RoleArn"], arn(AlertStack.Names.forwardRole))
        XCTAssertEqual(targets.first?["RetryPolicy"]?["MaximumEventAgeInSeconds"], .number("86400"))
    }

    func testTheCentralBusAdmitsOnlyTheOrganization() throws {
        let t = AlertStack.template(for: eventBridge)
        let policy = try XCTUnwrap(t.resource(AlertStack.Names.centralBusPolicy))
        let statement = try XCTUnwrap(policy.property("Statement"))
        XCTAssertEqual(statement["Action"], "events:PutEvents")
        XCTAssertEqual(statement["Condition"]?["StringEquals"]?["aws:PrincipalOrgID"], .ref("OrganizationId"))
        XCTAssertEqual(policy.condition, AlertStack.Names.isMainRegion)
        let ruleQueue = try XCTUnwrap(t.resource(AlertStack.Names.failureRuleDeadLetterQueuePolicy))
        let sends = statements(ruleQueue.property("PolicyDocument"))
        XCTAssertEqual(sends.first?["Condition"]?["ArnEquals"]?["aws:SourceArn"], arn(AlertStack.Names.failureRule))
    }

    func testTheStackSetTemplateAddsTheServiceManagedMemberStackSetLast() throws {
        let alert = AlertStack.template(for: eventBridge)
        let t = StackSetArtifacts.stackSetTemplate(for: eventBridge, alertStack: alert, alertStackBody: "alert", memberBody: "member")
        let member = try XCTUnwrap(t.resource(MemberForwarding.stackSetLogicalName))
        XCTAssertEqual(member.property("PermissionModel"), "SERVICE_MANAGED")
        XCTAssertEqual(member.property("AutoDeployment")?["Enabled"], true)
        XCTAssertEqual(member.property("StackSetName"), "catalogwatch-receive-members")
        XCTAssertEqual(member.dependsOn, ["ReceiveTopicsStackSet"])
        guard case .list(let groups)? = member.property("StackInstancesGroup") else { return XCTFail("no instances") }
        XCTAssertEqual(groups.first?["DeploymentTargets"]?["OrganizationalUnitIds"], ["ou-ab12-cdef3456", "r-ab12"])
        XCTAssertEqual(groups.first?["Regions"], ["ap-northeast-1", "us-east-1"])
        XCTAssertNil(StackSetArtifacts.stackSetTemplate(for: Layout.embeddedDefault, alertStack: AlertStack.template(for: .embeddedDefault), alertStackBody: "a", memberBody: "m").resource(MemberForwarding.stackSetLogicalName))
    }

    func testValidateFindsAMissingOrMistargetedMemberStackSet() throws {
        let alert = AlertStack.template(for: eventBridge)
        let full = StackSetArtifacts.stackSetTemplate(for: eventBridge, alertStack: alert, alertStackBody: "alert", memberBody: "member", readerBody: "reader")
        XCTAssertEqual(Validation.checkAgainstLayout([alert, full], layout: eventBridge).map(\.message), [])
        let without = StackSetArtifacts.stackSetTemplate(for: eventBridge, alertStack: alert, alertStackBody: "alert", readerBody: "reader")
        let missing = Validation.checkAgainstLayout([alert, without], layout: eventBridge)
        XCTAssertEqual(missing.map(\.rule), ["member-forwarding"])
        XCTAssertTrue(missing.first?.message.contains("no service-managed StackSet") == true)
        let noReader = Validation.checkAgainstLayout([alert, StackSetArtifacts.stackSetTemplate(for: eventBridge, alertStack: alert, alertStackBody: "alert", memberBody: "member")], layout: eventBridge)
        XCTAssertEqual(noReader.map(\.rule), ["member-reader"], "the reader role's StackSet is missing")
        var otherOUs = eventBridge
        otherOUs.organizationalUnits = ["ou-ab12-cdef3456"]
        let mistargeted = Validation.checkAgainstLayout([alert, full], layout: otherOUs)
        XCTAssertTrue(mistargeted.contains { $0.rule == "member-forwarding" && $0.message.contains("targets OUs") }, "\(mistargeted)")
    }

    func testPlanSaysHowMembersRollOutAndWhyRegionOrderDoesNotBindAutoDeployment() {
        let text = PlanText.lines(for: eventBridge).joined(separator: "\n")
        XCTAssertTrue(text.contains("source eventbridge"), text)
        XCTAssertTrue(text.contains("StackSet catalogwatch-receive-members (service-managed)"), text)
        XCTAssertTrue(text.contains("RegionOrder included, do not apply to them"), text)
        XCTAssertTrue(text.contains("default bus → forwarding rule"), text)
        XCTAssertFalse(text.contains("receive topic"), "no SNS path with source eventbridge: \(text)")
        var both = eventBridge
        both.source = .both
        let bothText = PlanText.lines(for: both).joined(separator: "\n")
        XCTAssertTrue(bothText.contains("receive topic") && bothText.contains("alerts-sent"), bothText)
        XCTAssertFalse(PlanText.lines(for: .embeddedDefault).joined().contains("-members"), "no member rollout by default")
    }
}
