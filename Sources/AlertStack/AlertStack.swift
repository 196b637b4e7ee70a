import CloudFormation

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
    }

    /// Lambda timeout (seconds); the buffered queue's visibility timeout is six times this, as Lambda advises.
    public static let functionTimeout = 60
    /// SQS receives before a buffered event goes to the event dead-letter queue.
    public static let maxReceiveCount = 5
    /// Buffered batches: at most this many events, gathered for at most `batchWindowSeconds`.
    public static let batchSize = 10
    public static let batchWindowSeconds = 5
    /// Buffered: at most this many concurrent filter invocations (protects the account's Lambda concurrency).
    public static let maximumConcurrency = 5

    /// The Lambda runtime; `provided.al2023` is the supported OS-only runtime for custom binaries.
    public static let runtime = "provided.al2023"

    /// The alert stack template's description.
    public static let templateDescription =
        "CatalogWatch alert stack: receives CloudFormation notifications of Service Catalog products in every region and alerts on terminal stack failures from the main region."

    /// Builds the alert stack template for `layout`.
    public static func template(for layout: Layout) -> Template {
        var t = TemplateBuilder(description: templateDescription)
        add(for: layout, to: &t)
        return t.template
    }

    /// The handles of every part `add(for:to:)` added.
    public struct Handles: Sendable {
        public let parameters: AlertStackParts.Parameters.Handles
        public let regions: AlertStackParts.RegionConditions.Handles
        public let receive: AlertStackParts.ReceiveSide.Handles
        public let alerts: AlertStackParts.AlertTopic.Handles
        public let logs: ResourceHandle<Logs.LogGroup>
        /// Buffered layouts only.
        public let buffer: AlertStackParts.Buffer.Handles?
        public let filter: AlertStackParts.Filter.Handles
        public let alarms: [ResourceHandle<CloudWatch.Alarm>]
        public let subscriptions: AlertStackParts.ReceiveSubscriptions.Handles
    }

    /// Adds the alert stack for `layout` to `t`: parameters, conditions, resources and outputs, part by
    /// part. Customizations registered on `t` beforehand apply to every resource.
    @discardableResult
    public static func add(for layout: Layout, to t: inout TemplateBuilder) -> Handles {
        let p = AlertStackParts.Parameters(layout: layout).add(to: &t)
        let regions = AlertStackParts.RegionConditions(mainRegion: p.mainRegion).add(to: &t)
        let isMain = regions.isMainRegion
        let receive = AlertStackParts.ReceiveSide(organizationId: p.organizationId.ref).add(to: &t)
        let alerts = AlertStackParts.AlertTopic(email: p.notificationEmail.ref, condition: isMain).add(to: &t)
        let logs = AlertStackParts.FilterLogs(retentionInDays: p.logRetentionDays.ref, condition: isMain).add(to: &t)
        let buffer = layout.buffer == .sqs ? AlertStackParts.Buffer(condition: isMain) : nil
        let queues = buffer?.add(to: &t)
        let filter = AlertStackParts.Filter(
            events: queues.map { .queue($0.queue) } ?? .direct, condition: isMain, logGroup: logs,
            alertTopic: alerts.topic.ref, memberRoleName: p.memberRoleName.ref, codeBucket: p.lambdaCodeBucket.ref,
            codeKey: p.lambdaCodeKey.ref, architecture: p.lambdaArchitecture.ref
        ).add(to: &t)
        if let buffer, let queues {
            buffer.addEventSourceMapping(queue: queues.queue, function: filter.function, to: &t)
        }
        var alarms: [ResourceHandle<CloudWatch.Alarm>] = []
        if filter.deadLetterQueue != nil {
            alarms.append(AlertStackParts.DeadLetterAlarm.filterDeadLetters(alarmTopic: alerts.topic.ref, condition: isMain).add(to: &t))
        }
        if queues != nil {
            alarms.append(AlertStackParts.DeadLetterAlarm.eventDeadLetters(alarmTopic: alerts.topic.ref, condition: isMain).add(to: &t))
        }
        let subscriptions = AlertStackParts.ReceiveSubscriptions(
            receiveTopic: receive.topic, target: queues.map { .queue($0.queue) } ?? .function(filter.function),
            isMainRegion: isMain, isOtherRegion: regions.isOtherRegion
        ).add(to: &t)

        t.output("ReceiveTopicArn", receive.topic.ref, description: "Notification constraint target in this region (NotificationArns).")
        t.output("SendTopicArn", alerts.topic.ref, description: "Topic the alerts are published to.", condition: isMain)
        t.output("FilterFunctionArn", filter.function.getAtt(.arn), description: "The filter Lambda.", condition: isMain)
        if let queues {
            t.output("EventQueueUrl", queues.queue.ref, description: "Buffer between the receive topics and the filter.", condition: isMain)
        }
        return Handles(
            parameters: p, regions: regions, receive: receive, alerts: alerts, logs: logs, buffer: queues, filter: filter,
            alarms: alarms, subscriptions: subscriptions)
    }
}
