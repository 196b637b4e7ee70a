import CloudFormation
import Layout

extension AlertStackParts {
    /// The central side of the `eventbridge` source, main region of the management account only: the bus
    /// `<NamePrefix>-events` that every account of the organization may put events on, and the rule on it
    /// that sends terminal failures of Service Catalog stacks (`FailureEventPattern`) to the filter or its
    /// queue, retried for up to 24 hours, with a dead-letter queue for what still fails.
    public struct CentralBus: Sendable {
        /// The organization whose accounts may put events, usually `!Ref OrganizationId`.
        public var organizationId: CFNValue
        public var condition: ConditionHandle?
        public var busName: CFNValue = PhysicalName.centralBus.sub
        public var ruleName: CFNValue = PhysicalName.centralRule.sub
        public var deadLetterQueueName: CFNValue = PhysicalName.ruleDeadLetterQueue.sub
        /// EventBridge's retries of a failed delivery: at most this many, within `maximumEventAgeSeconds`.
        public var maximumRetryAttempts = 185
        public var maximumEventAgeSeconds = 86_400

        public init(organizationId: CFNValue, condition: ConditionHandle?) {
            self.organizationId = organizationId
            self.condition = condition
        }

        /// The bus, its policy, the rule and the rule's dead-letter queue.
        public struct Handles: Sendable {
            public let bus: ResourceHandle<Events.EventBus>
            public let policy: ResourceHandle<Events.EventBusPolicy>
            public let rule: ResourceHandle<Events.Rule>
            public let deadLetterQueue: ResourceHandle<SQS.Queue>
            public let deadLetterQueuePolicy: ResourceHandle<SQS.QueuePolicy>
        }

        /// The policy and the rule name the bus by `busName` (rather than `!Ref`, which moto cannot resolve
        /// for a bus); the rule depends on the bus, the policy refers to its ARN. Adds `CentralEventBus`, `CentralEventBusPolicy`, `StackFailureRuleDeadLetterQueue` (and its
        /// policy) and `StackFailureRule` targeting `target` (the filter function's or the buffer queue's ARN).
        @discardableResult
        public func add(target: CFNValue, to t: inout TemplateBuilder) -> Handles {
            let bus = t.resource(AlertStack.Names.centralBus, Events.EventBus(name: busName), condition: condition)
            let policy = t.resource(
                AlertStack.Names.centralBusPolicy,
                Events.EventBusPolicy(statementId: "OrganizationPutsStackEvents").with {
                    $0.eventBusName = busName
                    $0.statement = PolicyStatement(
                        sid: "OrganizationPutsStackEvents", principal: .anyone, actions: ["events:PutEvents"],
                        resources: [bus.getAtt(.arn)],
                        conditions: [PolicyCondition(.stringEquals, "aws:PrincipalOrgID", organizationId)]
                    ).cfnValue
                },
                condition: condition)
            var queue = SQS.Queue()
            queue.messageRetentionPeriod = 1_209_600
            queue.queueName = deadLetterQueueName
            queue.sqsManagedSseEnabled = true
            let deadLetters = t.resource(AlertStack.Names.failureRuleDeadLetterQueue, queue, condition: condition)
            var rule = Events.Rule()
            rule.description = "CatalogWatch: terminal failures of Service Catalog stacks from every account and region, to the filter."
            rule.eventBusName = busName
            rule.eventPattern = FailureEventPattern.pattern
            rule.name = ruleName
            rule.state = "ENABLED"
            rule.targets = [
                Events.Rule.Target(arn: target, id: "filter").with {
                    $0.deadLetterConfig = Events.Rule.DeadLetterConfig(arn: deadLetters.getAtt(.arn))
                    $0.retryPolicy = Events.Rule.RetryPolicy(
                        maximumEventAgeInSeconds: .number(String(maximumEventAgeSeconds)),
                        maximumRetryAttempts: .number(String(maximumRetryAttempts)))
                }
            ]
            let failures = t.resource(AlertStack.Names.failureRule, rule, condition: condition, dependsOn: [AlertStack.Names.centralBus])
            let queuePolicy = t.resource(
                AlertStack.Names.failureRuleDeadLetterQueuePolicy,
                SQS.QueuePolicy(
                    policyDocument: PolicyDocument([Self.ruleSends(to: deadLetters, rule: failures, sid: "RuleKeepsUndeliveredEvents")]).cfnValue,
                    queues: [deadLetters.ref]),
                condition: condition)
            return Handles(bus: bus, policy: policy, rule: failures, deadLetterQueue: deadLetters, deadLetterQueuePolicy: queuePolicy)
        }

        /// `sqs:SendMessage` on `queue` for EventBridge, from `rule` only.
        public static func ruleSends(to queue: ResourceHandle<SQS.Queue>, rule: ResourceHandle<Events.Rule>, sid: String) -> PolicyStatement {
            PolicyStatement(
                sid: sid, principal: .service(["events.amazonaws.com"]), actions: ["sqs:SendMessage"],
                resources: [queue.getAtt(.arn)], conditions: [PolicyCondition(.arnEquals, "aws:SourceArn", rule.getAtt(.arn))])
        }

        /// Adds `StackFailureRuleInvokePermission`: the rule may invoke `function` (unbuffered layouts).
        @discardableResult
        public func addInvokePermission(
            rule: ResourceHandle<Events.Rule>, function: ResourceHandle<Lambda.Function>, to t: inout TemplateBuilder
        ) -> ResourceHandle<Lambda.Permission> {
            t.resource(
                AlertStack.Names.failureRulePermission,
                Lambda.Permission(action: "lambda:InvokeFunction", functionName: function.ref, principal: "events.amazonaws.com")
                    .with { $0.sourceArn = rule.getAtt(.arn) },
                condition: condition)
        }
    }

    /// The forwarding side of the `eventbridge` source, in every region of every watched account: a rule
    /// on the default bus sending the same failures (`FailureEventPattern`) to the central bus, and the
    /// role EventBridge uses to put them there (cross-region and cross-account bus targets need one).
    public struct ForwardingRule: Sendable {
        /// The central bus's ARN as seen from this account and region.
        public var centralBusArn: CFNValue
        public var ruleName: CFNValue = PhysicalName.forwardRule.sub
        /// EventBridge's retries of a failed forward: at most this many, within `maximumEventAgeSeconds`.
        public var maximumRetryAttempts = 185
        public var maximumEventAgeSeconds = 86_400

        /// The role EventBridge forwards with; nil: the part adds one (`ForwardStackFailuresRole`), as in
        /// member accounts. The management account's alert stack uses the roles stack's role instead.
        public var roleArn: CFNValue?

        public init(centralBusArn: CFNValue) { self.centralBusArn = centralBusArn }

        /// The role (when the part added one) and the rule.
        public struct Handles: Sendable {
            public let role: ResourceHandle<IAM.Role>?
            public let rule: ResourceHandle<Events.Rule>
        }

        /// The forwarding role's only permission: put events on the central bus `centralBusArn`.
        public static func putOnCentralBus(_ centralBusArn: CFNValue) -> IAM.Role.Policy {
            IAM.Role.Policy(
                policyDocument: PolicyDocument([
                    PolicyStatement(sid: "PutOnCentralBus", actions: ["events:PutEvents"], resources: [centralBusArn])
                ]).cfnValue,
                policyName: "catalogwatch-forward")
        }

        /// Adds `ForwardStackFailuresRole` (without `roleArn`) and `ForwardStackFailuresRule` (no condition: every region).
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> Handles {
            var forwardRole: ResourceHandle<IAM.Role>?
            if roleArn == nil {
                var role = IAM.Role(assumeRolePolicyDocument: ManagementRoles.trust(service: "events.amazonaws.com"))
                role.description = "CatalogWatch: lets EventBridge forward Service Catalog stack failures to the central bus."
                role.policies = [Self.putOnCentralBus(centralBusArn)]
                forwardRole = t.resource(AlertStack.Names.forwardRole, role)
            }
            var rule = Events.Rule()
            rule.description = "CatalogWatch: forwards terminal failures of Service Catalog stacks to the central bus."
            rule.eventPattern = FailureEventPattern.pattern
            rule.name = ruleName
            rule.state = "ENABLED"
            rule.targets = [
                Events.Rule.Target(arn: centralBusArn, id: "central-bus").with {
                    $0.retryPolicy = Events.Rule.RetryPolicy(
                        maximumEventAgeInSeconds: .number(String(maximumEventAgeSeconds)),
                        maximumRetryAttempts: .number(String(maximumRetryAttempts)))
                    $0.roleArn = roleArn ?? forwardRole?.getAtt(.arn)
                }
            ]
            return Handles(role: forwardRole, rule: t.resource(AlertStack.Names.forwardRule, rule))
        }
    }

    /// The filter's ledger of alerts sent, main region only, when more than one delivery can carry the same
    /// failure (EventBridge delivers at least once; with source `both` a failure comes by SNS and by
    /// EventBridge): one item per stack, status and time, expiring after two days.
    public struct AlertLedger: Sendable {
        public var condition: ConditionHandle?
        public var tableName: CFNValue = PhysicalName.alertLedger.sub

        public init(condition: ConditionHandle?) { self.condition = condition }

        /// The key attribute and the expiry attribute, as the filter writes them.
        public static let keyAttribute = "failure"
        public static let expiryAttribute = "expiresAt"

        /// Adds `AlertLedger`: on-demand, encrypted, expiring items.
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> ResourceHandle<DynamoDB.Table> {
            var table = DynamoDB.Table(
                keySchema: [["AttributeName": .string(Self.keyAttribute), "KeyType": "HASH"]],
                attributeDefinitions: [DynamoDB.Table.AttributeDefinition(attributeName: .string(Self.keyAttribute), attributeType: "S")],
                billingMode: "PAY_PER_REQUEST")
            table.sseSpecification = DynamoDB.Table.SSESpecification(sseEnabled: true)
            table.tableName = tableName
            table.timeToLiveSpecification = DynamoDB.Table.TimeToLiveSpecification(enabled: true, attributeName: .string(Self.expiryAttribute))
            return t.resource(AlertStack.Names.alertLedger, table, condition: condition)
        }
    }
}
