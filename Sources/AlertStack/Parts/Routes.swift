import CloudFormation
import FilterContract
import Layout

extension AlertStackParts {
    /// The layout's routes, main region only. An e-mail, HTTPS, SQS or Lambda route is a subscription
    /// of the send topic whose filter policy (on the alert's message attributes) is the route's match,
    /// so SNS decides who gets what. A chat route gets a topic of its own, which the filter feeds in
    /// Amazon Q Developer's custom-notification format (the same filter policy, evaluated by the
    /// filter: `CHAT_ROUTES`), and an Amazon Q Developer channel configuration for its Slack or Teams
    /// channel, with a role that can do nothing and a guardrail that denies everything (the channel
    /// only shows notifications).
    public struct Routes: Sendable {
        public var routes: [Route]
        /// The management account, when known: a Lambda route's function there gets SNS's invoke
        /// permission; one elsewhere must grant it in its own account.
        public var managementAccountId: String?
        public var condition: ConditionHandle?
        /// The chat channels' role and guardrail policy, made by the roles stack (`ManagementRoles`).
        public var chatRoleArn: CFNValue
        public var chatGuardrailArn: CFNValue

        public init(routes: [Route], managementAccountId: String?, condition: ConditionHandle?, chatRoleArn: CFNValue, chatGuardrailArn: CFNValue) {
            self.routes = routes
            self.managementAccountId = managementAccountId
            self.condition = condition
            self.chatRoleArn = chatRoleArn
            self.chatGuardrailArn = chatGuardrailArn
        }

        /// The chat topic of a chat route.
        public struct ChatTopic: Sendable {
            public let route: Route
            public let topic: ResourceHandle<SNS.Topic>
        }

        /// What the routes added.
        public struct Handles: Sendable {
            public let subscriptions: [ResourceHandle<SNS.Subscription>]
            public let chatTopics: [ChatTopic]
        }

        /// Adds `Route<Name>Subscription` (and `Route<Name>InvokePermission`) per route, and for chat
        /// routes `Route<Name>ChatTopic` and `Route<Name>Channel`.
        @discardableResult
        public func add(sendTopic: ResourceHandle<SNS.Topic>, to t: inout TemplateBuilder) -> Handles {
            var subscriptions: [ResourceHandle<SNS.Subscription>] = []
            var chats: [ChatTopic] = []
            for route in routes {
                let name = "Route\(route.logicalName)"
                let kind = route.destination.kind
                let subscriptionProtocol: SubscriptionProtocol, endpoint: String
                switch kind.delivery {
                case .subscription(let p, let e):
                    (subscriptionProtocol, endpoint) = (p, e)
                case .chatTopic:
                    var topic = SNS.Topic()
                    topic.displayName = .string("CatalogWatch chat: \(route.name)")
                    topic.topicName = PhysicalName.chatTopic(route.name).sub
                    chats.append(ChatTopic(route: route, topic: t.resource("\(name)ChatTopic", topic, condition: condition)))
                    continue
                }
                kind.addResources(name: name, sendTopic: sendTopic, managementAccountId: managementAccountId, condition: condition, to: &t)
                var subscription = SNS.Subscription(protocol: .string(subscriptionProtocol.rawValue), topicArn: sendTopic.ref, endpoint: .string(endpoint))
                subscription.filterPolicy = Self.filterPolicy(route.match)
                subscription.filterPolicyScope = "MessageAttributes"
                subscriptions.append(t.resource("\(name)Subscription", subscription, condition: condition))
            }
            addChannels(chats, to: &t)
            return Handles(subscriptions: subscriptions, chatTopics: chats)
        }

        /// The route's match as an SNS filter policy object.
        public static func filterPolicy(_ match: Route.Match) -> CFNValue {
            .object(match.filterPolicy.map { CFNField($0.attribute, .list($0.values.map(CFNValue.string))) })
        }

        /// The channel configurations, with the roles stack's role and guardrail.
        func addChannels(_ chats: [ChatTopic], to t: inout TemplateBuilder) {
            for chat in chats {
                guard case .chat(let channel) = chat.route.destination else { continue }
                let name = "Route\(chat.route.logicalName)Channel"
                let configName: CFNValue = PhysicalName.chatConfiguration(chat.route.name).sub
                switch channel {
                case .slack(let workspace, let channelId):
                    var config = Chatbot.SlackChannelConfiguration(
                        configurationName: configName, iamRoleArn: chatRoleArn, slackChannelId: .string(channelId),
                        slackWorkspaceId: .string(workspace))
                    config.guardrailPolicies = [chatGuardrailArn]
                    config.loggingLevel = "ERROR"
                    config.snsTopicArns = [chat.topic.ref]
                    config.userRoleRequired = false
                    t.resource(name, config, condition: condition)
                case .teams(let tenant, let team, let channelId):
                    var config = Chatbot.MicrosoftTeamsChannelConfiguration(
                        configurationName: configName, iamRoleArn: chatRoleArn, teamId: .string(team),
                        teamsChannelId: .string(channelId), teamsTenantId: .string(tenant))
                    config.guardrailPolicies = [chatGuardrailArn]
                    config.loggingLevel = "ERROR"
                    config.snsTopicArns = [chat.topic.ref]
                    config.userRoleRequired = false
                    t.resource(name, config, condition: condition)
                }
            }
        }
    }
}
