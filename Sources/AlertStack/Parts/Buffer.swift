import CloudFormation
import Layout

extension AlertStackParts {
    /// The SQS buffer of `buffer: sqs` layouts, main region only: every receive topic delivers to one
    /// encrypted queue, which the filter reads in batches with bounded concurrency, and a redrive queue
    /// keeps events that fail `maxReceiveCount` times. `add(to:)` adds the queues and the queue policy;
    /// `addEventSourceMapping` connects the queue to the function once the `Filter` part has added it.
    public struct Buffer: Sendable {
        public var condition: ConditionHandle?
        public var queueName: CFNValue = PhysicalName.eventQueue.sub
        public var deadLetterQueueName: CFNValue = PhysicalName.eventDeadLetterQueue.sub
        /// The topics that may send to the queue (`aws:SourceArn`): the receive topics of every region.
        public var sourceTopicArns: CFNValue = .sub("arn:${AWS::Partition}:sns:*:${AWS::AccountId}:\(PhysicalName.receiveTopic.template)")
        /// Whether the receive topics send to the queue (false when only EventBridge does).
        public var topicsSend = true
        /// The `CentralBus` rule that sends to the queue (`eventbridge` sources), as a constructed ARN: the
        /// rule targets the queue, so the queue's policy cannot refer to the rule resource.
        public var eventRuleArn: CFNValue?
        public var maxReceiveCount = AlertStack.maxReceiveCount
        /// Six times the function timeout, as Lambda advises for queue event sources.
        public var visibilityTimeout = AlertStack.functionTimeout * 6
        public var batchSize = AlertStack.batchSize
        public var batchWindowSeconds = AlertStack.batchWindowSeconds
        public var maximumConcurrency = AlertStack.maximumConcurrency

        public init(condition: ConditionHandle?) { self.condition = condition }

        /// The queues and the queue policy.
        public struct Handles: Sendable {
            public let queue: ResourceHandle<SQS.Queue>
            public let deadLetterQueue: ResourceHandle<SQS.Queue>
            public let policy: ResourceHandle<SQS.QueuePolicy>
        }

        /// Adds `EventDeadLetterQueue`, `EventQueue` and `EventQueuePolicy`.
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> Handles {
            let (events, deadLetters) = AlertStackParts.addQueueWithDeadLetters(
                queue: (AlertStack.Names.eventQueue, queueName), deadLetters: (AlertStack.Names.eventDeadLetterQueue, deadLetterQueueName),
                maxReceiveCount: maxReceiveCount, visibilityTimeout: visibilityTimeout, condition: condition, to: &t)
            let policy = t.resource(
                AlertStack.Names.eventQueuePolicy,
                SQS.QueuePolicy(policyDocument: policyDocument(queue: events).cfnValue, queues: [events.ref]),
                condition: condition)
            return Handles(queue: events, deadLetterQueue: deadLetters, policy: policy)
        }

        /// `sqs:SendMessage` on `queue` for SNS, from the receive topics of this account only, and for
        /// EventBridge from the central rule only.
        public func policyDocument(queue: ResourceHandle<SQS.Queue>) -> PolicyDocument {
            var statements: [PolicyStatement] = []
            if topicsSend {
                statements.append(PolicyStatement(
                    sid: "ReceiveTopicsDeliverEvents", principal: .service(["sns.amazonaws.com"]), actions: ["sqs:SendMessage"],
                    resources: [queue.getAtt(.arn)],
                    conditions: [
                        PolicyCondition(.arnLike, "aws:SourceArn", sourceTopicArns),
                        PolicyCondition(.stringEquals, "aws:SourceAccount", .accountId),
                    ]))
            }
            if let eventRuleArn {
                statements.append(PolicyStatement(
                    sid: "CentralRuleDeliversEvents", principal: .service(["events.amazonaws.com"]), actions: ["sqs:SendMessage"],
                    resources: [queue.getAtt(.arn)], conditions: [PolicyCondition(.arnEquals, "aws:SourceArn", eventRuleArn)]))
            }
            return PolicyDocument(statements)
        }

        /// Adds `FilterFunctionEventSource`: `function` reads `queue` in batches, reporting failed items
        /// one by one (`ReportBatchItemFailures`), at most `maximumConcurrency` invocations at a time.
        @discardableResult
        public func addEventSourceMapping(
            queue: ResourceHandle<SQS.Queue>, function: ResourceHandle<Lambda.Function>, to t: inout TemplateBuilder
        ) -> ResourceHandle<Lambda.EventSourceMapping> {
            var mapping = Lambda.EventSourceMapping(functionName: function.ref)
            mapping.batchSize = .number(String(batchSize))
            mapping.enabled = true
            mapping.eventSourceArn = queue.getAtt(.arn)
            mapping.functionResponseTypes = ["ReportBatchItemFailures"]
            mapping.maximumBatchingWindowInSeconds = .number(String(batchWindowSeconds))
            mapping.scalingConfig = Lambda.EventSourceMapping.ScalingConfig(maximumConcurrency: .number(String(maximumConcurrency)))
            return t.resource(AlertStack.Names.eventSourceMapping, mapping, condition: condition)
        }
    }
}

extension AlertStackParts {
    /// Adds a queue and its dead-letter queue (14 days' retention), encrypted with SQS-managed keys unless
    /// `Encryption` puts a KMS key on them: the queue keeps a message 4 days and gives it up to its dead
    /// letters after `maxReceiveCount` receives. Each is named by its logical id and physical name.
    static func addQueueWithDeadLetters(
        queue: (logical: String, name: CFNValue), deadLetters: (logical: String, name: CFNValue), maxReceiveCount: Int, visibilityTimeout: Int,
        condition: ConditionHandle?, to t: inout TemplateBuilder
    ) -> (queue: ResourceHandle<SQS.Queue>, deadLetters: ResourceHandle<SQS.Queue>) {
        var deadLetterQueue = SQS.Queue()
        deadLetterQueue.messageRetentionPeriod = 1_209_600
        deadLetterQueue.queueName = deadLetters.name
        deadLetterQueue.sqsManagedSseEnabled = true
        let deadLetterHandle = t.resource(deadLetters.logical, deadLetterQueue, condition: condition)
        var main = SQS.Queue()
        main.messageRetentionPeriod = 345_600
        main.queueName = queue.name
        main.redrivePolicy = ["deadLetterTargetArn": deadLetterHandle.getAtt(.arn), "maxReceiveCount": .number(String(maxReceiveCount))]
        main.sqsManagedSseEnabled = true
        main.visibilityTimeout = .number(String(visibilityTimeout))
        return (t.resource(queue.logical, main, condition: condition), deadLetterHandle)
    }
}
