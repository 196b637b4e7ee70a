import CloudFormation
import Layout

extension AlertStackParts {
    /// Storm digests, main region only: the queue of the filter's own delayed messages. When a storm's first
    /// failure is held, the filter sends one message delayed until its window ends; the queue hands it back
    /// to the filter (an event source mapping), which sends the digest. A flush that fails `maxReceiveCount`
    /// times lands in the dead-letter queue, which has an alarm. No queue policy: only the filter's own role
    /// (same account) sends.
    public struct DigestQueue: Sendable {
        public var condition: ConditionHandle?
        public var queueName: CFNValue = PhysicalName.digestQueue.sub
        public var deadLetterQueueName: CFNValue = PhysicalName.digestDeadLetterQueue.sub
        public var maxReceiveCount = AlertStack.maxReceiveCount
        /// Six times the function timeout, as Lambda advises for queue event sources.
        public var visibilityTimeout = AlertStack.functionTimeout * 6
        public var batchSize = AlertStack.batchSize

        public init(condition: ConditionHandle?) { self.condition = condition }

        public struct Handles: Sendable {
            public let queue: ResourceHandle<SQS.Queue>
            public let deadLetterQueue: ResourceHandle<SQS.Queue>
        }

        /// Adds `DigestDeadLetterQueue` and `DigestQueue`.
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> Handles {
            let (queue, deadLetters) = AlertStackParts.addQueueWithDeadLetters(
                queue: (AlertStack.Names.digestQueue, queueName), deadLetters: (AlertStack.Names.digestDeadLetterQueue, deadLetterQueueName),
                maxReceiveCount: maxReceiveCount, visibilityTimeout: visibilityTimeout, condition: condition, to: &t)
            return Handles(queue: queue, deadLetterQueue: deadLetters)
        }

        /// Adds `FilterFunctionDigestSource`: `function` reads `queue`, reporting failed flushes one by one.
        @discardableResult
        public func addEventSourceMapping(
            queue: ResourceHandle<SQS.Queue>, function: ResourceHandle<Lambda.Function>, to t: inout TemplateBuilder
        ) -> ResourceHandle<Lambda.EventSourceMapping> {
            var mapping = Lambda.EventSourceMapping(functionName: function.ref)
            mapping.batchSize = .number(String(batchSize))
            mapping.enabled = true
            mapping.eventSourceArn = queue.getAtt(.arn)
            mapping.functionResponseTypes = ["ReportBatchItemFailures"]
            return t.resource(AlertStack.Names.digestSourceMapping, mapping, condition: condition)
        }
    }
}
