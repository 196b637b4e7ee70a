/// A named entry of an ordered template section (parameters, conditions, resources, outputs).
public struct Named<Value: Hashable & Sendable>: Hashable, Sendable {
    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// A template parameter declaration.
public struct Parameter: Hashable, Sendable {
    public var type: String
    public var description: String?
    public var `default`: CFNValue?
    public var allowedValues: [CFNValue]?
    public var allowedPattern: String?
    public var constraintDescription: String?
    public var minLength: Int?
    public var maxLength: Int?
    public var minValue: CFNValue?
    public var maxValue: CFNValue?
    public var noEcho: Bool?
    /// Keys this model does not know, kept in order so hand-written templates survive a round trip.
    public var extra: [CFNField]

    public init(
        type: String, description: String? = nil, default: CFNValue? = nil, allowedValues: [CFNValue]? = nil,
        allowedPattern: String? = nil, constraintDescription: String? = nil, minLength: Int? = nil,
        maxLength: Int? = nil, minValue: CFNValue? = nil, maxValue: CFNValue? = nil, noEcho: Bool? = nil,
        extra: [CFNField] = []
    ) {
        self.type = type
        self.description = description
        self.default = `default`
        self.allowedValues = allowedValues
        self.allowedPattern = allowedPattern
        self.constraintDescription = constraintDescription
        self.minLength = minLength
        self.maxLength = maxLength
        self.minValue = minValue
        self.maxValue = maxValue
        self.noEcho = noEcho
        self.extra = extra
    }

    /// A `String` parameter.
    public static func string(
        _ description: String, default: String? = nil, allowedValues: [String]? = nil, pattern: String? = nil,
        constraint: String? = nil, minLength: Int? = nil, maxLength: Int? = nil
    ) -> Parameter {
        Parameter(
            type: "String", description: description, default: `default`.map(CFNValue.string),
            allowedValues: allowedValues?.map(CFNValue.string), allowedPattern: pattern,
            constraintDescription: constraint, minLength: minLength, maxLength: maxLength)
    }
}

/// A template resource: its type, attributes and ordered properties.
public struct Resource: Hashable, Sendable {
    public var type: String
    public var condition: String?
    public var dependsOn: [String]
    public var deletionPolicy: String?
    public var updateReplacePolicy: String?
    public var metadata: CFNValue?
    public var properties: [CFNField]
    /// Other resource attributes (CreationPolicy, UpdatePolicy, ...), in order.
    public var extra: [CFNField]

    public init(
        type: String, condition: String? = nil, dependsOn: [String] = [], deletionPolicy: String? = nil,
        updateReplacePolicy: String? = nil, metadata: CFNValue? = nil, properties: [CFNField] = [],
        extra: [CFNField] = []
    ) {
        self.type = type
        self.condition = condition
        self.dependsOn = dependsOn
        self.deletionPolicy = deletionPolicy
        self.updateReplacePolicy = updateReplacePolicy
        self.metadata = metadata
        self.properties = properties
        self.extra = extra
    }

    /// The value of property `key`, if set.
    public func property(_ key: String) -> CFNValue? { properties.first(where: { $0.key == key })?.value }
}

/// A template output.
public struct Output: Hashable, Sendable {
    public var description: String?
    public var value: CFNValue
    public var exportName: CFNValue?
    public var condition: String?

    public init(description: String? = nil, value: CFNValue, exportName: CFNValue? = nil, condition: String? = nil) {
        self.description = description
        self.value = value
        self.exportName = exportName
        self.condition = condition
    }
}

/// A whole CloudFormation template, every section ordered as written.
public struct Template: Hashable, Sendable {
    public var formatVersion: String?
    public var description: String?
    public var metadata: CFNValue?
    public var parameters: [Named<Parameter>]
    public var rules: CFNValue?
    public var mappings: CFNValue?
    public var conditions: [Named<CFNValue>]
    public var transform: CFNValue?
    public var resources: [Named<Resource>]
    public var outputs: [Named<Output>]

    public init(
        formatVersion: String? = "2010-09-09", description: String? = nil, metadata: CFNValue? = nil,
        parameters: [Named<Parameter>] = [], rules: CFNValue? = nil, mappings: CFNValue? = nil,
        conditions: [Named<CFNValue>] = [], transform: CFNValue? = nil, resources: [Named<Resource>] = [],
        outputs: [Named<Output>] = []
    ) {
        self.formatVersion = formatVersion
        self.description = description
        self.metadata = metadata
        self.parameters = parameters
        self.rules = rules
        self.mappings = mappings
        self.conditions = conditions
        self.transform = transform
        self.resources = resources
        self.outputs = outputs
    }

    /// The resource named `name`.
    public func resource(_ name: String) -> Resource? { resources.first(where: { $0.name == name })?.value }

    /// The parameter named `name`.
    public func parameter(_ name: String) -> Parameter? { parameters.first(where: { $0.name == name })?.value }
}

// MARK: - Typed resources

/// A CloudFormation resource type with typed properties and GetAtt attributes (generated from the schemas).
public protocol ResourceType: Sendable {
    /// The attributes `!GetAtt` accepts for this type; any other name does not compile.
    associatedtype Attribute: RawRepresentable & Sendable where Attribute.RawValue == String
    /// `AWS::Service::Type`.
    static var typeName: String { get }
    /// The set properties, in declaration order.
    var properties: [CFNField] { get }
}

/// The `Attribute` of a type that has none: no value exists, so `getAtt` cannot be called.
public enum NoAttributes: RawRepresentable, Sendable {
    public init?(rawValue: String) { nil }
    public var rawValue: String { switch self {} }
}

/// A typed reference to a resource added to a template.
public struct ResourceHandle<R: ResourceType>: Sendable {
    public let name: String

    /// `!Ref Name`.
    public var ref: CFNValue { .ref(name) }

    /// `!GetAtt Name.Attribute`: the attribute must be one the resource type declares.
    public func getAtt(_ attribute: R.Attribute) -> CFNValue {
        .function("Fn::GetAtt", .list([.string(name), .string(attribute.rawValue)]))
    }
}

/// A reference to a parameter added to a template.
public struct ParameterHandle: Sendable {
    public let name: String
    /// `!Ref Name`.
    public var ref: CFNValue { .ref(name) }
}

/// A reference to a condition added to a template.
public struct ConditionHandle: Hashable, Sendable {
    public let name: String
}

/// Builds a `Template` from typed parts, keeping the order in which they are added.
public struct TemplateBuilder: Sendable {
    /// The template built so far; raw edits are allowed for constructs the typed API does not cover.
    public var template: Template

    public init(description: String? = nil, formatVersion: String? = "2010-09-09") {
        template = Template(formatVersion: formatVersion, description: description)
    }

    /// Declares a parameter.
    @discardableResult
    public mutating func parameter(_ name: String, _ parameter: Parameter) -> ParameterHandle {
        template.parameters.append(Named(name, parameter))
        return ParameterHandle(name: name)
    }

    /// Declares a condition.
    @discardableResult
    public mutating func condition(_ name: String, _ expression: ConditionExpression) -> ConditionHandle {
        template.conditions.append(Named(name, expression.cfnValue))
        return ConditionHandle(name: name)
    }

    /// Declares a mapping (top key → second key → value), in the given order.
    public mutating func mapping(_ name: String, _ entries: [CFNField]) {
        var fields: [CFNField]
        if case .object(let existing) = template.mappings { fields = existing } else { fields = [] }
        fields.append(CFNField(name, .object(entries)))
        template.mappings = .object(fields)
    }

    /// Declares a typed resource and returns its handle.
    @discardableResult
    public mutating func resource<R: ResourceType>(
        _ name: String, _ resource: R, condition: ConditionHandle? = nil, dependsOn: [String] = [],
        deletionPolicy: String? = nil, updateReplacePolicy: String? = nil, metadata: CFNValue? = nil
    ) -> ResourceHandle<R> {
        template.resources.append(
            Named(
                name,
                Resource(
                    type: R.typeName, condition: condition?.name, dependsOn: dependsOn,
                    deletionPolicy: deletionPolicy, updateReplacePolicy: updateReplacePolicy, metadata: metadata,
                    properties: resource.properties)))
        return ResourceHandle(name: name)
    }

    /// Declares an output.
    public mutating func output(
        _ name: String, _ value: CFNValue, description: String? = nil, exportName: CFNValue? = nil,
        condition: ConditionHandle? = nil
    ) {
        template.outputs.append(
            Named(name, Output(description: description, value: value, exportName: exportName, condition: condition?.name)))
    }

    /// Sets the template's Metadata section.
    public mutating func metadata(_ value: CFNValue) { template.metadata = value }
}
