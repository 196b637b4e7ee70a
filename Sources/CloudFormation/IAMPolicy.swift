/// An IAM policy document (identity or resource policy) as typed statements.
public struct PolicyDocument: Hashable, Sendable, CFNValueConvertible {
    public var version: String
    public var statements: [PolicyStatement]

    public init(version: String = "2012-10-17", _ statements: [PolicyStatement]) {
        self.version = version
        self.statements = statements
    }

    public var cfnValue: CFNValue {
        .object([CFNField("Version", .string(version)), CFNField("Statement", .list(statements.map(\.cfnValue)))])
    }
}

/// Allow or Deny.
public enum PolicyEffect: String, Hashable, Sendable {
    case allow = "Allow"
    case deny = "Deny"
}

/// Who a resource policy or trust policy applies to.
public enum PolicyPrincipal: Hashable, Sendable, CFNValueConvertible {
    /// `AWS: "*"`: anyone, usually narrowed by a condition.
    case anyone
    /// AWS accounts or roles.
    case aws([CFNValue])
    /// AWS services such as `lambda.amazonaws.com`.
    case service([CFNValue])
    /// Federated identity providers.
    case federated([CFNValue])

    public var cfnValue: CFNValue {
        switch self {
        case .anyone: return .object([CFNField("AWS", "*")])
        case .aws(let v): return .object([CFNField("AWS", Self.oneOrMany(v))])
        case .service(let v): return .object([CFNField("Service", Self.oneOrMany(v))])
        case .federated(let v): return .object([CFNField("Federated", Self.oneOrMany(v))])
        }
    }

    static func oneOrMany(_ values: [CFNValue]) -> CFNValue { values.count == 1 ? values[0] : .list(values) }
}

/// An IAM condition operator (`StringEquals`, `ArnLike`, ...), with the set qualifiers and `IfExists`.
public struct ConditionOperator: Hashable, Sendable, RawRepresentable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let stringEquals = ConditionOperator(rawValue: "StringEquals")
    public static let stringNotEquals = ConditionOperator(rawValue: "StringNotEquals")
    public static let stringLike = ConditionOperator(rawValue: "StringLike")
    public static let stringNotLike = ConditionOperator(rawValue: "StringNotLike")
    public static let arnEquals = ConditionOperator(rawValue: "ArnEquals")
    public static let arnLike = ConditionOperator(rawValue: "ArnLike")
    public static let arnNotLike = ConditionOperator(rawValue: "ArnNotLike")
    public static let bool = ConditionOperator(rawValue: "Bool")
    /// A multivalued key (`kms:ResourceAliases`, `aws:TagKeys`) with at least one value that equals one of the values.
    public static let forAnyValueStringEquals = ConditionOperator(rawValue: "ForAnyValue:StringEquals")
    /// A multivalued key all of whose values equal one of the values (true when the key is absent).
    public static let forAllValuesStringEquals = ConditionOperator(rawValue: "ForAllValues:StringEquals")
    public static let numericLessThanEquals = ConditionOperator(rawValue: "NumericLessThanEquals")
    public static let ipAddress = ConditionOperator(rawValue: "IpAddress")

    /// `ForAnyValue:<op>`.
    public var forAnyValue: ConditionOperator { ConditionOperator(rawValue: "ForAnyValue:" + rawValue) }
    /// `ForAllValues:<op>`.
    public var forAllValues: ConditionOperator { ConditionOperator(rawValue: "ForAllValues:" + rawValue) }
    /// `<op>IfExists`.
    public var ifExists: ConditionOperator { ConditionOperator(rawValue: rawValue + "IfExists") }
}

/// One condition test: operator, context key and accepted values.
public struct PolicyCondition: Hashable, Sendable {
    public var op: ConditionOperator
    public var key: String
    public var values: [CFNValue]

    public init(_ op: ConditionOperator, _ key: String, _ values: [CFNValue]) {
        self.op = op
        self.key = key
        self.values = values
    }

    public init(_ op: ConditionOperator, _ key: String, _ value: CFNValue) {
        self.init(op, key, [value])
    }
}

/// One policy statement.
public struct PolicyStatement: Hashable, Sendable, CFNValueConvertible {
    public var sid: String?
    public var effect: PolicyEffect
    public var principal: PolicyPrincipal?
    public var actions: [String]
    public var resources: [CFNValue]
    public var conditions: [PolicyCondition]

    public init(
        sid: String? = nil, effect: PolicyEffect = .allow, principal: PolicyPrincipal? = nil, actions: [String],
        resources: [CFNValue] = [], conditions: [PolicyCondition] = []
    ) {
        self.sid = sid
        self.effect = effect
        self.principal = principal
        self.actions = actions
        self.resources = resources
        self.conditions = conditions
    }

    public var cfnValue: CFNValue {
        var f: [CFNField] = []
        if let sid { f.append(CFNField("Sid", .string(sid))) }
        f.append(CFNField("Effect", .string(effect.rawValue)))
        if let principal { f.append(CFNField("Principal", principal.cfnValue)) }
        f.append(CFNField("Action", PolicyPrincipal.oneOrMany(actions.map(CFNValue.string))))
        if !resources.isEmpty { f.append(CFNField("Resource", PolicyPrincipal.oneOrMany(resources))) }
        if !conditions.isEmpty {
            // Group by operator, keeping first-seen order of operators and keys.
            var operators: [ConditionOperator] = []
            var byOperator: [ConditionOperator: [CFNField]] = [:]
            for c in conditions {
                if byOperator[c.op] == nil { operators.append(c.op) }
                byOperator[c.op, default: []].append(CFNField(c.key, PolicyPrincipal.oneOrMany(c.values)))
            }
            f.append(CFNField("Condition", .object(operators.map { CFNField($0.rawValue, .object(byOperator[$0] ?? [])) })))
        }
        return .object(f)
    }
}
