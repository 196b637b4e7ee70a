import AWSIdentifiers
import AlertStack
import Layout
import CloudFormation
import XCTest

/// The assembly of the parts, customizations through it, the StackSet roles part, and the one-place
/// rules for account ids and name prefixes.
final class AssemblyAndRulesTests: XCTestCase {
    func testAddReturnsTheHandlesOfEveryPartAndMatchesTemplate() {
        for layout in [Layout.embeddedDefault, Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1", "us-east-1"], buffer: .sqs)] {
            var t = TemplateBuilder(description: AlertStack.templateDescription)
            let stack = AlertStack.add(for: layout, to: &t)
            XCTAssertEqual(t.template, AlertStack.template(for: layout))
            XCTAssertEqual(stack.receive?.topic.name, "ReceiveTopic")
            XCTAssertNil(stack.events, "no EventBridge parts for source notification-constraint")
            XCTAssertEqual(stack.alerts.topic.name, "SendTopic")
            XCTAssertEqual(stack.filter.function.name, "FilterFunction")
            XCTAssertEqual(stack.regions.isMainRegion.name, "IsMainRegion")
            XCTAssertEqual(stack.buffer?.queue.name, layout.buffer == .sqs ? "EventQueue" : nil)
            XCTAssertEqual(stack.alarms.map(\.name), [layout.buffer == .sqs ? "EventDeadLetterQueueAlarm" : "FilterDeadLetterQueueAlarm"])
            for handle in [stack.receive?.topic.name, stack.alerts.emailSubscription?.name, stack.logs.name, stack.filter.function.name, stack.subscriptions?.otherRegions.name] {
                XCTAssertNotNil(handle.flatMap { t.template.resource($0) }, handle ?? "nil handle")
            }
        }
    }

    func testAnEventBridgeSourceAddsTheBusRulesAndLedgerAndNoReceiveSide() {
        for buffer in Layout.Buffer.allCases {
            let layout = Layout(mainRegion: "us-east-1", regions: ["us-east-1", "eu-west-1"], buffer: buffer, source: .eventBridge, organizationalUnits: ["ou-ab12-cdef3456"])
            var t = TemplateBuilder(description: AlertStack.eventBridgeTemplateDescription)
            let stack = AlertStack.add(for: layout, to: &t)
            XCTAssertEqual(t.template, AlertStack.template(for: layout))
            XCTAssertNil(stack.receive)
            XCTAssertNil(stack.subscriptions)
            XCTAssertNil(t.template.resource("ReceiveTopic"))
            XCTAssertFalse(t.template.conditions.contains { $0.name == "IsOtherRegion" }, "declared only when used")
            let events = try! XCTUnwrap(stack.events)
            XCTAssertEqual(events.central.bus.name, "CentralEventBus")
            XCTAssertEqual(events.forwarding.rule.name, "ForwardStackFailuresRule")
            XCTAssertNil(t.template.resource("ForwardStackFailuresRule")?.condition, "forwarding rule in every region")
            XCTAssertEqual(t.template.resource("StackFailureRule")?.condition, "IsMainRegion")
            XCTAssertEqual(events.permission?.name, buffer == .none ? "StackFailureRuleInvokePermission" : nil)
            XCTAssertNil(t.template.resource("FilterFunctionInvokePermission"), "SNS does not invoke the filter")
            XCTAssertEqual(stack.alarms.map(\.name).last, "StackFailureRuleDeadLetterQueueAlarm")
            let variables = t.template.resource("FilterFunction")?.property("Environment")?["Variables"]
            XCTAssertEqual(variables?["ALERT_LEDGER_TABLE"], .ref("AlertLedger"))
        }
    }

    func testCustomizationsApplyToEveryResourceOfTheirTypeFromAnyPart() {
        var t = TemplateBuilder()
        t.customize(IAM.Role.self) { _, role in role.permissionsBoundary = .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/boundary") }
        t.customize(SQS.Queue.self) { name, queue in queue.tags = [SQS.Queue.Tag(key: "logical-name", value: .string(name))] }
        AlertStack.add(for: Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"], buffer: .sqs), to: &t)
        StackSetArtifacts.addRoles(for: .embeddedDefault, to: &t)
        let roles = t.template.resources.filter { $0.value.type == "AWS::IAM::Role" }
        XCTAssertEqual(roles.map(\.name), ["AdministrationRole", "ExecutionRole", "FilterFunctionRole", "ReaderRole"])
        for role in roles {
            XCTAssertEqual(role.value.property("PermissionsBoundary"), .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/boundary"), role.name)
        }
        for name in ["EventQueue", "EventDeadLetterQueue"] {
            XCTAssertEqual(t.template.resource(name)?.property("Tags"), [["Key": "logical-name", "Value": .string(name)]])
        }
        XCTAssertNil(t.template.resource("SendTopic")?.property("Tags"), "other types are left alone")
    }

    func testStackSetRolesAlone() throws {
        var handles: (administration: ResourceHandle<IAM.Role>, execution: ResourceHandle<IAM.Role>)?
        let t = partTemplate { handles = StackSetArtifacts.addRoles(for: .embeddedDefault, to: &$0) }
        XCTAssertEqual(t, StackSetArtifacts.rolesTemplate(for: .embeddedDefault).with(description: nil))
        XCTAssertEqual(handles?.administration.name, "AdministrationRole")
        XCTAssertEqual(t.resource("AdministrationRole")?.property("RoleName"), .string(StackSetArtifacts.administrationRoleName))
        let execution = try XCTUnwrap(t.resource("ExecutionRole"))
        XCTAssertEqual(statements(execution.property("AssumeRolePolicyDocument")).first?["Principal"], ["AWS": arn("AdministrationRole")])
        XCTAssertEqual(
            roleStatements(execution).compactMap { $0["Sid"]?.stringValue },
            ["AlertStackInstances", "TemplatesAndDriftStatus", "Topics", "Subscriptions", "FilterFunction", "PassFilterRoleToLambda", "QueueEventSource", "FilterLogs",
             "ListLogGroups", "Queues", "QueueAlarm", "ReadFilterCode", "RetireRolesOfEarlierVersions", "RetirePoliciesOfEarlierVersions"])
        // `*` only where IAM's service authorization reference names no resource type (IAMAuthorization checks that).
        XCTAssertEqual(roleStatements(execution).filter { $0["Resource"] == "*" }.compactMap { $0["Sid"]?.stringValue },
                       ["TemplatesAndDriftStatus", "Subscriptions", "QueueEventSource", "ListLogGroups"])
        let actions = roleStatements(execution).flatMap { s -> [String] in
            if case .list(let a)? = s["Action"] { return a.compactMap(\.stringValue) }
            return [s["Action"]?.stringValue].compactMap { $0 }
        }
        XCTAssertEqual(Set(actions.filter { $0.hasPrefix("iam:") && !["iam:Get", "iam:List", "iam:Delete"].contains(where: $0.hasPrefix) }), ["iam:PassRole"],
                       "the execution role creates or changes no role: it passes ours and deletes what earlier versions' stacks made")
        XCTAssertFalse(actions.contains { $0.hasSuffix(":*") }, "no service-wide wildcard")
        XCTAssertEqual(t.parameter("NamePrefix")?.allowedPattern, "^[a-zA-Z][a-zA-Z0-9-]{0,39}$")
    }

    func testLaunchRolePolicyTemplateUsesTheSharedRules() throws {
        let t = AlertStack.launchRolePolicyTemplate(for: .embeddedDefault)
        let account = try XCTUnwrap(t.parameter("ManagementAccountId"))
        XCTAssertEqual(account.allowedPattern, "^[0-9]{12}$")
        XCTAssertEqual(account.constraintDescription, "a 12-digit account id")
        XCTAssertEqual(t.parameter("NamePrefix")?.allowedPattern, "^[a-zA-Z][a-zA-Z0-9-]{0,39}$")
        XCTAssertNil(t.parameter("NamePrefix")?.constraintDescription)
    }

    /// The example in README's "Using the DSL as a library", as written there.
    func testReadmeLibraryExample() throws {
        var t = TemplateBuilder(description: AlertStack.templateDescription)
        t.customize(Lambda.Function.self) { _, function in function.memorySize = 256 }
        let stack = AlertStack.add(for: .embeddedDefault, to: &t)
        let errors = CloudWatch.Alarm(
            alarmActions: [stack.alerts.topic.ref], comparisonOperator: "GreaterThanOrEqualToThreshold",
            dimensions: [CloudWatch.Alarm.Dimension(name: "FunctionName", value: stack.filter.function.ref)],
            evaluationPeriods: 1, metricName: "Errors", namespace: "AWS/Lambda", period: 300, statistic: "Sum", threshold: 1)
        t.resource("FilterErrorsAlarm", errors, condition: stack.regions.isMainRegion)
        let yaml = try t.template.rendered(.yaml)
        XCTAssertTrue(yaml.contains("FilterErrorsAlarm:\n    Type: AWS::CloudWatch::Alarm\n    Condition: IsMainRegion\n"), yaml)
        XCTAssertEqual(t.template.resource("FilterFunction")?.property("MemorySize"), 256)
        XCTAssertEqual(t.template.resource("FilterErrorsAlarm")?.property("Dimensions"), [["Name": "FunctionName", "Value": .ref("FilterFunction")]])
    }

    func testAccountID() {
        XCTAssertEqual(AccountID.pattern, "^[0-9]{12}$")
        XCTAssertTrue(AccountID.isValid("000000000000"))
        XCTAssertTrue(AccountID.isValid("111122223333"[...]), "substrings too")
        for bad in ["", "11112222333", "1111222233334", "11112222333a", "１２３４５６７８９０１２", "111122223333 ", "-11122223333"] {
            XCTAssertFalse(AccountID.isValid(bad), bad)
        }
        let regex = try! Regex(AccountID.pattern)
        for sample in ["000000000000", "123456789012", "12345678901", "12345678901x"] {
            XCTAssertEqual(AccountID.isValid(sample), sample.wholeMatch(of: regex) != nil, sample)
        }
    }

    /// The name-prefix check and its AllowedPattern are one rule: they agree on every sample.
    func testNamePrefixRuleAgreesWithItsPattern() throws {
        XCTAssertEqual(NamePrefixRule.pattern, "^[a-zA-Z][a-zA-Z0-9-]{0,39}$")
        let regex = try Regex(NamePrefixRule.pattern)
        let samples = [
            "catalogwatch", "a", "A-1", "cw-", "1abc", "-abc", "", "a_b", "a.b", "ab c", "é", "aé",
            "a" + String(repeating: "b", count: 39), "a" + String(repeating: "b", count: 40),
        ]
        for sample in samples {
            XCTAssertEqual(NamePrefixRule.isValid(sample), sample.wholeMatch(of: regex) != nil, sample)
        }
        XCTAssertTrue(NamePrefixRule.isValid(String(repeating: "x", count: 40)))
        XCTAssertFalse(NamePrefixRule.isValid(String(repeating: "x", count: 41)))
    }
}

extension Template {
    /// This template with another description.
    func with(description: String?) -> Template {
        var copy = self
        copy.description = description
        return copy
    }
}
