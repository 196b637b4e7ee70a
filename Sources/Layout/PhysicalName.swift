import CloudFormation

/// A physical name CatalogWatch gives a resource: the layout's name prefix, a hyphen and a fixed suffix.
/// Each name is written once, here, and read both as a template expression (`${NamePrefix}-<suffix>`, for
/// templates whose `NamePrefix` is a parameter) and as a plain string for a given layout (deploy, status).
public struct PhysicalName: Hashable, Sendable {
    /// What follows `<namePrefix>-`.
    public let suffix: String

    public init(_ suffix: String) { self.suffix = suffix }

    /// `${NamePrefix}-<suffix>`, to embed in a longer `Fn::Sub` text.
    public var template: String { "\(ParameterName.namePrefix.template)-\(suffix)" }
    /// `!Sub ${NamePrefix}-<suffix>`.
    public var sub: CFNValue { .sub(template) }
    /// The name for `namePrefix`.
    public func name(prefix namePrefix: String) -> String { "\(namePrefix)-\(suffix)" }

    /// The filter function, its role (IAM names are a namespace of their own) and its log group's tail.
    public static let filter = PhysicalName("filter")
    /// The role EventBridge forwards with from every region of the management account (EventBridge sources).
    public static let forwardRole = PhysicalName("forward")
    /// The chat channel configurations' role and their guardrail policy.
    public static let chatRole = PhysicalName("chat")
    public static let chatGuardrail = PhysicalName("chat-guardrail")
    /// Topics: the alerts (send) topic and the receive topic of every region.
    public static let alertTopic = PhysicalName("alerts")
    public static let receiveTopic = PhysicalName("receive")
    /// Queues: the filter's dead letters (unbuffered), the buffer and its dead letters.
    public static let filterDeadLetterQueue = PhysicalName("filter-dlq")
    public static let eventQueue = PhysicalName("events")
    public static let eventDeadLetterQueue = PhysicalName("events-dlq")
    /// Storm digests: the queue of delayed flush messages and its dead letters.
    public static let digestQueue = PhysicalName("digest")
    public static let digestDeadLetterQueue = PhysicalName("digest-dlq")
    /// The alert ledger table (EventBridge sources, digests).
    public static let alertLedger = PhysicalName("alerts-sent")
    /// The generated key's alias tail (`alias/<name>`).
    public static let alertKeyAlias = PhysicalName("alerts")
    /// EventBridge sources: the central bus and its rule (main region), the rule's dead-letter queue, and
    /// the forwarding rule on the default bus of every region and account.
    public static let centralBus = PhysicalName("events")
    public static let centralRule = PhysicalName("stack-failures")
    public static let ruleDeadLetterQueue = PhysicalName("eventrule-dlq")
    public static let forwardRule = PhysicalName("forward-stack-failures")
    /// The heartbeat: the scheduled rule of every region, and the alarm per region (main region).
    public static let heartbeatRule = PhysicalName("heartbeat")
    public static func heartbeatAlarm(_ region: String) -> PhysicalName { PhysicalName("heartbeat-\(region)") }
    /// The read-only role the filter assumes in member accounts (the default member role).
    public static let reader = PhysicalName("reader")
    /// The managed policy launch roles get (`launch-role-policy.yaml`).
    public static let launchRolePolicy = PhysicalName("launch-role-notifications")
    /// The roles stack `deploy` creates (a stack name).
    public static let rolesStack = PhysicalName("stackset-roles")
    /// The default StackSet name (`stackSetName`), which the rollouts and member StackSets extend.
    public static let defaultStackSet = PhysicalName("receive")
    /// A chat route's channel configuration.
    public static func chatConfiguration(_ route: String) -> PhysicalName { PhysicalName(route) }
    /// Every name CatalogWatch gives (`${NamePrefix}-*`), for ARN patterns.
    public static let everyName = PhysicalName("*")
    /// A chat route's topic.
    public static func chatTopic(_ route: String) -> PhysicalName { PhysicalName("chat-\(route)") }

    /// The generated key's tag (key and value `${NamePrefix}`) that the StackSet execution role's key
    /// administration is conditioned on: it can administer CatalogWatch's keys and no other.
    public static let keyTagKey = "catalogwatch:name-prefix"
}
