import CloudFormation
import Layout

extension AlertStackParts {
    /// The receive side, in every region: the topic that Service Catalog notification constraints point
    /// at, and its policy letting any account of the organization (`aws:PrincipalOrgID`) publish to it
    /// (and, with a heartbeat, this region's heartbeat rule), and nothing else.
    public struct ReceiveSide: Sendable {
        /// The organization whose accounts may publish, usually `!Ref OrganizationId`.
        public var organizationId: CFNValue
        /// The topic name; identical in every region, so launch roles can be granted one ARN pattern.
        public var topicName: CFNValue
        public var displayName: CFNValue
        /// The heartbeat rule of this region, which may publish its canary too (`Heartbeat`).
        public var heartbeatRuleArn: CFNValue?

        public init(
            organizationId: CFNValue, topicName: CFNValue = PhysicalName.receiveTopic.sub,
            displayName: CFNValue = "CatalogWatch receive"
        ) {
            self.organizationId = organizationId
            self.topicName = topicName
            self.displayName = displayName
        }

        /// The receive topic and its policy.
        public struct Handles: Sendable {
            public let topic: ResourceHandle<SNS.Topic>
            public let policy: ResourceHandle<SNS.TopicPolicy>
        }

        /// Adds `ReceiveTopic` and `ReceiveTopicPolicy` (no condition: they exist in every region).
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> Handles {
            var topic = SNS.Topic()
            topic.displayName = displayName
            topic.topicName = topicName
            let receive = t.resource(AlertStack.Names.receiveTopic, topic)
            let policy = t.resource(
                AlertStack.Names.receiveTopicPolicy,
                SNS.TopicPolicy(policyDocument: policyDocument(topic: receive).cfnValue, topics: [receive.ref]))
            return Handles(topic: receive, policy: policy)
        }

        /// `sns:Publish` on `topic` for principals of the organization only, and for this region's heartbeat rule.
        public func policyDocument(topic: ResourceHandle<SNS.Topic>) -> PolicyDocument {
            var statements = [
                PolicyStatement(
                    sid: "OrganizationPublishesStackEvents", principal: .anyone, actions: ["sns:Publish"],
                    resources: [topic.ref],
                    conditions: [PolicyCondition(.stringEquals, "aws:PrincipalOrgID", organizationId)])
            ]
            if let heartbeatRuleArn {
                statements.append(PolicyStatement(
                    sid: "HeartbeatRulePublishesItsCanary", principal: .service(["events.amazonaws.com"]), actions: ["sns:Publish"],
                    resources: [topic.ref], conditions: [PolicyCondition(.arnEquals, "aws:SourceArn", heartbeatRuleArn)]))
            }
            return PolicyDocument(statements)
        }
    }
}
