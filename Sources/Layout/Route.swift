import FilterContract

/// A named route of the layout: where matching alerts go besides the default route. Routes become SNS
/// subscriptions of the send topic with a filter policy on the alert's message attributes, so SNS, not
/// code, decides; a chat route gets a topic of its own, fed in Amazon Q Developer's custom-notification
/// format, and a channel configuration when the layout names the channel.
public struct Route: Hashable, Sendable {
    /// Where a route delivers.
    public enum Destination: Hashable, Sendable {
        case email(String)
        case https(String)
        /// A queue ARN: its policy must let the send topic send (`aws:SourceArn`).
        case sqs(String)
        /// A function ARN: in the management account, the alert stack grants SNS the invoke.
        case lambda(String)
        case chat(ChatChannel)
    }

    /// The chat channel of a chat route.
    public enum ChatChannel: Hashable, Sendable {
        case slack(workspaceId: String, channelId: String)
        case teams(tenantId: String, teamId: String, channelId: String)
    }

    /// What an alert must carry to take the route: every listed attribute matches one of its values.
    public struct Match: Hashable, Sendable {
        public var account: [String] = []
        public var region: [String] = []
        public var status: [String] = []
        public var product: [String] = []
        /// Stack tags (keys of `routeTags`), in the layout's order.
        public var tags: [TagMatch] = []

        public init() {}

        public var isEmpty: Bool { account.isEmpty && region.isEmpty && status.isEmpty && product.isEmpty && tags.isEmpty }

        /// The SNS filter policy (MessageAttributes scope): attribute name → accepted values, in a fixed order.
        public var filterPolicy: [(attribute: String, values: [String])] {
            var policy: [(String, [String])] = []
            for (name, values) in [(AlertAttribute.account.name, account), (AlertAttribute.region.name, region), (AlertAttribute.status.name, status), (AlertAttribute.product.name, product)] where !values.isEmpty {
                policy.append((name, values))
            }
            return policy + tags.map { (AlertAttribute.tag($0.key), $0.values) }
        }
    }

    /// One tag condition of a match.
    public struct TagMatch: Hashable, Sendable {
        public var key: String
        public var values: [String]

        public init(key: String, values: [String]) {
            self.key = key
            self.values = values
        }
    }

    public var name: String
    public var destination: Destination
    public var match: Match
    /// The route's storm digests: the layout's (`inherit`), none, or its own.
    public var digest: DigestOverride

    /// A route's own `digest`, or none.
    public enum DigestOverride: Hashable, Sendable {
        /// The layout's `digest`.
        case inherit
        /// Every alert one by one.
        case off
        case on(Layout.Digest)
    }

    public init(name: String, destination: Destination, match: Match, digest: DigestOverride = .inherit) {
        self.name = name
        self.destination = destination
        self.match = match
        self.digest = digest
    }

    /// The name as a logical-id fragment: `payments-oncall` → `PaymentsOncall`.
    public var logicalName: String {
        name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The message attributes an alert can carry, for matches (`tag.<key>` for each route tag).
    public static let attributes = AlertAttribute.allCases.map(\.name) + ["tags"]
}

extension Route {
    /// Every destination kind, in the order the layout reference lists them.
    package static let destinationKinds: [any DestinationKind.Type] = [
        EmailDestination.self, HTTPSDestination.self, SQSDestination.self, LambdaDestination.self, ChatDestination.self,
    ]
}

extension Route.Destination {
    /// This destination's kind, which holds everything the kind does.
    package var kind: any DestinationKind {
        switch self {
        case .email(let address): EmailDestination(address: address)
        case .https(let url): HTTPSDestination(url: url)
        case .sqs(let arn): SQSDestination(arn: arn)
        case .lambda(let arn): LambdaDestination(arn: arn)
        case .chat(let channel): ChatDestination(channel: channel)
        }
    }
}
