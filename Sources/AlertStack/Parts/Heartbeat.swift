import CloudFormation
import FilterContract
import Layout

extension AlertStackParts {
    /// `heartbeat`: in every region, a scheduled rule publishes a canary (`Canary`, as an EventBridge stack
    /// status change) into the receive topic; the filter counts it as a `Heartbeats` metric of its region and
    /// alerts nobody. In the main region, one alarm per layout region notifies the send topic when that
    /// region's heartbeats stop for two intervals: the path a real failure there would take is broken.
    public struct Heartbeat: Sendable {
        public var minutes: Int
        public var ruleName: CFNValue = PhysicalName.heartbeatRule.sub

        public init(minutes: Int) { self.minutes = minutes }

        /// This region's heartbeat rule, for the receive topic's policy.
        public static let ruleArn: CFNValue = .sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/\(PhysicalName.heartbeatRule.template)")

        /// `rate(30 minutes)`, `rate(1 hour)`, `rate(2 hours)`.
        var schedule: String {
            guard minutes % 60 == 0 else { return "rate(\(minutes) minutes)" }
            return minutes == 60 ? "rate(1 hour)" : "rate(\(minutes / 60) hours)"
        }

        /// Adds `HeartbeatRule` (every region): the canary into `receiveTopic` on schedule.
        @discardableResult
        public func addRule(receiveTopic: ResourceHandle<SNS.Topic>, to t: inout TemplateBuilder) -> ResourceHandle<Events.Rule> {
            var rule = Events.Rule()
            rule.description = "CatalogWatch heartbeat: a synthetic stack failure into the receive topic, which the filter counts and alerts nobody about."
            rule.name = ruleName
            rule.scheduleExpression = .string(schedule)
            rule.state = "ENABLED"
            rule.targets = [
                Events.Rule.Target(arn: receiveTopic.ref, id: "receive-topic").with {
                    $0.inputTransformer = Events.Rule.InputTransformer(
                        inputTemplate: .sub(Canary.heartbeatInputTemplate), inputPathsMap: ["id": "$.id", "time": "$.time"])
                }
            ]
            return t.resource(AlertStack.Names.heartbeatRule, rule)
        }

        /// Adds `HeartbeatAlarm<Region>` for each of `regions` (main region): fewer than one heartbeat in each of
        /// two intervals, or none at all, alarms to `alarmTopic`.
        public func addAlarms(
            regions: [String], alarmTopic: CFNValue, condition: ConditionHandle?, to t: inout TemplateBuilder
        ) -> [ResourceHandle<CloudWatch.Alarm>] {
            regions.map { region in
                var alarm = CloudWatch.Alarm()
                alarm.alarmActions = [alarmTopic]
                alarm.alarmDescription = .string(
                    "CatalogWatch: no heartbeat from \(region) in two intervals of \(minutes) minutes; a failure there would not be alerted. Run catalogwatch test-alert --region \(region).")
                alarm.alarmName = PhysicalName.heartbeatAlarm(region).sub
                alarm.comparisonOperator = "LessThanThreshold"
                alarm.datapointsToAlarm = 2
                alarm.dimensions = [CloudWatch.Alarm.Dimension(name: .string(Canary.heartbeatDimension), value: .string(region))]
                alarm.evaluationPeriods = 2
                alarm.metricName = .string(Canary.heartbeatMetric)
                alarm.namespace = .string(Canary.metricNamespace)
                alarm.period = .number(String(minutes * 60))
                alarm.statistic = "Sum"
                alarm.threshold = 1
                alarm.treatMissingData = "breaching"
                return t.resource(AlertStack.Names.heartbeatAlarm(region), alarm, condition: condition)
            }
        }
    }
}
