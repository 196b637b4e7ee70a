/// The filter's contract with what configures it and what reads its alerts, written once for both sides:
/// the alert stack sets these environment variables and names these message attributes in its routes'
/// filter policies (AlertStack), the filter reads and writes them (FilterCore, FilterLambda), and the CLI's
/// `invoke` sets them locally; the architecture is the layout's, the package's and the function's. The
/// values with a format have one codec each, used by both sides (`RouteTagsCodec`, `ChatRoutesCodec`, `RunbooksCodec`, `DigestCodec`), and
/// the package manifest is one type with its writer and reader (`FilterManifest`). No Foundation: the
/// static Lambda links it.

/// An environment variable of `catalogwatch-filter` (the alert stack sets them on the function).
public enum FilterVariable: String, CaseIterable, Sendable {
    /// The send topic's ARN.
    case alertTopicArn = "ALERT_TOPIC_ARN"
    /// The member role's path (without the leading `/`) and name.
    case memberRoleName = "MEMBER_ROLE_NAME"
    /// The stack statuses that alert (default: the terminal failures).
    case alertStatuses = "ALERT_STATUSES"
    /// The alert ledger's table name (EventBridge sources).
    case alertLedgerTable = "ALERT_LEDGER_TABLE"
    /// The stack tag keys copied into message attributes `tag.<key>`, comma-separated (`RouteTagsCodec`).
    case routeTags = "ROUTE_TAGS"
    /// The chat routes: `[{"name", "topicArn", "filterPolicy"}]` as compact JSON (`ChatRoutesCodec`).
    case chatRoutes = "CHAT_ROUTES"
    /// Runbook URLs by product id or name, and a default: `{"<key>": "<https URL>"}` as compact JSON (`RunbooksCodec`).
    case runbooks = "RUNBOOKS"
    /// An IAM Identity Center access portal's start URL: member-account links go through its shortcut link.
    case consoleStartURL = "CONSOLE_START_URL"
    /// The permission set (role) the portal's shortcut links sign in with (with `CONSOLE_START_URL`).
    case consoleRoleName = "CONSOLE_ROLE_NAME"
    /// The digest rules of the default route and every route, as compact JSON (`DigestCodec`); unset: no digests.
    case digest = "DIGEST"
    /// The queue whose delayed messages flush digests when their window ends (with `DIGEST`).
    case digestQueueURL = "DIGEST_QUEUE_URL"

    /// The variable's name.
    public var name: String { rawValue }
}

/// A field of one `CHAT_ROUTES` entry (`[{"name", "topicArn", "filterPolicy"}]`, compact JSON): the route's
/// name, its chat topic, and the SNS filter policy (on `AlertAttribute`s) that picks its alerts.
public enum ChatRouteField: String, CaseIterable, Sendable {
    case name, topicArn, filterPolicy

    /// The field's JSON key.
    public var key: String { rawValue }
}

/// A message attribute every alert carries, which routes' SNS filter policies match on.
public enum AlertAttribute: String, CaseIterable, Sendable {
    case account, region, status, product

    /// The attribute's name.
    public var name: String { rawValue }

    /// The prefix of the attributes that carry the failed stack's tags (`tag.<key>`, with `ROUTE_TAGS`).
    public static let tagPrefix = "tag."

    /// The attribute of stack tag `key`.
    public static func tag(_ key: String) -> String { tagPrefix + key }
}

/// The instruction sets the filter is built and deployed for (the layout's `architecture`, the package's,
/// the function's `Architectures`).
public enum LambdaArchitecture: String, CaseIterable, Sendable {
    case x86_64
    case arm64
}

/// A protocol the send topic delivers alerts over (an SNS subscription's `Protocol`), and the body it gets:
/// the filter publishes one message with a body per protocol (`MessageStructure: json`), so a route
/// destination over a new protocol is a case here with its body, and nothing else in the filter.
public enum SubscriptionProtocol: String, CaseIterable, Sendable {
    case email, sqs, lambda, https

    /// What a subscriber of the protocol receives.
    public enum Body: Sendable {
        /// The e-mail text.
        case text
        /// The alert as JSON (`CatalogWatchAlert`, version 1).
        case structured
    }

    public var body: Body {
        switch self {
        case .email: .text
        case .sqs, .lambda, .https: .structured
        }
    }
}
