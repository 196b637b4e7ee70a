import AlertStack
import Layout
import CloudFormation
import XCTest

/// The filter's log group, the filter itself (both event sources), the buffer and the alarms, each
/// added alone to an empty builder.
final class FilterAndBufferPartsTests: XCTestCase {
    let isMain = ConditionHandle(name: "IsMainRegion")

    func filter(_ events: AlertStackParts.Filter.Events) -> AlertStackParts.Filter {
        AlertStackParts.Filter(
            events: events, condition: isMain, logGroup: ResourceHandle(name: "FilterLogGroup"), alertTopic: .ref("SendTopic"),
            memberRoleName: .ref("MemberRoleName"), roleArn: filterRoleArn, codeBucket: "bucket", codeKey: "key.zip", architecture: "arm64")
    }

    /// The roles stack's filter role, as the alert stack names it.
    var filterRoleArn: CFNValue { .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${NamePrefix}-filter") }

    /// The filter role's statements in the roles template of `layout`.
    func filterRoleStatements(_ layout: Layout) -> [CFNValue] {
        roleStatements(StackSetArtifacts.rolesTemplate(for: layout).resource(ManagementRoles.Names.filterRole))
    }

    func testFilterLogsKeepTheFunctionsLogGroup() {
        let t = partTemplate { AlertStackParts.FilterLogs(retentionInDays: .ref("LogRetentionDays"), condition: isMain).add(to: &$0) }
        XCTAssertEqual(t.resources.map(\.name), ["FilterLogGroup"])
        let logs = t.resource("FilterLogGroup")
        XCTAssertEqual(logs?.type, "AWS::Logs::LogGroup")
        XCTAssertEqual(logs?.condition, "IsMainRegion")
        XCTAssertEqual(logs?.property("LogGroupName"), .sub("/aws/lambda/${NamePrefix}-filter"))
        XCTAssertEqual(logs?.property("RetentionInDays"), .ref("LogRetentionDays"))
    }

    func testDirectFilterHasDeadLetterQueueFunctionAndPermission() throws {
        var handles: AlertStackParts.Filter.Handles?
        let t = partTemplate { handles = filter(.direct).add(to: &$0) }
        XCTAssertEqual(t.resources.map(\.name), ["FilterDeadLetterQueue", "FilterFunction", "FilterFunctionInvokePermission"])
        XCTAssertTrue(t.resources.allSatisfy { $0.value.condition == "IsMainRegion" })
        XCTAssertEqual(handles?.deadLetterQueue?.name, "FilterDeadLetterQueue")
        XCTAssertEqual(handles?.permission?.name, "FilterFunctionInvokePermission")

        let sids = filterRoleStatements(.embeddedDefault).compactMap { $0["Sid"]?.stringValue }
        XCTAssertEqual(sids, ["WriteOwnLogs", "PublishAlerts", "KeepFailedInvocations", "CheckAccountIsInOrganization", "AssumeReaderInOrganizationAccounts"])
        let role = try XCTUnwrap(StackSetArtifacts.rolesTemplate(for: .embeddedDefault).resource(ManagementRoles.Names.filterRole))
        XCTAssertEqual(statements(role.property("AssumeRolePolicyDocument")).first?["Principal"], ["Service": "lambda.amazonaws.com"])
        XCTAssertEqual(role.property("RoleName"), .sub("${NamePrefix}-filter"))

        let function = try XCTUnwrap(t.resource("FilterFunction"))
        XCTAssertEqual(function.property("Role"), filterRoleArn)
        XCTAssertEqual(function.property("Runtime"), "provided.al2023")
        XCTAssertEqual(function.property("Architectures"), ["arm64"])
        XCTAssertEqual(function.property("Code"), ["S3Bucket": "bucket", "S3Key": "key.zip"])
        XCTAssertEqual(function.property("DeadLetterConfig")?["TargetArn"], arn("FilterDeadLetterQueue"))
        XCTAssertEqual(function.property("Environment")?["Variables"], ["ALERT_TOPIC_ARN": .ref("SendTopic"), "MEMBER_ROLE_NAME": .ref("MemberRoleName")])
        XCTAssertEqual(function.property("LoggingConfig")?["LogGroup"], .ref("FilterLogGroup"))

        let permission = try XCTUnwrap(t.resource("FilterFunctionInvokePermission"))
        XCTAssertEqual(permission.property("FunctionName"), .ref("FilterFunction"))
        XCTAssertEqual(permission.property("Principal"), "sns.amazonaws.com")
        XCTAssertEqual(permission.property("SourceAccount"), .accountId)
        XCTAssertEqual(permission.property("SourceArn"), .sub("arn:${AWS::Partition}:sns:*:${AWS::AccountId}:${NamePrefix}-receive"))
    }

    func testQueueFilterReadsTheQueueAndHasNoDeadLetterQueueOrPermission() throws {
        var handles: AlertStackParts.Filter.Handles?
        let t = partTemplate { handles = filter(.queue(ResourceHandle(name: "EventQueue"))).add(to: &$0) }
        XCTAssertEqual(t.resources.map(\.name), ["FilterFunction"])
        XCTAssertNil(handles?.deadLetterQueue)
        XCTAssertNil(handles?.permission)
        XCTAssertNil(t.resource("FilterFunction")?.property("DeadLetterConfig"))
        let buffered = Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"], buffer: .sqs)
        let read = try XCTUnwrap(filterRoleStatements(buffered).first { $0["Sid"] == "ReadBufferedEvents" })
        XCTAssertEqual(read["Resource"], .sub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${NamePrefix}-events"))
        XCTAssertFalse(filterRoleStatements(buffered).contains { $0["Sid"] == "KeepFailedInvocations" })
    }

    func testBufferQueuesPolicyAndEventSourceMapping() throws {
        let buffer = AlertStackParts.Buffer(condition: isMain)
        var queues: AlertStackParts.Buffer.Handles?
        let t = partTemplate { t in
            let q = buffer.add(to: &t)
            queues = q
            buffer.addEventSourceMapping(queue: q.queue, function: ResourceHandle(name: "FilterFunction"), to: &t)
        }
        XCTAssertEqual(t.resources.map(\.name), ["EventDeadLetterQueue", "EventQueue", "EventQueuePolicy", "FilterFunctionEventSource"])
        XCTAssertEqual(queues?.queue.name, "EventQueue")
        XCTAssertTrue(t.resources.allSatisfy { $0.value.condition == "IsMainRegion" })
        let queue = try XCTUnwrap(t.resource("EventQueue"))
        XCTAssertEqual(queue.property("RedrivePolicy"), ["deadLetterTargetArn": arn("EventDeadLetterQueue"), "maxReceiveCount": 5])
        XCTAssertEqual(queue.property("VisibilityTimeout"), 360)
        XCTAssertEqual(queue.property("SqsManagedSseEnabled"), true)
        XCTAssertEqual(t.resource("EventDeadLetterQueue")?.property("MessageRetentionPeriod"), 1_209_600)

        let statement = try XCTUnwrap(statements(t.resource("EventQueuePolicy")?.property("PolicyDocument")).first)
        XCTAssertEqual(statement["Principal"], ["Service": "sns.amazonaws.com"])
        XCTAssertEqual(statement["Action"], "sqs:SendMessage")
        XCTAssertEqual(statement["Resource"], arn("EventQueue"))
        XCTAssertEqual(statement["Condition"]?["ArnLike"]?["aws:SourceArn"], .sub("arn:${AWS::Partition}:sns:*:${AWS::AccountId}:${NamePrefix}-receive"))
        XCTAssertEqual(statement["Condition"]?["StringEquals"]?["aws:SourceAccount"], .accountId)

        let mapping = try XCTUnwrap(t.resource("FilterFunctionEventSource"))
        XCTAssertEqual(mapping.property("FunctionName"), .ref("FilterFunction"))
        XCTAssertEqual(mapping.property("EventSourceArn"), arn("EventQueue"))
        XCTAssertEqual(mapping.property("FunctionResponseTypes"), ["ReportBatchItemFailures"])
        XCTAssertEqual(mapping.property("BatchSize"), 10)
        XCTAssertEqual(mapping.property("MaximumBatchingWindowInSeconds"), 5)
        XCTAssertEqual(mapping.property("ScalingConfig")?["MaximumConcurrency"], 5)
    }

    func testDeadLetterAlarmsNotifyTheAlertTopic() throws {
        let t = partTemplate { t in
            AlertStackParts.DeadLetterAlarm.filterDeadLetters(alarmTopic: .ref("SendTopic"), condition: isMain).add(to: &t)
            AlertStackParts.DeadLetterAlarm.eventDeadLetters(alarmTopic: .ref("SendTopic"), condition: isMain).add(to: &t)
        }
        XCTAssertEqual(t.resources.map(\.name), ["FilterDeadLetterQueueAlarm", "EventDeadLetterQueueAlarm"])
        let alarm = try XCTUnwrap(t.resource("FilterDeadLetterQueueAlarm"))
        XCTAssertEqual(alarm.condition, "IsMainRegion")
        XCTAssertEqual(alarm.property("AlarmActions"), [.ref("SendTopic")])
        XCTAssertEqual(alarm.property("AlarmName"), .sub("${NamePrefix}-filter-dlq-not-empty"))
        XCTAssertEqual(alarm.property("Dimensions"), [["Name": "QueueName", "Value": .sub("${NamePrefix}-filter-dlq")]])
        XCTAssertEqual(alarm.property("MetricName"), "ApproximateNumberOfMessagesVisible")
        XCTAssertEqual(alarm.property("Threshold"), 1)
        XCTAssertEqual(t.resource("EventDeadLetterQueueAlarm")?.property("AlarmName"), .sub("${NamePrefix}-events-dlq-not-empty"))
    }
}
