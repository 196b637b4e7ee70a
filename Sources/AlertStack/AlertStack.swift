import CloudFormation

/// The notification stack, deployed in every layout region: receive topic everywhere, filter in the main region.
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

    /// Builds the alert stack template for `layout`.
    public static func template(for layout: Layout) -> Template {
        var t = TemplateBuilder(
            description: "CatalogWatch alert stack: receives CloudFormation notifications of Service Catalog products in every region and alerts on terminal stack failures from the main region."
        )
        // Parameters: everything region- or organization-specific is a parameter with the layout's value as default.
        let mainRegion = t.parameter(
            "MainRegion",
            .string("Region of the filter Lambda and the send topic; the StackSet deploys here first.",
                    default: layout.mainRegion, pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]$",
                    constraint: "an AWS region name such as ap-northeast-1"))
        t.parameter(
            "NamePrefix",
            .string("Prefix of the topic, function and queue names (identical in every region).",
                    default: layout.namePrefix, pattern: "^[a-zA-Z][a-zA-Z0-9-]{0,39}$",
                    constraint: "a letter, then up to 39 letters, digits or hyphens"))
        let organizationId = t.parameter(
            "OrganizationId",
            .string("AWS Organizations id whose accounts may publish to the receive topic.",
                    default: layout.organizationId, pattern: "^o-[a-z0-9]{10,32}$",
                    constraint: "o- followed by 10 to 32 lowercase letters or digits"))
        let email = t.parameter(
            "NotificationEmail",
            .string("E-mail address that receives the alerts (confirm the subscription once).",
                    default: layout.notificationEmail, pattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
                    constraint: "an e-mail address"))
        let memberRole = t.parameter(
            "MemberRoleName",
            .string("Role in member accounts that the filter assumes to describe provisioned products.",
                    default: layout.memberRoleName, pattern: "^[\\w+=,.@-]{1,64}$",
                    constraint: "an IAM role name"))
        let codeBucket = t.parameter(
            "LambdaCodeBucket",
            .string("S3 bucket holding the packaged filter (catalogwatch package), in the main region.",
                    default: layout.lambdaCode?.bucket, minLength: 3, maxLength: 63))
        let codeKey = t.parameter(
            "LambdaCodeKey",
            .string("S3 key of the packaged filter zip.", default: layout.lambdaCode?.key, minLength: 1))
        let architecture = t.parameter(
            "LambdaArchitecture",
            .string("Instruction set of the packaged filter.", default: layout.architecture.rawValue,
                    allowedValues: Layout.Architecture.allCases.map(\.rawValue)))
        let retention = t.parameter(
            "LogRetentionDays",
            Parameter(type: "Number", description: "Days to keep the filter's logs.",
                      default: layout.logRetentionDays.cfnValue,
                      allowedValues: Layout.allowedRetentionDays.map(\.cfnValue)))

        let isMain = t.condition(Names.isMainRegion, .equals(.region, mainRegion.ref))
        let isOther = t.condition(Names.isOtherRegion, .not(.condition(isMain)))

        // Every region: the receive topic, open to the organization for sns:Publish only.
        let receiveTopicName = CFNValue.sub("${NamePrefix}-receive")
        var receiveTopic = SNS.Topic()
        receiveTopic.displayName = "CatalogWatch receive"
        receiveTopic.topicName = receiveTopicName
        let receive = t.resource(Names.receiveTopic, receiveTopic)
        t.resource(
            Names.receiveTopicPolicy,
            SNS.TopicPolicy(
                policyDocument: PolicyDocument([
                    PolicyStatement(
                        sid: "OrganizationPublishesStackEvents", principal: .anyone, actions: ["sns:Publish"],
                        resources: [receive.ref],
                        conditions: [PolicyCondition(.stringEquals, "aws:PrincipalOrgID", organizationId.ref)])
                ]).cfnValue,
                topics: [receive.ref]))

        // Main region only: send topic, filter function and its role, logs, dead-letter queue.
        var sendTopic = SNS.Topic()
        sendTopic.displayName = "CatalogWatch alerts"
        sendTopic.topicName = .sub("${NamePrefix}-alerts")
        let send = t.resource(Names.sendTopic, sendTopic, condition: isMain)
        t.resource(
            Names.sendSubscription,
            SNS.Subscription(protocol: "email", topicArn: send.ref).with { $0.endpoint = email.ref },
            condition: isMain)

        var logGroup = Logs.LogGroup()
        logGroup.logGroupName = .sub("/aws/lambda/${NamePrefix}-filter")
        logGroup.retentionInDays = retention.ref
        let logs = t.resource(Names.filterLogGroup, logGroup, condition: isMain)

        let buffered = layout.buffer == .sqs
        // Unbuffered: asynchronous invocations that still fail after Lambda's retries land here.
        var deadLetters: ResourceHandle<SQS.Queue>?
        if !buffered {
            var dlq = SQS.Queue()
            dlq.messageRetentionPeriod = 1_209_600
            dlq.queueName = .sub("${NamePrefix}-filter-dlq")
            dlq.sqsManagedSseEnabled = true
            deadLetters = t.resource(Names.filterDeadLetterQueue, dlq, condition: isMain)
        }
        // Buffered: every receive topic feeds one encrypted queue in the main region; a redrive queue keeps
        // events that fail `maxReceiveCount` times.
        var eventQueue: ResourceHandle<SQS.Queue>?
        var eventDeadLetters: ResourceHandle<SQS.Queue>?
        if buffered {
            var edlq = SQS.Queue()
            edlq.messageRetentionPeriod = 1_209_600
            edlq.queueName = .sub("${NamePrefix}-events-dlq")
            edlq.sqsManagedSseEnabled = true
            let edl = t.resource(Names.eventDeadLetterQueue, edlq, condition: isMain)
            eventDeadLetters = edl
            var queue = SQS.Queue()
            queue.messageRetentionPeriod = 345_600
            queue.queueName = .sub("${NamePrefix}-events")
            queue.redrivePolicy = ["deadLetterTargetArn": edl.getAtt(.arn), "maxReceiveCount": .number(String(maxReceiveCount))]
            queue.sqsManagedSseEnabled = true
            queue.visibilityTimeout = .number(String(functionTimeout * 6))
            let q = t.resource(Names.eventQueue, queue, condition: isMain)
            eventQueue = q
            t.resource(
                Names.eventQueuePolicy,
                SQS.QueuePolicy(
                    policyDocument: PolicyDocument([
                        PolicyStatement(
                            sid: "ReceiveTopicsDeliverEvents", principal: .service(["sns.amazonaws.com"]), actions: ["sqs:SendMessage"],
                            resources: [q.getAtt(.arn)],
                            conditions: [
                                PolicyCondition(.arnLike, "aws:SourceArn", .sub("arn:${AWS::Partition}:sns:*:${AWS::AccountId}:${NamePrefix}-receive")),
                                PolicyCondition(.stringEquals, "aws:SourceAccount", .accountId),
                            ])
                    ]).cfnValue,
                    queues: [q.ref]),
                condition: isMain)
        }

        var statements = [
            PolicyStatement(
                sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
                resources: [logs.getAtt(.arn)]),
            PolicyStatement(sid: "PublishAlerts", actions: ["sns:Publish"], resources: [send.ref]),
        ]
        if let deadLetters {
            statements.append(PolicyStatement(sid: "KeepFailedInvocations", actions: ["sqs:SendMessage"], resources: [deadLetters.getAtt(.arn)]))
        }
        if let eventQueue {
            statements.append(PolicyStatement(
                sid: "ReadBufferedEvents",
                actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                resources: [eventQueue.getAtt(.arn)]))
        }
        statements.append(PolicyStatement(
            sid: "DescribeInMemberAccounts", actions: ["sts:AssumeRole"],
            resources: [.sub("arn:${AWS::Partition}:iam::*:role/${MemberRoleName}")]))
        var role = IAM.Role(
            assumeRolePolicyDocument: PolicyDocument([
                PolicyStatement(
                    principal: .service(["lambda.amazonaws.com"]), actions: ["sts:AssumeRole"],
                    conditions: [PolicyCondition(.stringEquals, "aws:SourceAccount", .accountId)])
            ]).cfnValue)
        role.description = "CatalogWatch filter: write its logs, publish alerts, assume the member role."
        role.policies = [IAM.Role.Policy(policyDocument: PolicyDocument(statements).cfnValue, policyName: "catalogwatch-filter")]
        let filterRole = t.resource(Names.filterRole, role, condition: isMain)

        var function = Lambda.Function(
            code: Lambda.Function.Code().with {
                $0.s3Bucket = codeBucket.ref
                $0.s3Key = codeKey.ref
            },
            role: filterRole.getAtt(.arn))
        function.architectures = [architecture.ref]
        if let deadLetters {
            function.deadLetterConfig = Lambda.Function.DeadLetterConfig().with { $0.targetArn = deadLetters.getAtt(.arn) }
        }
        function.description = "CatalogWatch filter: alerts on terminal failures of Service Catalog stacks."
        function.environment = Lambda.Function.Environment().with {
            $0.variables = [
                "ALERT_TOPIC_ARN": send.ref,
                "MEMBER_ROLE_NAME": memberRole.ref,
            ]
        }
        function.functionName = .sub("${NamePrefix}-filter")
        function.handler = "bootstrap"
        function.loggingConfig = Lambda.Function.LoggingConfig().with { $0.logGroup = logs.ref }
        function.memorySize = 128
        function.runtime = .string(runtime)
        function.timeout = .number(String(functionTimeout))
        let filter = t.resource(Names.filterFunction, function, condition: isMain)

        if let eventQueue {
            var mapping = Lambda.EventSourceMapping(functionName: filter.ref)
            mapping.batchSize = .number(String(batchSize))
            mapping.enabled = true
            mapping.eventSourceArn = eventQueue.getAtt(.arn)
            mapping.functionResponseTypes = ["ReportBatchItemFailures"]
            mapping.maximumBatchingWindowInSeconds = .number(String(batchWindowSeconds))
            mapping.scalingConfig = Lambda.EventSourceMapping.ScalingConfig(maximumConcurrency: .number(String(maximumConcurrency)))
            t.resource(Names.eventSourceMapping, mapping, condition: isMain)
        } else {
            t.resource(
                Names.filterPermission,
                Lambda.Permission(action: "lambda:InvokeFunction", functionName: filter.ref, principal: "sns.amazonaws.com")
                    .with {
                        $0.sourceAccount = .accountId
                        $0.sourceArn = .sub("arn:${AWS::Partition}:sns:*:${AWS::AccountId}:${NamePrefix}-receive")
                    },
                condition: isMain)
        }

        // Events that could not be handled must be seen: an alarm on each dead-letter queue notifies the send topic.
        let watched: [(String, ResourceHandle<SQS.Queue>?, String, String)] = [
            (Names.filterDeadLetterAlarm, deadLetters, "${NamePrefix}-filter-dlq", "filter invocations failed after Lambda's retries"),
            (Names.eventDeadLetterAlarm, eventDeadLetters, "${NamePrefix}-events-dlq", "buffered events failed \(maxReceiveCount) times"),
        ]
        for (name, queue, queueName, what) in watched {
            guard queue != nil else { continue }
            var alarm = CloudWatch.Alarm()
            alarm.alarmActions = [send.ref]
            alarm.alarmDescription = .string("CatalogWatch: \(what); events are kept in the dead-letter queue. Inspect and redrive them.")
            alarm.comparisonOperator = "GreaterThanOrEqualToThreshold"
            alarm.dimensions = [CloudWatch.Alarm.Dimension(name: "QueueName", value: .sub(queueName))]
            alarm.alarmName = .sub("\(queueName)-not-empty")
            alarm.evaluationPeriods = 1
            alarm.metricName = "ApproximateNumberOfMessagesVisible"
            alarm.namespace = "AWS/SQS"
            alarm.period = 300
            alarm.statistic = "Maximum"
            alarm.threshold = 1
            alarm.treatMissingData = "notBreaching"
            t.resource(name, alarm, condition: isMain)
        }

        // Every receive topic delivers to the main region: by GetAtt there, by a constructed ARN elsewhere
        // (no Ref from an every-region resource to a main-region-only one).
        let mainEndpoint: CFNValue = eventQueue.map { $0.getAtt(.arn) } ?? filter.getAtt(.arn)
        let otherEndpoint: CFNValue = buffered
            ? .sub("arn:${AWS::Partition}:sqs:${MainRegion}:${AWS::AccountId}:${NamePrefix}-events")
            : .sub("arn:${AWS::Partition}:lambda:${MainRegion}:${AWS::AccountId}:function:${NamePrefix}-filter")
        let deliveryProtocol: CFNValue = buffered ? "sqs" : "lambda"
        t.resource(
            Names.mainReceiveSubscription,
            SNS.Subscription(protocol: deliveryProtocol, topicArn: receive.ref).with { $0.endpoint = mainEndpoint },
            condition: isMain)
        t.resource(
            Names.otherReceiveSubscription,
            SNS.Subscription(protocol: deliveryProtocol, topicArn: receive.ref).with { $0.endpoint = otherEndpoint },
            condition: isOther)

        t.output("ReceiveTopicArn", receive.ref, description: "Notification constraint target in this region (NotificationArns).")
        t.output("SendTopicArn", send.ref, description: "Topic the alerts are published to.", condition: isMain)
        t.output("FilterFunctionArn", filter.getAtt(.arn), description: "The filter Lambda.", condition: isMain)
        if let eventQueue {
            t.output("EventQueueUrl", eventQueue.ref, description: "Buffer between the receive topics and the filter.", condition: isMain)
        }
        return t.template
    }

    /// The IAM policy that product launch roles in member accounts need: CloudFormation publishes the
    /// stack notifications with the launch role's credentials, so without it no event ever arrives.
    public static func launchRolePolicy(for layout: Layout) -> PolicyDocument {
        let account = layout.managementAccountId ?? "${ManagementAccountId}"
        let arns = layout.orderedRegions.map { region -> CFNValue in
            let partition = RegionTable.region(region)?.partition ?? layout.partition
            return .string("arn:\(partition):sns:\(region):\(account):\(layout.namePrefix)-receive")
        }
        return PolicyDocument([
            PolicyStatement(sid: "PublishStackNotificationsToCatalogWatch", actions: ["sns:Publish"], resources: arns)
        ])
    }

    /// A template that creates `launchRolePolicy` as a managed policy in a member account (for a
    /// service-managed StackSet to the organization), parameterised by the management account.
    public static func launchRolePolicyTemplate(for layout: Layout) -> Template {
        var t = TemplateBuilder(
            description: "CatalogWatch: lets Service Catalog launch roles publish stack notifications to the receive topics.")
        t.parameter(
            "ManagementAccountId",
            .string("Account that owns the CatalogWatch receive topics.", default: layout.managementAccountId,
                    pattern: "^[0-9]{12}$", constraint: "a 12-digit account id"))
        t.parameter(
            "NamePrefix",
            .string("Name prefix used by the alert stack.", default: layout.namePrefix,
                    pattern: "^[a-zA-Z][a-zA-Z0-9-]{0,39}$"))
        var policy = IAM.ManagedPolicy(
            policyDocument: PolicyDocument([
                PolicyStatement(
                    sid: "PublishStackNotificationsToCatalogWatch", actions: ["sns:Publish"],
                    resources: [.sub("arn:${AWS::Partition}:sns:*:${ManagementAccountId}:${NamePrefix}-receive")])
            ]).cfnValue)
        policy.description = "Attach to Service Catalog launch roles so CloudFormation can notify CatalogWatch."
        policy.managedPolicyName = .sub("${NamePrefix}-launch-role-notifications")
        let managed = t.resource("LaunchRoleNotificationPolicy", policy)
        t.output("PolicyArn", managed.ref, description: "Attach this policy to every launch role of shared products.")
        return t.template
    }
}

/// In-place configuration of a value, for building nested DSL values in one expression.
protocol Configurable {}

extension Configurable {
    func with(_ configure: (inout Self) -> Void) -> Self {
        var copy = self
        configure(&copy)
        return copy
    }
}

extension SNS.Subscription: Configurable {}
extension Lambda.Permission: Configurable {}
extension Lambda.Function.Code: Configurable {}
extension Lambda.Function.DeadLetterConfig: Configurable {}
extension Lambda.Function.Environment: Configurable {}
extension Lambda.Function.LoggingConfig: Configurable {}
extension CFN.StackSet.DeploymentTargets: Configurable {}
