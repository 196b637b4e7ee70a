/// A value in a CloudFormation template: a literal, a list, an ordered object, or an intrinsic function.
///
/// Intrinsics are kept in one normal form, `.function(name, argument)` with the long-form name
/// (`Ref`, `Condition`, `Fn::Sub`, `Fn::GetAtt` with a two-item list, ...), so that a template read
/// back from YAML or JSON compares equal to the one that was written.
public indirect enum CFNValue: Hashable, Sendable {
    case string(String)
    /// A number, kept as written (`180`, `0.5`) so output is byte-stable.
    case number(String)
    case bool(Bool)
    case null
    case list([CFNValue])
    case object([CFNField])
    case function(String, CFNValue)
}

/// One key of an ordered CloudFormation object.
public struct CFNField: Hashable, Sendable {
    public var key: String
    public var value: CFNValue

    public init(_ key: String, _ value: CFNValue) {
        self.key = key
        self.value = value
    }
}

/// Anything that renders to a `CFNValue` (generated property types, policy documents, literals).
public protocol CFNValueConvertible: Sendable {
    var cfnValue: CFNValue { get }
}

extension CFNValue: CFNValueConvertible {
    public var cfnValue: CFNValue { self }
}

extension String: CFNValueConvertible {
    public var cfnValue: CFNValue { .string(self) }
}

extension Int: CFNValueConvertible {
    public var cfnValue: CFNValue { .number(String(self)) }
}

extension Bool: CFNValueConvertible {
    public var cfnValue: CFNValue { .bool(self) }
}

extension Array: CFNValueConvertible where Element: CFNValueConvertible {
    public var cfnValue: CFNValue { .list(map(\.cfnValue)) }
}

extension CFNValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .number(String(value)) }
    public init(arrayLiteral elements: CFNValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, CFNValue)...) {
        self = .object(elements.map { CFNField($0.0, $0.1) })
    }

    /// Wraps any convertible value.
    public init(_ value: some CFNValueConvertible) { self = value.cfnValue }
}

// MARK: - Intrinsic functions

extension CFNValue {
    /// `!Ref name`: a parameter, a resource or a pseudo parameter by logical name.
    public static func ref(_ logicalName: String) -> CFNValue { .function("Ref", .string(logicalName)) }

    /// `!Sub 'text'` with `${Name}` references.
    public static func sub(_ template: String) -> CFNValue { .function("Fn::Sub", .string(template)) }

    /// `!Sub ['text', {Var: value}]`.
    public static func sub(_ template: String, _ variables: KeyValuePairs<String, CFNValue>) -> CFNValue {
        .function("Fn::Sub", .list([.string(template), .object(variables.map { CFNField($0.key, $0.value) })]))
    }

    /// `!Join [delimiter, [values]]`.
    public static func join(_ delimiter: String, _ values: [CFNValue]) -> CFNValue {
        .function("Fn::Join", .list([.string(delimiter), .list(values)]))
    }

    /// `!Join [delimiter, list]` where the list is itself computed.
    public static func join(_ delimiter: String, _ list: CFNValue) -> CFNValue {
        .function("Fn::Join", .list([.string(delimiter), list]))
    }

    /// `!Select [index, list]`.
    public static func select(_ index: Int, _ list: CFNValue) -> CFNValue {
        .function("Fn::Select", .list([.number(String(index)), list]))
    }

    /// `!Split [delimiter, source]`.
    public static func split(_ delimiter: String, _ source: CFNValue) -> CFNValue {
        .function("Fn::Split", .list([.string(delimiter), source]))
    }

    /// `!If [condition, whenTrue, whenFalse]`.
    public static func `if`(_ condition: ConditionHandle, _ whenTrue: CFNValue, _ whenFalse: CFNValue) -> CFNValue {
        .function("Fn::If", .list([.string(condition.name), whenTrue, whenFalse]))
    }

    /// `!ImportValue name`.
    public static func importValue(_ name: CFNValue) -> CFNValue { .function("Fn::ImportValue", name) }

    /// `!FindInMap [map, topKey, secondKey]`.
    public static func findInMap(_ map: String, _ topKey: CFNValue, _ secondKey: CFNValue) -> CFNValue {
        .function("Fn::FindInMap", .list([.string(map), topKey, secondKey]))
    }

    /// `!GetAZs region` (empty string: the stack's region).
    public static func getAZs(_ region: CFNValue = "") -> CFNValue { .function("Fn::GetAZs", region) }

    /// `!Base64 value`.
    public static func base64(_ value: CFNValue) -> CFNValue { .function("Fn::Base64", value) }

    // Pseudo parameters.
    public static let region: CFNValue = .ref("AWS::Region")
    public static let accountId: CFNValue = .ref("AWS::AccountId")
    public static let partition: CFNValue = .ref("AWS::Partition")
    public static let urlSuffix: CFNValue = .ref("AWS::URLSuffix")
    public static let stackName: CFNValue = .ref("AWS::StackName")
    public static let stackId: CFNValue = .ref("AWS::StackId")
    public static let notificationARNs: CFNValue = .ref("AWS::NotificationARNs")
    /// `!Ref AWS::NoValue`: removes the property it is assigned to.
    public static let noValue: CFNValue = .ref("AWS::NoValue")

    /// The pseudo parameters CloudFormation defines.
    package static let pseudoParameters: Set<String> = [
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
        "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    ]
}

/// A condition expression for the Conditions section: `!Equals`, `!And`, `!Or`, `!Not`, `!Condition`.
public struct ConditionExpression: Hashable, Sendable, CFNValueConvertible {
    public let cfnValue: CFNValue

    /// Wraps an expression the typed constructors do not cover.
    public init(raw: CFNValue) { cfnValue = raw }

    public static func equals(_ a: CFNValue, _ b: CFNValue) -> ConditionExpression {
        ConditionExpression(raw: .function("Fn::Equals", .list([a, b])))
    }

    public static func and(_ terms: [ConditionExpression]) -> ConditionExpression {
        ConditionExpression(raw: .function("Fn::And", .list(terms.map(\.cfnValue))))
    }

    public static func or(_ terms: [ConditionExpression]) -> ConditionExpression {
        ConditionExpression(raw: .function("Fn::Or", .list(terms.map(\.cfnValue))))
    }

    public static func not(_ term: ConditionExpression) -> ConditionExpression {
        ConditionExpression(raw: .function("Fn::Not", .list([term.cfnValue])))
    }

    public static func condition(_ handle: ConditionHandle) -> ConditionExpression {
        ConditionExpression(raw: .function("Condition", .string(handle.name)))
    }
}

extension CFNValue {
    /// The text of a `.string`, else nil.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The name and argument when this is an intrinsic function.
    public var function: (name: String, argument: CFNValue)? {
        if case .function(let n, let a) = self { return (n, a) }
        return nil
    }

    /// Value of `key` when this is an object.
    public subscript(key: String) -> CFNValue? {
        if case .object(let fields) = self { return fields.first(where: { $0.key == key })?.value }
        return nil
    }

    /// Calls `visit` on this value and every nested value, depth first, in order.
    package func forEach(_ visit: (CFNValue) -> Void) {
        visit(self)
        switch self {
        case .list(let items): for item in items { item.forEach(visit) }
        case .object(let fields): for field in fields { field.value.forEach(visit) }
        case .function(_, let argument): argument.forEach(visit)
        case .string, .number, .bool, .null: break
        }
    }
}
