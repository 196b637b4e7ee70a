import CloudFormation
import Layout

extension AlertStackParts {
    /// The send side, main region only: the topic the filter publishes alerts to, and the e-mail
    /// subscription of the notification address. More subscribers (HTTPS, SQS, chat) attach with
    /// `Handles.addSubscription`.
    public struct AlertTopic: Sendable {
        /// The address that receives every alert (the default route), usually `!Ref NotificationEmail`;
        /// nil when the layout turns the default route off.
        public var email: CFNValue?
        /// Where the topic exists, usually `IsMainRegion`.
        public var condition: ConditionHandle?
        public var topicName: CFNValue
        public var displayName: CFNValue

        public init(
            email: CFNValue?, condition: ConditionHandle?, topicName: CFNValue = PhysicalName.alertTopic.sub,
            displayName: CFNValue = "CatalogWatch alerts"
        ) {
            self.email = email
            self.condition = condition
            self.topicName = topicName
            self.displayName = displayName
        }

        /// The send topic and its e-mail subscription.
        public struct Handles: Sendable {
            public let topic: ResourceHandle<SNS.Topic>
            /// nil without a default route.
            public let emailSubscription: ResourceHandle<SNS.Subscription>?
            /// The condition of the topic, which its subscriptions share.
            public let condition: ConditionHandle?

            /// Adds a subscription named `name` to the alert topic, under the topic's condition; e.g.
            /// `protocol: "https"` with a webhook URL as `endpoint`.
            @discardableResult
            public func addSubscription(
                _ name: String, protocol: CFNValue, endpoint: CFNValue, to t: inout TemplateBuilder
            ) -> ResourceHandle<SNS.Subscription> {
                t.resource(name, SNS.Subscription(protocol: `protocol`, topicArn: topic.ref, endpoint: endpoint), condition: condition)
            }
        }

        /// Adds `SendTopic` and (with an e-mail) `SendTopicEmailSubscription`.
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> Handles {
            var topic = SNS.Topic()
            topic.displayName = displayName
            topic.topicName = topicName
            let send = t.resource(AlertStack.Names.sendTopic, topic, condition: condition)
            let subscription = email.map { email in
                t.resource(
                    AlertStack.Names.sendSubscription, SNS.Subscription(protocol: "email", topicArn: send.ref, endpoint: email),
                    condition: condition)
            }
            return Handles(topic: send, emailSubscription: subscription, condition: condition)
        }
    }
}
