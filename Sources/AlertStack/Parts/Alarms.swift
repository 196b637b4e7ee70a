import CloudFormation
import Layout

extension AlertStackParts {
    /// An alarm on a dead-letter queue, main region only: events that could not be handled must be seen,
    /// so a message in the queue notifies the alert topic.
    public struct DeadLetterAlarm: Sendable {
        public var logicalName: String
        /// The queue's name as `Fn::Sub` text (`${NamePrefix}-filter-dlq`); the alarm is named after it.
        public var queueName: String
        /// What landed in the queue, for the alarm description.
        public var what: String
        /// Where the alarm notifies, usually the alert topic.
        public var alarmTopic: CFNValue
        public var condition: ConditionHandle?

        public init(logicalName: String, queueName: String, what: String, alarmTopic: CFNValue, condition: ConditionHandle?) {
            self.logicalName = logicalName
            self.queueName = queueName
            self.what = what
            self.alarmTopic = alarmTopic
            self.condition = condition
        }

        /// `FilterDeadLetterQueueAlarm`: the unbuffered filter's dead-letter queue (`Filter` with `.direct`).
        public static func filterDeadLetters(alarmTopic: CFNValue, condition: ConditionHandle?) -> DeadLetterAlarm {
            DeadLetterAlarm(
                logicalName: AlertStack.Names.filterDeadLetterAlarm, queueName: "\(PhysicalName.filterDeadLetterQueue.template)",
                what: "filter invocations failed after Lambda's retries", alarmTopic: alarmTopic, condition: condition)
        }

        /// `EventDeadLetterQueueAlarm`: the buffer's dead-letter queue (`Buffer`).
        public static func eventDeadLetters(alarmTopic: CFNValue, condition: ConditionHandle?) -> DeadLetterAlarm {
            DeadLetterAlarm(
                logicalName: AlertStack.Names.eventDeadLetterAlarm, queueName: "\(PhysicalName.eventDeadLetterQueue.template)",
                what: "buffered events failed \(AlertStack.maxReceiveCount) times", alarmTopic: alarmTopic, condition: condition)
        }

        /// `DigestDeadLetterQueueAlarm`: the digest queue's dead-letter queue (`DigestQueue`).
        public static func digestDeadLetters(alarmTopic: CFNValue, condition: ConditionHandle?) -> DeadLetterAlarm {
            DeadLetterAlarm(
                logicalName: AlertStack.Names.digestDeadLetterAlarm, queueName: "\(PhysicalName.digestDeadLetterQueue.template)",
                what: "digest flushes failed \(AlertStack.maxReceiveCount) times (their failures were neither sent as a digest nor one by one)",
                alarmTopic: alarmTopic, condition: condition)
        }

        /// `StackFailureRuleDeadLetterQueueAlarm`: the central rule's dead-letter queue (`CentralBus`).
        public static func ruleDeadLetters(alarmTopic: CFNValue, condition: ConditionHandle?) -> DeadLetterAlarm {
            DeadLetterAlarm(
                logicalName: AlertStack.Names.failureRuleDeadLetterAlarm, queueName: "\(PhysicalName.ruleDeadLetterQueue.template)",
                what: "EventBridge could not deliver stack failures to the filter within 24 hours", alarmTopic: alarmTopic, condition: condition)
        }

        /// Adds the alarm: at least one visible message in the queue within 5 minutes.
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> ResourceHandle<CloudWatch.Alarm> {
            var alarm = CloudWatch.Alarm()
            alarm.alarmActions = [alarmTopic]
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
            return t.resource(logicalName, alarm, condition: condition)
        }
    }
}
