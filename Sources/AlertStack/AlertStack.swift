import CloudFormation
import Layout

/// The notification stack, deployed in every layout region: receive topic everywhere, filter in the
/// main region. `template(for:)` is the whole stack; `add(for:to:)` assembles the same parts
/// (`AlertStackParts`) into your builder and returns their handles, so you can extend it.
public enum AlertStack {
    /// Logical names shared by the templates, the StackSet artifacts and the checks.
    public enum Names {
        public static let isMainRegion = "IsMainRegion"
        public static let isOtherRegion = "IsOtherRegion"
        public static let isBuffered = "IsBuffered"
        public static let receiveTopic = "ReceiveTopic"
        public static let receiveTopicPolicy = "ReceiveTopicPolicy"
        public static let filterFunction = "FilterFunction"
        public static let filterRole = "FilterFunctionRole"
        public static let filterLogGroup = "FilterLogGroup"
        public static let filterDeadLetterQueue = "FilterDeadLetterQueue"
        public static let sendTopic = "SendTopic"
        public static let sendSubscription = "SendTopicEmailSubscription"
        public static let mainReceiveSubscription = "MainRegionReceiveSubscription"
        public static let otherReceiveSubscription = "OtherRegionReceiveSubscription"
        public static let filterPermission = "FilterFunctionInvokePermission"
        public static let eventQueue = "EventQueue"
        public static let eventQueuePolicy = "EventQueuePolicy"
        public static let eventDeadLetterQueue = "EventDeadLetterQueue"
        public static let eventSourceMapping = "FilterFunctionEventSource"
        public static let eventDeadLetterAlarm = "EventDeadLetterQueueAlarm"
        public static let filterDeadLetterAlarm = "FilterDeadLetterQueueAlarm"
        public static let centralBus = "CentralEventBus"
        public static let centralBusPolicy = "CentralEventBusPolicy"
        public static let failureRule = "StackFailureRule"
        public static let failureRuleDeadLetterQueue = "StackFailureRuleDeadLetterQueue"
        public static let failureRuleDeadLetterQueuePolicy = "StackFailureRuleDeadLetterQueuePolicy"
        public static let failureRulePermission = "StackFailureRuleInvokePermission"
        public static let failureRuleDeadLetterAlarm = "StackFailureRuleDeadLetterQueueAlarm"
        public static let forwardRole = "ForwardStackFailuresRole"
        public static let forwardRule = "ForwardStackFailuresRule"
        public static let alertLedger = "AlertLedger"
        public static let digestQueue = "DigestQueue"
        public static let digestDeadLetterQueue = "DigestDeadLetterQueue"
        public static let digestSourceMapping = "FilterFunctionDigestSource"
        public static let digestDeadLetterAlarm = "DigestDeadLetterQueueAlarm"
        public static let heartbeatRule = "HeartbeatRule"
        /// The heartbeat alarm of `region` (main region): `HeartbeatAlarmApNortheast1`.
        public static func heartbeatAlarm(_ region: String) -> String {
            "HeartbeatAlarm" + region.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        public static let alertKey = "AlertKey"
        public static let alertKeyAlias = "AlertKeyAlias"
        public static let chatRole = "ChatChannelRole"
        public static let chatGuardrail = "ChatGuardrailPolicy"
    }

    /// Lambda timeout (seconds); the buffered queue's visibility timeout is six times this, as Lambda advises.
    public static let functionTimeout = 60
    /// SQS receives before a buffered event goes to the event dead-letter queue.
    public static let maxReceiveCount = 5
    /// Buffered batches: at most this many events, gathered for at most `batchWindowSeconds`.
    public static let batchSize = 10
    public static let batchWindowSeconds = 5
    /// Buffered: at most this many concurrent filter invocations (`Layout.Buffer.maximumConcurrency`).
    public static let maximumConcurrency = Layout.Buffer.maximumConcurrency

    /// The Lambda runtime; `provided.al2023` is the supported OS-only runtime for custom binaries.
    public static let runtime = "provided.al2023"

    /// The alert stack template's description.
    public static let templateDescription =
        "CatalogWatch alert stack: receives CloudFormation notifications of Service Catalog products in every region and alerts on terminal stack failures from the main region."

    /// The description of the alert stack of layouts with an EventBridge source.
    public static let eventBridgeTemplateDescription =
        "CatalogWatch alert stack: forwards CloudFormation status changes of Service Catalog stacks in every region to a central bus and alerts on terminal stack failures from the main region."

    /// Builds the alert stack template for `layout`.
    public static func template(for layout: Layout) -> Template {
        var t = TemplateBuilder(description: layout.source == .eventBridge ? eventBridgeTemplateDescription : templateDescription)
        Guardrails.register(layout, on: &t)
        add(for: layout, to: &t)
        return t.template
    }

    /// The handles of every part `add(for:to:)` added.
    public struct Handles: Sendable {
        public let parameters: AlertStackParts.Parameters.Handles
        public let regions: AlertStackParts.RegionConditions.Handles
        /// Sources with notification constraints only.
        public let receive: AlertStackParts.ReceiveSide.Handles?
        public let alerts: AlertStackParts.AlertTopic.Handles
        public let routes: AlertStackParts.Routes.Handles
        public let logs: ResourceHandle<Logs.LogGroup>
        /// Buffered layouts only.
        public let buffer: AlertStackParts.Buffer.Handles?
        /// Layouts with digests only.
        public let digests: AlertStackParts.DigestQueue.Handles?
        public let filter: AlertStackParts.Filter.Handles
        public let alarms: [ResourceHandle<CloudWatch.Alarm>]
        /// Sources with notification constraints only.
        public let subscriptions: AlertStackParts.ReceiveSubscriptions.Handles?
        /// Sources with EventBridge only.
        public let events: EventHandles?
    }

    /// The `eventbridge` parts of an alert stack.
    public struct EventHandles: Sendable {
        public let central: AlertStackParts.CentralBus.Handles
        public let forwarding: AlertStackParts.ForwardingRule.Handles
        public let ledger: ResourceHandle<DynamoDB.Table>
        /// Unbuffered layouts only.
        public let permission: ResourceHandle<Lambda.Permission>?
    }

    /// Adds the alert stack for `layout` to `t`: parameters, conditions, resources and outputs, part by
    /// part. Customizations registered on `t` beforehand apply to every resource.
    @discardableResult
    public static func add(for layout: Layout, to t: inout TemplateBuilder) -> Handles {
        let source = layout.source
        let p = AlertStackParts.Parameters(layout: layout).add(to: &t)
        let regions = AlertStackParts.RegionConditions(mainRegion: p.mainRegion, declaresOtherRegion: source.usesNotifications).add(to: &t)
        let isMain = regions.isMainRegion
        if let encryption = layout.encryption {
            var key = AlertStackParts.Encryption(encryption: encryption, organizationPublishes: source.usesNotifications, organizationId: p.organizationId.ref)
            key.filterRoleArn = ManagementRoles.roleArn(.filter, layout: layout)
            key.executionRoleArn = .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/\(StackSetArtifacts.executionRoleName)")
            key.grantsToDynamoDB = layout.usesAlertLedger
            key.add(to: &t)
        }
        var receiveSide = source.usesNotifications ? AlertStackParts.ReceiveSide(organizationId: p.organizationId.ref) : nil
        if layout.heartbeatMinutes != nil { receiveSide?.heartbeatRuleArn = AlertStackParts.Heartbeat.ruleArn }
        let receive = receiveSide?.add(to: &t)
        if let minutes = layout.heartbeatMinutes, let receive {
            AlertStackParts.Heartbeat(minutes: minutes).addRule(receiveTopic: receive.topic, to: &t)
        }
        let alerts = AlertStackParts.AlertTopic(email: layout.defaultRoute ? p.notificationEmail?.ref : nil, condition: isMain).add(to: &t)
        let routes = AlertStackParts.Routes(
            routes: layout.routes, managementAccountId: layout.managementAccountId, condition: isMain,
            chatRoleArn: ManagementRoles.roleArn(.chatRole, layout: layout),
            chatGuardrailArn: .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/\(PhysicalName.chatGuardrail.template)"))
            .add(sendTopic: alerts.topic, to: &t)
        let logs = AlertStackParts.FilterLogs(retentionInDays: p.logRetentionDays.ref, condition: isMain).add(to: &t)
        let central = AlertStackParts.CentralBus(organizationId: p.organizationId.ref, condition: isMain)
        var buffer = layout.buffer == .sqs ? AlertStackParts.Buffer(condition: isMain) : nil
        buffer?.topicsSend = source.usesNotifications
        if source.usesEventBridge {
            buffer?.eventRuleArn = .sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/\(PhysicalName.centralBus.template)/\(PhysicalName.centralRule.template)")
        }
        let queues = buffer?.add(to: &t)
        let ledger = layout.usesAlertLedger ? AlertStackParts.AlertLedger(condition: isMain).add(to: &t) : nil
        let digestPart = layout.usesDigests ? AlertStackParts.DigestQueue(condition: isMain) : nil
        let digestQueues = digestPart?.add(to: &t)
        var filterPart = AlertStackParts.Filter(
            events: queues.map { .queue($0.queue) } ?? .direct, condition: isMain, logGroup: logs,
            alertTopic: alerts.topic.ref, memberRoleName: memberRolePath(layout, p.memberRoleName),
            roleArn: ManagementRoles.roleArn(.filter, layout: layout), codeBucket: p.lambdaCodeBucket.ref,
            codeKey: p.lambdaCodeKey.ref, architecture: p.lambdaArchitecture.ref)
        filterPart.reservedConcurrency = layout.buffer == .none ? layout.reservedConcurrency : nil
        filterPart.topicsInvoke = source.usesNotifications
        filterPart.ledgerTable = ledger
        filterPart.routeTags = layout.routeTags
        filterPart.chatTopics = routes.chatTopics
        filterPart.runbooks = layout.runbooks
        filterPart.consoleSignIn = layout.consoleSignIn
        if let digestQueues {
            filterPart.digests = (layout.digestRules, digestQueues.queue)
        }
        let filter = filterPart.add(to: &t)
        if let buffer, let queues {
            buffer.addEventSourceMapping(queue: queues.queue, function: filter.function, to: &t)
        }
        if let digestPart, let digestQueues {
            digestPart.addEventSourceMapping(queue: digestQueues.queue, function: filter.function, to: &t)
        }
        let events = source.usesEventBridge ? ledger.map { ledger in
            addEventBridge(layout: layout, central: central, ledger: ledger, target: queues.map { .queue($0.queue) } ?? .function(filter.function), to: &t)
        } : nil
        var alarms = addAlarms(filter: filter, queues: queues, events: events, alarmTopic: alerts.topic.ref, condition: isMain, to: &t)
        if digestQueues != nil {
            alarms.append(AlertStackParts.DeadLetterAlarm.digestDeadLetters(alarmTopic: alerts.topic.ref, condition: isMain).add(to: &t))
        }
        if let minutes = layout.heartbeatMinutes, receive != nil {
            alarms += AlertStackParts.Heartbeat(minutes: minutes).addAlarms(regions: layout.regions, alarmTopic: alerts.topic.ref, condition: isMain, to: &t)
        }
        var subscriptions: AlertStackParts.ReceiveSubscriptions.Handles?
        if let receive, let isOther = regions.isOtherRegion {
            subscriptions = AlertStackParts.ReceiveSubscriptions(
                receiveTopic: receive.topic, target: queues.map { .queue($0.queue) } ?? .function(filter.function),
                isMainRegion: isMain, isOtherRegion: isOther
            ).add(to: &t)
        }
        addOutputs(receive: receive, alerts: alerts, filter: filter, queues: queues, events: events, isMain: isMain, to: &t)
        return Handles(
            parameters: p, regions: regions, receive: receive, alerts: alerts, routes: routes, logs: logs, buffer: queues, digests: digestQueues, filter: filter,
            alarms: alarms, subscriptions: subscriptions, events: events)
    }

    /// `MEMBER_ROLE_NAME`: the reader CatalogWatch deploys sits at the layout's role path (`path/name`
    /// without the leading `/`); a landing-zone role is taken at `/`.
    static func memberRolePath(_ layout: Layout, _ name: ParameterHandle) -> CFNValue {
        guard layout.deployMemberRole, let path = layout.rolePath, path != "/" else { return name.ref }
        return .sub("\(path.dropFirst())${\(name.name)}")
    }

    /// The central bus and its rule (main region), the invoke permission (unbuffered), and the forwarding
    /// rule of this account (every region, the main one included).
    static func addEventBridge(
        layout: Layout, central: AlertStackParts.CentralBus, ledger: ResourceHandle<DynamoDB.Table>, target: AlertStackParts.ReceiveSubscriptions.Target,
        to t: inout TemplateBuilder
    ) -> EventHandles {
        let targetArn: CFNValue
        switch target {
        case .function(let function): targetArn = function.getAtt(.arn)
        case .queue(let queue): targetArn = queue.getAtt(.arn)
        }
        let bus = central.add(target: targetArn, to: &t)
        var permission: ResourceHandle<Lambda.Permission>?
        if case .function(let function) = target {
            permission = central.addInvokePermission(rule: bus.rule, function: function, to: &t)
        }
        var forwardingRule = AlertStackParts.ForwardingRule(
            centralBusArn: .sub("arn:${AWS::Partition}:events:\(ParameterName.mainRegion.template):${AWS::AccountId}:event-bus/\(PhysicalName.centralBus.template)"))
        forwardingRule.roleArn = ManagementRoles.roleArn(.forwardRole, layout: layout)
        let forwarding = forwardingRule.add(to: &t)
        return EventHandles(central: bus, forwarding: forwarding, ledger: ledger, permission: permission)
    }

    /// One alarm per dead-letter queue of the main region.
    static func addAlarms(
        filter: AlertStackParts.Filter.Handles, queues: AlertStackParts.Buffer.Handles?, events: EventHandles?, alarmTopic: CFNValue,
        condition: ConditionHandle, to t: inout TemplateBuilder
    ) -> [ResourceHandle<CloudWatch.Alarm>] {
        var alarms: [AlertStackParts.DeadLetterAlarm] = []
        if filter.deadLetterQueue != nil { alarms.append(.filterDeadLetters(alarmTopic: alarmTopic, condition: condition)) }
        if queues != nil { alarms.append(.eventDeadLetters(alarmTopic: alarmTopic, condition: condition)) }
        if events != nil { alarms.append(.ruleDeadLetters(alarmTopic: alarmTopic, condition: condition)) }
        return alarms.map { $0.add(to: &t) }
    }

    static func addOutputs(
        receive: AlertStackParts.ReceiveSide.Handles?, alerts: AlertStackParts.AlertTopic.Handles, filter: AlertStackParts.Filter.Handles,
        queues: AlertStackParts.Buffer.Handles?, events: EventHandles?, isMain: ConditionHandle, to t: inout TemplateBuilder
    ) {
        if let receive {
            t.output("ReceiveTopicArn", receive.topic.ref, description: "Notification constraint target in this region (NotificationArns).")
        }
        t.output("SendTopicArn", alerts.topic.ref, description: "Topic the alerts are published to.", condition: isMain)
        t.output("FilterFunctionArn", filter.function.getAtt(.arn), description: "The filter Lambda.", condition: isMain)
        if let queues {
            t.output("EventQueueUrl", queues.queue.ref, description: "Buffer between the receive topics and the filter.", condition: isMain)
        }
        if let events {
            t.output("CentralEventBusArn", events.central.bus.getAtt(.arn), description: "Bus that every watched account forwards stack failures to.", condition: isMain)
        }
    }
}
